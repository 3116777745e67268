"""Binding a judge's tablet by the QR on their paper score sheet: a signed token for one seat of
one round (this contest only), revoked by changing the seat's binding secret."""
import secrets

from app.common.tokens import InvalidToken, make_token, read_token

BINDING_PURPOSE = "speech.judge-binding"
BIND_PATH = "/speech/judge/bind/"  # the judge area's route: BIND_PATH + token
BINDING_MAX_AGE_SECONDS = 60 * 60 * 24 * 30  # printed sheets are made days before the contest


def new_binding_secret() -> str:
    """A fresh random secret for a seat (changing it revokes every printed code for the seat)."""
    return secrets.token_hex(8)


def binding_token(judge) -> str:
    """The signed token in a seat's QR: the seat's id and its current binding secret."""
    return make_token(BINDING_PURPOSE, [judge.id, judge.binding_secret])


def binding_path(judge) -> str:
    """The path the seat's QR points to (put the site's address in front for the QR)."""
    return BIND_PATH + binding_token(judge)


def read_binding(token: str) -> tuple[int, str]:
    """The (seat id, secret) a binding token names; InvalidToken when forged or too old. The caller
    checks the secret against the seat's current one (a changed secret means revoked)."""
    payload = read_token(BINDING_PURPOSE, token, BINDING_MAX_AGE_SECONDS)
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)
            and isinstance(payload[1], str)):
        raise InvalidToken()
    return payload[0], payload[1]
