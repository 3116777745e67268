"""A signed-in member's JSON POST answered before Flask: the session cookie, the CSRF header, the login
session and the account checked, the body read and cleaned, and the view's own work done on one
pooled connection, with no request context, hooks or ORM session (an autosave is most of a quiz
evening's requests, and Flask's dispatch was most of its cost).

Every check is the function the Flask path itself runs (app.common.signing, app.accounts.services,
app.accounts.models, app.common.inputs), fed from the WSGI environ; the access rule and the cleaned
JSON keys are read from the view's own decorators. Only the common, valid case is answered here:
anything else (signed out, a bad or missing token, a session to refresh or touch, a password to
change, a query string, an unusual body, a refusal by the view's rules, a database error) goes on to
the app untouched, which answers it exactly as it always has.
"""
from __future__ import annotations

import threading
import time
from contextlib import suppress
from io import BytesIO

import sqlalchemy as sa
from werkzeug.http import parse_cookie, parse_options_header
from werkzeug.wsgi import get_host
from wtforms import ValidationError

from app.accounts.models import holds_any_role
from app.accounts.services import SESSION_KEY, open_login, session_identifier
from app.common.access import AUTHENTICATED
from app.common.clock import utcnow
from app.common.inputs import Refused, clean_json_body
from app.common.signing import check_csrf_token, csrf_origin_problem, header_csrf_token
from app.security import security_headers

MAX_BODY_BYTES = 64 * 1024  # an answer is far smaller; a larger body is the app's to read (and limit)
# Session keys the Flask path leaves as they are on such a request; any other (a remember-me
# instruction, say) may make it change the session, so the app answers.
PLAIN_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_id", "_permanent", "sid", "csrf_token", "locale", "next"})
# A held connection unused for longer than this is pinged before use, as the pool pings its own
# (app.database.PING_AFTER_IDLE_SECONDS).
HELD_PING_AFTER_IDLE_SECONDS = 30.0


class _Held(threading.local):
    """The autocommit connection this worker thread keeps for these requests (PostgreSQL)."""

    connection = None
    used_at = 0.0
    generation = 0


class SignedInJsonBeforeFlask:
    """WSGI middleware answering a signed-in JSON POST to `endpoint` before Flask.

    `match(path)` picks the requests (no I/O; None: not one of them) and gives the key `answer` gets;
    `answer(connection, key, signed_in, body, now)` does the view's work and returns the JSON reply, or
    None to leave the request to the app, having written nothing then. Its writes are one statement,
    atomic on its own: on PostgreSQL each statement commits by itself (no BEGIN and COMMIT, two round
    trips of a three-statement request); on SQLite they run in a transaction, rolled back on None.

    `read`: optional (query, params(key, body)) of the one row `answer` reads first, read in the same
    round trip as the login check (app.accounts.services.open_login's `beside`); its columns are then on
    signed_in.account. params None: the body is not one the answer takes, and the app answers it.

    On PostgreSQL each worker thread keeps one autocommit connection for these requests rather than
    checking one out of the pool and resetting it every time (an eighth of an autosave's CPU): a sync
    worker serves one request at a time, and nothing is left open between statements. A connection that
    fails is dropped (the app answers that request) and the next request opens another."""

    def __init__(self, app, wsgi_app, endpoint: str, match, answer, read=None):
        self.app, self.wsgi_app = app, wsgi_app
        self.endpoint, self.match, self.answer = endpoint, match, answer
        self.read = read
        self.ready = False
        self.held = _Held()
        # Every held connection of every thread, so that disposing of the engine (tests, a re-fork)
        # closes them all; a thread that ended leaves its own here until then.
        self.every_held: list = []
        self.generation = 0
        self.held_lock = threading.Lock()

    def _prepare(self) -> None:
        """What only needs reading once: the engine, the view's declarations, the fixed headers."""
        from app.extensions import db, login_manager

        app, config = self.app, self.app.config
        with app.app_context():
            self.engine = db.engine
        view = app.view_functions[self.endpoint]
        self.roles = view.access_rule
        self.cleaned = getattr(view, "cleaned_json_keys", frozenset())
        self.sessions = app.session_interface
        self.cookie_name = self.sessions.get_cookie_name(app)
        self.protection = config.get("SESSION_PROTECTION", login_manager.session_protection)
        csrf = app.extensions.get("csrf")
        # Only the production set-up is answered here; anything configured otherwise goes to the app.
        self.enabled = bool(
            csrf is not None and config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]
            and "POST" in config["WTF_CSRF_METHODS"] and not csrf._exempt_views and not csrf._exempt_blueprints
            and hasattr(self.sessions, "cookie_data") and self.protection in (None, "basic")
            and not config.get("TRUSTED_HOSTS") and not config.get("SERVER_NAME")
            and not config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST") and not config["SESSION_REFRESH_EACH_REQUEST"]
            and isinstance(self.roles, tuple)
            and app.config.get("MAX_CONTENT_LENGTH") is not None
        )
        self.max_body = min(MAX_BODY_BYTES, config["MAX_CONTENT_LENGTH"]) if self.enabled else 0
        self.headers = [("Vary", "Cookie"), *security_headers(app)]
        self.autocommit = self.engine.dialect.name == "postgresql"
        if self.autocommit:
            sa.event.listen(self.engine, "engine_disposed", self._close_every_held)
        provider = app.json  # laid out as its response() lays it out
        indented = (getattr(provider, "compact", None) is None and app.debug) or getattr(provider, "compact", None) is False
        self.dump_args = {"indent": 2} if indented else {"separators": (",", ":")}
        self.ready = True

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("QUERY_STRING"):
            return self.wsgi_app(environ, start_response)
        key = self.match(environ.get("PATH_INFO", ""))
        if key is None:
            return self.wsgi_app(environ, start_response)
        if not self.ready:
            self._prepare()
        body = self._read_body(environ) if self.enabled else None
        if body is None:
            return self.wsgi_app(environ, start_response)
        try:
            reply = self._answer(environ, key, body)
        except sa.exc.OperationalError:  # busy or unreachable: the app answers (or reports) it
            reply = None
        except Exception:  # never the user's problem: the app answers, and the log says why
            self.app.logger.exception("%s before Flask failed; the app answers it", self.endpoint)
            reply = None
        if reply is None:
            return self.wsgi_app(environ, start_response)
        # The bytes and headers app.json.response(reply) gives, without building a Response object.
        body = f"{self.app.json.dumps(reply, **self.dump_args)}\n".encode()
        start_response("200 OK", [("Content-Type", self.app.json.mimetype), ("Content-Length", str(len(body))),
                                  *self.headers])
        return [body]

    def _read_body(self, environ) -> bytes | None:
        """The JSON body (put back for the app to read again), or None to leave the request to the app."""
        mimetype, _options = parse_options_header(environ.get("CONTENT_TYPE", ""))
        length = environ.get("CONTENT_LENGTH", "")
        if mimetype != "application/json" or not length.isdigit() or "HTTP_TRANSFER_ENCODING" in environ:
            return None
        if not 0 < int(length) <= self.max_body:
            return None
        body = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = BytesIO(body)
        return body if len(body) == int(length) else None

    def _answer(self, environ, key, body: bytes):
        app, config = self.app, self.app.config
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(self.cookie_name)
        data = self.sessions.cookie_data(app, cookie)
        if not data or not data.keys() <= PLAIN_SESSION_KEYS or "_user_id" not in data:
            return None
        if self.protection == "basic":
            identifier = session_identifier(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"),
                                            environ.get("HTTP_USER_AGENT"))
            if identifier != data.get("_id") and data.get("_fresh") is not False:
                return None  # Flask-Login marks the session not fresh: the cookie changes
        token = header_csrf_token(config, lambda name: environ.get("HTTP_" + name.upper().replace("-", "_")))
        try:
            check_csrf_token(config, app.secret_key, data, token)
        except ValidationError:
            return None
        secure = environ.get("wsgi.url_scheme") == "https"
        if csrf_origin_problem(config, secure, environ.get("HTTP_REFERER"), get_host(environ) if secure else ""):
            return None
        try:
            payload = app.json.loads(body)
            if not isinstance(payload, dict):
                return None
            clean_json_body(payload, self.cleaned)
        except (ValueError, RecursionError, Refused):  # unreadable, too deep or hostile: the app refuses it
            return None
        if self.autocommit:
            connection = self._held_connection()
            try:
                with app.app_context():
                    return self._checked_answer(connection, key, data, payload)
            except BaseException:
                self._drop_held()  # its state is unknown now: the next request opens another
                raise
            finally:
                self.held.used_at = time.monotonic()
        with app.app_context(), self.engine.connect() as connection, connection.begin() as transaction:
            reply = self._checked_answer(connection, key, data, payload)
            if reply is None:
                transaction.rollback()
            return reply

    def _held_connection(self):
        """This thread's autocommit connection, opened (or pinged after idling) as needed."""
        held = self.held
        if held.generation != self.generation:  # the engine was disposed of since: that one is closed
            held.connection, held.generation = None, self.generation
        if held.connection is not None and time.monotonic() - held.used_at >= HELD_PING_AFTER_IDLE_SECONDS:
            try:
                held.connection.exec_driver_sql("SELECT 1")
            except sa.exc.DBAPIError:
                self._drop_held()
        if held.connection is None:
            held.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            with self.held_lock:
                self.every_held.append(held.connection)
        return held.connection

    def _drop_held(self) -> None:
        connection, self.held.connection = self.held.connection, None
        if connection is None:
            return
        with self.held_lock:
            if connection in self.every_held:
                self.every_held.remove(connection)
        with suppress(Exception):  # already broken: nothing more to release
            connection.invalidate()
            connection.close()

    def _close_every_held(self, _engine) -> None:
        with self.held_lock:
            connections, self.every_held = self.every_held, []
            self.generation += 1
        for connection in connections:
            with suppress(Exception):  # closing what is already gone
                connection.close()

    def _checked_answer(self, connection, key, data, payload):
        """The view's answer once the login session and the account pass the view's own checks, else None."""
        now = utcnow()
        beside = beside_params = None
        if self.read is not None:
            beside, beside_params = self.read[0], self.read[1](key, payload)
            if beside_params is None:
                return None
        signed_in = open_login(connection, data["_user_id"], data.get(SESSION_KEY), now, whole=False,
                               beside=beside, beside_params=beside_params)
        if (signed_in is None or signed_in.touch_due or signed_in.account.must_change_password
                or (AUTHENTICATED not in self.roles and not holds_any_role(signed_in.roles, self.roles))):
            return None
        return self.answer(connection, key, signed_in, payload, now)
