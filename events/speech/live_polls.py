"""The public state polls answered before Flask: a big screen's or an audience phone's poll of
/speech/rounds/<id>/state or /speech/rounds/<id>/watch/state whose If-None-Match names the view's
current version gets its 304 from one indexed read on a pooled connection (no session, user or
request hooks), and a poll of a changed state the 200 this worker already built for that version;
anything else goes on to the views in events/speech/views/live.py, which answer with the same ETag
and Cache-Control."""
import re
from urllib.parse import parse_qs

from app.common.http import PUBLIC_POLL_CACHE_CONTROL, NotModifiedBeforeFlask
from events.speech.services.state import AUDIENCE, SCREEN, VIEW_COLUMNS, state_etag

# Ids as the database holds them (up to 9 digits here; anything longer goes to the app, which answers).
_PATH = re.compile(r"/speech/rounds/([1-9][0-9]{0,8})/(watch/)?state")


def _version_sql(view: str, paramstyle: str) -> str:
    """The view's version read as the driver's own SQL (no statement compiling or caching per poll)."""
    column = VIEW_COLUMNS[view]
    marker = "?" if paramstyle == "qmark" else "%s"
    return f"SELECT {column.key} FROM {column.class_.__tablename__} WHERE id = {marker}"


def public_state_polls(app, wsgi_app) -> NotModifiedBeforeFlask:
    """Wrap `wsgi_app` so the public state polls that are current get their 304 before Flask."""
    from events.speech.views.live import public_locale

    languages, default = app.config["SAISHI_LANGUAGES"], app.config["BABEL_DEFAULT_LOCALE"]

    def match(path: str, query: str):
        found = _PATH.fullmatch(path)
        if found is None:
            return None
        lang = parse_qs(query).get("lang", [None])[-1] if query else None
        return int(found[1]), AUDIENCE if found[2] else SCREEN, public_locale(lang, languages, default)

    versions = {}

    def current_etag(connection, key) -> str | None:
        round_id, view, locale = key
        sql = versions.get(view)
        if sql is None:
            sql = versions[view] = _version_sql(view, connection.dialect.paramstyle)
        version = connection.exec_driver_sql(sql, (round_id,)).scalar()
        return None if version is None else state_etag(round_id, version, view, locale)

    return NotModifiedBeforeFlask(app, wsgi_app, match, current_etag, PUBLIC_POLL_CACHE_CONTROL)
