"""The answering page's autosave answered before Flask: POST /quizzes/attempts/<id>/answers from a
signed-in member, with a valid CSRF header and a body the rules accept, is saved on one pooled
connection by the same rules as the view (quizzes.services.attempts.store_response) and answered with
the same JSON. Everything else (a refusal, a stale page's 409, an attempt whose time is up and is to
be submitted, …) goes on to quizzes.take.answers, which answers it as before (app.common.signed_in_json)."""
import re

from app.common.signed_in_json import SignedInJsonBeforeFlask
from quizzes.services import attempts as engine

ENDPOINT = "quizzes.take.answers"
# Ids as the database holds them (up to 9 digits here; anything longer goes to the app, which answers).
_PATH = re.compile(r"/quizzes/attempts/([1-9][0-9]{0,8})/answers")


def _match(path: str):
    found = _PATH.fullmatch(path)
    return None if found is None else int(found[1])


def _save(connection, attempt_id: int, signed_in, body: dict, now):
    looked_up = signed_in.account  # SAVE_LOOKUP's columns, read with the login check
    if looked_up.user_id is None:  # no such attempt or position: the view answers it
        return None
    try:
        return engine.store_response(connection, attempt_id, signed_in.account.id, body.get("position"),
                                     body.get("response"), body.get("seq"), body.get("page"), now,
                                     looked_up=looked_up)
    except (engine.AnswerRejected, engine.TimeUp):  # the view answers it (and submits an attempt out of time)
        return None


def autosaves_before_flask(app, wsgi_app) -> SignedInJsonBeforeFlask:
    """Wrap `wsgi_app` so the common autosave is answered before Flask."""
    return SignedInJsonBeforeFlask(app, wsgi_app, ENDPOINT, _match, _save, read=(
        engine.SAVE_LOOKUP, lambda attempt_id, body: engine.save_lookup_params(attempt_id, body.get("position"))))
