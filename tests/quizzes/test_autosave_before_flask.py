"""The autosave answered before Flask (quizzes/views/autosave.py) answers exactly as the view does.

Two members with the same paper ("twins") send the same requests one after the other: the first
through the app as served (the common, valid case answered before Flask), the second with that layer
switched off (every request reaches quizzes.take.answers). Every step must give the same status,
headers and body, and leave the same answers, attempt and login session behind; the valid steps
must not have reached Flask at all, and every refusal must have been left to the view.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import request_started

from app.accounts.models import LoginSession, User
from app.common import clock
from app.common.signed_in_json import SignedInJsonBeforeFlask
from app.extensions import db
from quizzes.models import Attempt, AttemptItem
from tests.quizzes.engine_helpers import csrf_token_from
from tests.support import DEFAULT_PASSWORD, QUIZ_START, layer_of

pytestmark = [pytest.mark.usefixtures("quiz_clock"), pytest.mark.app_config(WTF_CSRF_ENABLED=True)]

FAST, FLASK = "before Flask", "Flask"


@pytest.fixture
def paper(make_bank, make_question, make_quiz):
    """A fixed paper in a fixed order, so that both twins see the same questions at the same positions."""
    bank = make_bank()
    questions = [make_question(bank, "single", answer="B"), make_question(bank, "multiple", answer=["A", "C"]),
                 make_question(bank, "judge", answer=True),
                 make_question(bank, "fill", answer=[["四十"], ["高质量"]])]
    return make_quiz(fixed=[(question, 5) for question in questions], shuffle_questions=False,
                     shuffle_options=False, time_limit_seconds=900).id


def _token(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


class Twin:
    """A member signed in through the login form (CSRF on), with an attempt at the paper started."""

    def __init__(self, app, member: tuple[int, str], quiz_id: int):
        self.app, (self.member_id, staff_id) = app, member
        self.client = app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        assert self.client.post("/login", data={"login": staff_id, "password": DEFAULT_PASSWORD,
                                                "csrf_token": _token(page)}).status_code == 302
        start = self.client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)
        location = self.client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": _token(start)}).location
        self.attempt_id = int(location.rstrip("/").split("/")[-1])
        self.csrf = csrf_token_from(self.client.get(f"/quizzes/attempts/{self.attempt_id}").get_data(as_text=True))
        db.session.remove()

    def state(self) -> dict:
        """What the twin's steps leave behind: answers, the attempt, the login sessions, the account."""
        db.session.expire_all()
        items = [tuple(row) for row in db.session.execute(
            sa.select(AttemptItem.position, AttemptItem.response, AttemptItem.response_seq,
                      AttemptItem.response_page, AttemptItem.saved_at, AttemptItem.awarded)
            .where(AttemptItem.attempt_id == self.attempt_id).order_by(AttemptItem.position))]
        attempt = db.session.get(Attempt, self.attempt_id)
        sessions = [tuple(row) for row in db.session.execute(
            sa.select(LoginSession.last_seen_at, LoginSession.revoked_at).where(LoginSession.user_id == self.member_id))]
        user = db.session.get(User, self.member_id)
        state = {"items": items, "attempt": (attempt.submitted_at, attempt.submit_reason, attempt.score),
                 "sessions": sessions, "user": (user.active, user.must_change_password, user.updated_at)}
        db.session.remove()  # the test's read ends, as a request's does (SQLite: no stale snapshot kept)
        return state


@pytest.fixture
def twins(app, make_member, make_unit, paper):
    first, second = (make_member(unit=make_unit()) for _ in range(2))
    pair = [(member.id, member.staff_id) for member in (first, second)]
    return Twin(app, pair[0], paper), Twin(app, pair[1], paper)


@pytest.fixture
def someone_elses_attempt(app, make_member, paper) -> int:
    member = make_member()
    return Twin(app, (member.id, member.staff_id), paper).attempt_id


@pytest.fixture
def reached_flask(app):
    """The requests that reached Flask's dispatch (request_started), to tell which path answered."""
    seen = []

    def note(_sender, **_extra):
        seen.append(True)

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def _send(twin: Twin, step: dict, attempt_id: int | None = None):
    db.session.remove()  # every request its own session, as when served (the app fixture keeps one context)
    attempt_id = attempt_id or twin.attempt_id
    headers = {"X-CSRFToken": twin.csrf} if step.get("csrf", True) else {}
    headers.update(step.get("headers", {}))
    client = twin.client if step.get("signed_in", True) else twin.app.test_client()
    if step.get("signed_in") == "forged":
        client = twin.app.test_client()
        client.set_cookie("session", twin.client.get_cookie("session").value[:-2] + "xx")
    url = f"/quizzes/attempts/{attempt_id}/answers" + step.get("query", "")
    kwargs = {"base_url": step["base_url"]} if "base_url" in step else {}
    if "raw" in step:
        return client.post(url, data=step["raw"], content_type="application/json", headers=headers, **kwargs)
    return client.post(url, json=step["json"], headers=headers, **kwargs)


def _reply(response, twin: Twin) -> dict:
    headers = {name: value for name, value in response.headers.items() if name not in ("Set-Cookie", "Content-Length")}
    body = response.get_data(as_text=True).replace(f"/attempts/{twin.attempt_id}", "/attempts/<attempt>")
    return {"status": response.status_code, "headers": headers, "body": body,
            "sets_cookie": "Set-Cookie" in response.headers}


def _run(twins, steps, reached_flask, app, *, other=None):
    """Each step through both paths; returns which path answered each step for the first twin."""
    fast_twin, flask_twin = twins
    layer = layer_of(app, SignedInJsonBeforeFlask)
    paths = []
    for step in steps:
        if "before" in step:
            step["before"](fast_twin, flask_twin)
        replies = []
        for twin, enabled in ((fast_twin, True), (flask_twin, False)):
            layer._prepare()
            layer.enabled = enabled
            with clock.frozen_at(QUIZ_START + step.get("at", timedelta(0))):
                reached_flask.clear()
                target = other if step.get("others") else None
                replies.append(_reply(_send(twin, step, target), twin))
                if twin is fast_twin:
                    paths.append(FLASK if reached_flask else FAST)
        assert replies[0] == replies[1], step["name"]
        assert replies[0]["status"] == step.get("status", 200), (step["name"], replies[0])
        first, second = fast_twin.state(), flask_twin.state()
        assert first["items"] == second["items"], step["name"]
        assert first["attempt"] == second["attempt"] and first["sessions"] == second["sessions"], step["name"]
        assert first["user"][:2] == second["user"][:2], step["name"]
    return [(step["name"], path) for step, path in zip(steps, paths, strict=True)]


def _set_user(**values):
    def change(*twins):
        for twin in twins:
            db.session.execute(sa.update(User).where(User.id == twin.member_id).values(**values))
        db.session.commit()

    return change


def test_saves_and_refusals_answer_the_same_on_both_paths(app, twins, reached_flask, someone_elses_attempt):
    steps = [
        {"name": "a first answer", "json": {"position": 1, "response": "B", "seq": 1}, "path": FAST},
        {"name": "a newer answer", "json": {"position": 1, "response": "C", "seq": 2}, "path": FAST},
        {"name": "a stale resend", "json": {"position": 1, "response": "A", "seq": 1}, "path": FAST},
        {"name": "a multiple choice", "json": {"position": 2, "response": ["C", "A"], "seq": 1}, "path": FAST},
        {"name": "a judgement", "json": {"position": 3, "response": False, "seq": 1}, "path": FAST},
        {"name": "a fill-in, cleaned", "json": {"position": 4, "response": ["四\x00十", "高质\t量"], "seq": 1},
         "path": FAST},
        {"name": "from a page with an id", "json": {"position": 3, "response": True, "seq": 1, "page": "p1"},
         "path": FAST},
        {"name": "that page's stale save", "json": {"position": 3, "response": False, "seq": 1, "page": "p1"},
         "path": FAST},
        {"name": "an answer cleared", "json": {"position": 2, "response": None, "seq": 2}, "path": FAST},
        {"name": "over HTTPS from the page", "json": {"position": 1, "response": "D", "seq": 3},
         "base_url": "https://localhost/", "headers": {"Referer": "https://localhost/quizzes/attempts/1"},
         "path": FAST},
        # Refusals: all left to the view.
        {"name": "no CSRF token", "status": 400, "json": {"position": 1, "response": "A", "seq": 9}, "csrf": False, "path": FLASK},
        {"name": "a forged CSRF token", "status": 400, "json": {"position": 1, "response": "A", "seq": 9},
         "csrf": False, "headers": {"X-CSRFToken": "forged"}, "path": FLASK},
        {"name": "over HTTPS without a referrer", "status": 400, "json": {"position": 1, "response": "A", "seq": 9},
         "base_url": "https://localhost/", "path": FLASK},
        {"name": "over HTTPS from another site", "status": 400, "json": {"position": 1, "response": "A", "seq": 9},
         "base_url": "https://localhost/", "headers": {"Referer": "https://evil.example/"}, "path": FLASK},
        {"name": "signed out", "status": 400, "json": {"position": 1, "response": "A", "seq": 9}, "signed_in": False, "path": FLASK},
        {"name": "a forged session cookie", "status": 400, "json": {"position": 1, "response": "A", "seq": 9}, "signed_in": "forged",
         "path": FLASK},
        {"name": "someone else's attempt", "status": 404, "json": {"position": 1, "response": "A", "seq": 9}, "others": True,
         "path": FLASK},
        {"name": "no such position", "status": 400, "json": {"position": 99, "response": "A", "seq": 9}, "path": FLASK},
        {"name": "a position that is not a number", "status": 400, "json": {"position": "1", "response": "A", "seq": 9},
         "path": FLASK},
        {"name": "no seq", "status": 400, "json": {"position": 1, "response": "A"}, "path": FLASK},
        {"name": "an answer of the wrong shape", "status": 400, "json": {"position": 2, "response": "A", "seq": 9}, "path": FLASK},
        {"name": "a letter the question lacks", "status": 400, "json": {"position": 1, "response": "H", "seq": 9}, "path": FLASK},
        {"name": "a bad page id", "status": 400, "json": {"position": 1, "response": "A", "seq": 9, "page": "no!"}, "path": FLASK},
        {"name": "hostile text outside the answer", "status": 400, "json": {"position": 1, "response": "A", "seq": 9, "page": "a\x00"},
         "path": FLASK},
        {"name": "a number beyond JSON's", "status": 400, "json": {"position": 1, "response": "A", "seq": 2**60}, "path": FLASK},
        {"name": "a body that is a list", "status": 400, "json": [1, 2], "path": FLASK},
        {"name": "a body that is not JSON", "status": 400, "raw": b"{position: 1", "path": FLASK},
        {"name": "a query string", "json": {"position": 1, "response": "A", "seq": 9}, "query": "?x=1",
         "path": FLASK},
        # The account and its session.
        {"name": "a password to change first", "status": 403, "json": {"position": 1, "response": "A", "seq": 10},
         "before": _set_user(must_change_password=True), "path": FLASK},
        {"name": "a deactivated account", "status": 401, "json": {"position": 1, "response": "A", "seq": 10},
         "before": _set_user(must_change_password=False, active=False), "path": FLASK},
        {"name": "active again", "json": {"position": 1, "response": "A", "seq": 10},
         "before": _set_user(active=True), "path": FAST},
        {"name": "a session to mark as in use", "json": {"position": 1, "response": "B", "seq": 11},
         "at": timedelta(seconds=400), "path": FLASK},
        {"name": "then not again at once", "json": {"position": 1, "response": "C", "seq": 12},
         "at": timedelta(seconds=420), "path": FAST},
        {"name": "another browser (the session is no longer fresh)", "json": {"position": 1, "response": "D", "seq": 13},
         "at": timedelta(seconds=420), "headers": {"User-Agent": "another phone"}, "path": FLASK},
        {"name": "that browser again", "json": {"position": 1, "response": "A", "seq": 14},
         "at": timedelta(seconds=420), "headers": {"User-Agent": "another phone"}, "path": FAST},
        {"name": "touched again before the deadline", "json": {"position": 2, "response": ["B"], "seq": 3},
         "at": timedelta(seconds=800), "path": FLASK},
        {"name": "in the grace after the deadline", "json": {"position": 2, "response": ["D"], "seq": 4},
         "at": timedelta(seconds=905), "path": FAST},
        {"name": "past the grace: submitted", "status": 409, "json": {"position": 2, "response": ["A"], "seq": 5},
         "at": timedelta(seconds=915), "path": FLASK},
        {"name": "after submitting", "status": 409, "json": {"position": 1, "response": "B", "seq": 20},
         "at": timedelta(seconds=916), "path": FLASK},
    ]
    paths = _run(twins, steps, reached_flask, app, other=someone_elses_attempt)

    assert paths == [(step["name"], step["path"]) for step in steps]
    submitted = twins[0].state()
    assert submitted["attempt"][1] == "timeout" and submitted["items"][3][1] == ["四十", "高质 量"]


def test_a_session_ended_elsewhere_is_refused_on_both_paths(app, twins, reached_flask):
    def sign_out_everywhere(*pair):
        for twin in pair:
            db.session.execute(sa.update(LoginSession).where(LoginSession.user_id == twin.member_id)
                               .values(revoked_at=QUIZ_START))
        db.session.commit()

    steps = [{"name": "before", "json": {"position": 1, "response": "B", "seq": 1}, "path": FAST},
             {"name": "ended", "status": 401, "json": {"position": 1, "response": "C", "seq": 2}, "before": sign_out_everywhere,
              "path": FLASK}]
    paths = _run(twins, steps, reached_flask, app)

    assert paths == [("before", FAST), ("ended", FLASK)]
    assert twins[0].client.post(f"/quizzes/attempts/{twins[0].attempt_id}/answers",
                                json={"position": 1, "response": "D", "seq": 3},
                                headers={"X-CSRFToken": twins[0].csrf}).status_code == 401


def test_staff_without_a_unit_are_refused_on_both_paths(app, make_staff, twins, reached_flask):
    from itsdangerous import URLSafeTimedSerializer

    organiser = make_staff("organiser")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"login": organiser.staff_id, "password": DEFAULT_PASSWORD, "csrf_token": _token(page)})
    with client.session_transaction() as session:  # the token a page of theirs would carry
        token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(session["csrf_token"])
    layer = layer_of(app, SignedInJsonBeforeFlask)
    replies = []
    for enabled in (True, False):
        layer._prepare()
        layer.enabled = enabled
        reached_flask.clear()
        response = client.post(f"/quizzes/attempts/{twins[0].attempt_id}/answers",
                               json={"position": 1, "response": "B", "seq": 1}, headers={"X-CSRFToken": token})
        replies.append((response.status_code, response.get_data(), bool(reached_flask)))
    assert replies[0] == replies[1] and replies[0][0] == 403 and replies[0][2]


def test_the_fast_path_is_the_autosave_route():
    """The pattern the layer matches is the view's own URL rule (ids as the database holds them)."""
    from quizzes.views.autosave import _match

    assert _match("/quizzes/attempts/42/answers") == 42
    assert _match("/quizzes/attempts/042/answers") is None  # left to the app's URL rules
    assert _match("/quizzes/attempts/42/answers/") is None
    assert _match("/quizzes/attempts/1234567890/answers") is None


def test_the_url_rule_matches_the_layer(app):
    from flask import url_for

    from quizzes.views.autosave import ENDPOINT, _match

    with app.test_request_context():
        assert _match(url_for(ENDPOINT, attempt_id=987654321)) == 987654321


def test_the_session_identifier_is_flask_logins(app):
    from flask_login.utils import _create_identifier

    from app.accounts.services import session_identifier

    for headers, address in (({}, "10.0.0.1"), ({"User-Agent": "手机 Safari"}, "10.0.0.2"),
                             ({"X-Forwarded-For": "203.0.113.9, 10.0.0.1", "User-Agent": "x"}, "10.0.0.3")):
        with app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": address}):
            from flask import request

            assert session_identifier(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                      request.headers.get("User-Agent")) == _create_identifier()


def test_an_autosave_before_flask_runs_one_statement_after_the_user_load(app, twins, reached_flask, count_queries):
    """The attempt's item is read with the login check; then one guarded UPDATE (issue 10's bar is two)."""
    twin = twins[0]
    db.session.remove()
    with count_queries() as counter:
        response = twin.client.post(f"/quizzes/attempts/{twin.attempt_id}/answers",
                                    json={"position": 1, "response": "B", "seq": 1}, headers={"X-CSRFToken": twin.csrf})

    assert response.get_json()["saved"] is True and not reached_flask
    work = [sql for sql in counter.statements if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
    assert len(work) == 2 and "FROM users" in work[0] and "quiz_attempt_items" in work[0], work
    assert work[1].lstrip().upper().startswith("UPDATE quiz_attempt_items".upper()), work


def _backend_pid(layer) -> int:
    return layer.held.connection.connection.dbapi_connection.info.backend_pid


@pytest.mark.postgres
def test_a_worker_keeps_one_connection_for_its_autosaves_and_replaces_a_lost_one(app, twins, reached_flask):
    """On PostgreSQL the layer saves on one held autocommit connection; when the database drops it
    (a restart, a network cut), that save is answered by the app and the next opens a new one: no save lost."""
    twin = twins[0]
    layer = layer_of(app, SignedInJsonBeforeFlask)

    def save(seq: int, answer: str):
        reached_flask.clear()
        db.session.remove()
        return twin.client.post(f"/quizzes/attempts/{twin.attempt_id}/answers",
                                json={"position": 1, "response": answer, "seq": seq}, headers={"X-CSRFToken": twin.csrf})

    assert save(1, "A").get_json()["saved"] is True and not reached_flask
    held = _backend_pid(layer)
    assert save(2, "B").get_json()["saved"] is True and not reached_flask
    assert _backend_pid(layer) == held  # the same connection, not one checked out and reset per save

    db.session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": held})
    db.session.commit()
    reply = save(3, "C")
    assert reply.status_code == 200 and reply.get_json()["saved"] is True and reached_flask  # the app saved it
    assert save(4, "D").get_json()["saved"] is True and not reached_flask
    assert _backend_pid(layer) != held

    db.session.remove()
    stored = db.session.execute(sa.select(AttemptItem.response, AttemptItem.response_seq).where(
        AttemptItem.attempt_id == twin.attempt_id, AttemptItem.position == 1)).one()
    assert tuple(stored) == ("D", 4)
