"""Response mechanics every feature shares: private pages, file downloads, query arguments."""
from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import quote

from flask import Response, jsonify, request, send_file, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from werkzeug.http import parse_etags, quote_etag

from app.common.forms import INTEGER_LIMIT
from app.common.text import download_safe_name
from app.common.worker_memo import kept
from app.common.xlsx import XLSX_MIMETYPE
from app.database import reads_only
from app.extensions import db
from app.security import security_headers


def no_store(response: Response) -> Response:
    """Mark a response as private and not to be cached or restored from history (Back button, proxies)."""
    response.headers["Cache-Control"] = "no-store, max-age=0"
    response.headers["Pragma"] = "no-cache"
    return response


def private_pages(blueprint) -> None:
    """Send every HTML page of `blueprint` no_store: pages with personal data (names, staff IDs, mobile
    numbers) must not stay in a shared computer's cache or come back with the Back button."""

    @blueprint.after_request
    def _no_store_html(response: Response) -> Response:
        if response.mimetype == "text/html" and "no-store" not in response.headers.get("Cache-Control", ""):
            no_store(response)
        return response


PAGES_KEPT = 500  # signed-out pages per worker (a few locales × the ?next= paths people arrive with)
_TOKEN_SLOT = "\x00csrf-token\x00"  # where the request's CSRF token goes; never in rendered HTML itself


def same_for_every_visitor(name: str, render: Callable[[], str]) -> str:
    """The signed-out page `render()` builds, rendered once per worker for each locale and URL, with this
    request's CSRF token put in."""
    # The sign-in page is the rush's most requested page and the same for everyone but the token: its
    # form, chrome and strings cost most of the request. Nothing another worker does changes it (the
    # templates, catalogues and static versions only change with a restart). Flashed messages are one
    # visitor's: such a page is rendered afresh.
    token = generate_csrf()
    if session.get("_flashes"):
        return render()
    page = kept((name, str(get_locale()), request.script_root, request.full_path),
                lambda: render().replace(token, _TOKEN_SLOT), store="saishi.signed_out_pages", limit=PAGES_KEPT)
    return page.replace(_TOKEN_SLOT, token)


def content_disposition(filename: str) -> str:
    """An attachment header that every browser reads: ASCII fallback plus RFC 5987 `filename*` in UTF-8."""
    name = download_safe_name(filename)
    fallback = "".join(char if 32 <= ord(char) < 127 and char not in '"\\;%' else "_" for char in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(content: bytes, filename: str, mimetype: str, *, private: bool = True) -> Response:
    """`content` as a file download named `filename`; private (no-store) unless said otherwise."""
    response = send_file(io.BytesIO(content), mimetype=mimetype, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(filename)
    return no_store(response) if private else response


def xlsx_download(content: bytes, filename: str, *, private: bool = True) -> Response:
    """A workbook download; workbooks hold personal data, so they are never cached unless said otherwise."""
    return download(content, filename, XLSX_MIMETYPE, private=private)


def int_arg(name: str, default: int | None = None, *, source=None, minimum: int = 0,
            strict: bool = True) -> int | None:
    """An optional whole number from the query string (or `source`); anything else is a clean 400, or
    the default when not `strict` (page numbers in links people edit by hand)."""
    from app.errors import abort_with

    raw = (source if source is not None else request.args).get(name, "")
    raw = raw.strip() if isinstance(raw, str) else ""
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or not minimum <= int(raw) <= INTEGER_LIMIT:  # ids and pages are database integers
        if not strict:
            return default
        abort_with(400, _("参数无效。"))
    return int(raw)


# A public live state (the same body for everyone at one URL): browsers revalidate every poll, a
# shared cache in front (the nginx micro-cache of the README) may answer for a second.
PUBLIC_POLL_CACHE_CONTROL = "public, max-age=0, s-maxage=1"


def versioned_json(etag: str, build, *, private: bool = True, cache_control: str | None = None) -> Response:
    """A live page's state poll: 304 with no body while the client's If-None-Match holds `etag`,
    else the JSON `build()` returns, tagged with it. `build` runs only when something changed, so a
    poll of an unchanged state costs the one read that produced `etag`. Never stored by caches
    (each poll must reach the server), `private` keeps shared proxies out of per-person states;
    `cache_control` replaces both (PUBLIC_POLL_CACHE_CONTROL for a public state)."""
    response = Response(status=304) if request.if_none_match.contains(etag) else jsonify(build())
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control or (("private, " if private else "") + "no-cache")
    return response


class NotModifiedBeforeFlask:
    """WSGI middleware answering a public state poll before Flask: no session cookie, user, catalogue
    or request hooks, one read on a pooled connection (a hall of phones polling every second should
    cost about a bare response each).

    `match(path, query)` picks the requests it answers (no I/O; None: not one of them) and
    `current_etag(connection, key)` reads the current ETag (None: unknown, let the app answer). A poll
    whose If-None-Match is current gets a bare 304. A poll of a state that changed gets the 200 this
    worker's app already answered for that ETag, replayed (`remember` bodies, last first): the ETag
    names the version, so the 300 phones that fetch the next contestant within a second cost one
    build, and nothing needs clearing when the state changes. Anything else, and a database that does
    not answer, go on to the app, whose view answers the same way (versioned_json with the same ETag
    and `cache_control`); a 200 it answers is remembered only if it is tagged with the ETag read here
    and sets no cookie."""

    def __init__(self, app, wsgi_app, match, current_etag, cache_control: str, *, remember: int = 32):
        self.app, self.wsgi_app = app, wsgi_app
        self.match, self.current_etag, self.cache_control = match, current_etag, cache_control
        self.engine = None
        self.headers = None
        self.remember = remember
        self.answers: OrderedDict[tuple, tuple[str, list, bytes]] = OrderedDict()  # (key, etag): (status, headers, body)
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        key = self.match(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        if key is None:
            return self.wsgi_app(environ, start_response)
        if self.engine is None:
            with self.app.app_context():
                engine = db.engine
            # A server database answers the one read in autocommit: one round trip, no BEGIN and
            # ROLLBACK (SQLite's transactions are the app's own, app/database.py: a deferred BEGIN).
            self.engine = engine if engine.dialect.name == "sqlite" else engine.execution_options(
                isolation_level="AUTOCOMMIT")
            self.headers = [("Cache-Control", self.cache_control), *security_headers(self.app)]
        try:
            with reads_only(), self.engine.connect() as connection:
                etag = self.current_etag(connection, key)
        except Exception:  # the app's own view answers (or reports) it
            return self.wsgi_app(environ, start_response)
        if etag is None:
            return self.wsgi_app(environ, start_response)
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains(etag):
            start_response("304 Not Modified", [("ETag", quote_etag(etag)), *self.headers])
            return []
        with self.lock:
            answer = self.answers.get((key, etag))
            if answer is not None:
                self.answers.move_to_end((key, etag))
        if answer is not None:
            status, headers, body = answer
            start_response(status, list(headers))
            return [body]
        return self._answer_and_remember(environ, start_response, key, etag)

    def _answer_and_remember(self, environ, start_response, key, etag: str):
        """The app's answer, kept for the next poll of `etag` if it is a cookie-free 200 tagged `etag`."""
        seen = {}

        def recording(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, recording)
        headers = seen.get("headers") or []
        names = {name.lower(): value for name, value in headers}
        if (not self.remember or not seen.get("status", "").startswith("200 ") or "set-cookie" in names
                or names.get("etag") != quote_etag(etag)):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        kept = [(name, value) for name, value in headers if name.lower() != "date"]
        with self.lock:
            self.answers[key, etag] = (seen["status"], kept, body)
            while len(self.answers) > self.remember:
                self.answers.popitem(last=False)
        return [body]
