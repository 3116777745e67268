"""Signed, expiring tokens (QR codes, download links) bound to a purpose."""
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidToken(Exception):
    """The token is forged, for another purpose, or expired."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"saishi.{purpose}")


def make_token(purpose: str, payload: Any, *, issued_at: datetime | None = None) -> str:
    """Sign `payload` for `purpose`; read it back with read_token within its max age. With `issued_at`
    (naive UTC) the token carries that signing time instead of now: the same payload and time always
    give the same token (a rotating code every display of an event shows alike)."""
    serializer = _serializer(purpose)
    if issued_at is None:
        return serializer.dumps(payload)
    signer = serializer.make_signer()
    stamp = int(issued_at.replace(tzinfo=UTC).timestamp())
    signer.get_timestamp = lambda: stamp
    return signer.sign(serializer.dump_payload(payload)).decode("ascii")


def read_token(purpose: str, token: str, max_age_seconds: int) -> Any:
    """Return the payload of a token signed for `purpose` no longer than max_age_seconds ago."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken() from exc


def read_token_issued(purpose: str, token: str) -> tuple[Any, datetime]:
    """The payload of a token signed for `purpose` and when it was signed (naive UTC), age unchecked:
    for callers that judge the age against the app's own clock (app.common.clock)."""
    try:
        payload, signed_at = _serializer(purpose).loads(token, return_timestamp=True)
    except BadSignature as exc:
        raise InvalidToken() from exc
    return payload, signed_at.astimezone(UTC).replace(tzinfo=None)
