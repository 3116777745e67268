"""Response mechanics every feature shares: private pages, file downloads, query arguments."""
from __future__ import annotations

import io
from urllib.parse import quote

from flask import Response, jsonify, request, send_file
from flask_babel import gettext as _

from app.common.forms import INTEGER_LIMIT
from app.common.text import download_safe_name
from app.common.xlsx import XLSX_MIMETYPE


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


def versioned_json(etag: str, build, *, private: bool = True) -> Response:
    """A live page's state poll: 304 with no body while the client's If-None-Match holds `etag`,
    else the JSON `build()` returns, tagged with it. `build` runs only when something changed, so a
    poll of an unchanged state costs the one read that produced `etag`. Never stored by caches
    (each poll must reach the server), `private` keeps shared proxies out of per-person states."""
    response = Response(status=304) if request.if_none_match.contains(etag) else jsonify(build())
    response.set_etag(etag)
    response.headers["Cache-Control"] = ("private, " if private else "") + "no-cache"
    return response
