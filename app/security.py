"""Response headers that every page carries, and the same-site check for redirect targets."""
from urllib.parse import urlsplit

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers(app) -> list[tuple[str, str]]:
    """The headers every response carries (a view may set its own instead)."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def register_security_headers(app) -> None:
    @app.after_request
    def add_security_headers(response):
        present = response.headers
        for name, value in security_headers(app):
            if name not in present:
                present.add(name, value)
        return response


def register_json_body_check(app) -> None:
    """A JSON body must be an object: forms and JSON views read it as a mapping of fields (a body nested
    too deep to parse is refused the same way)."""
    from flask import request
    from werkzeug.exceptions import BadRequest

    @app.before_request
    def reject_malformed_json():
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json:
            try:
                body = request.get_json(silent=True)
            except RecursionError:  # nested deeper than the parser goes: not a body any view reads
                body = None
            if not isinstance(body, dict):
                raise BadRequest()
        return None


def is_safe_redirect(target: str | None) -> bool:
    """Whether `target` is a path on this site (a crafted ?next= must not send people elsewhere).

    Browsers read a backslash as a slash and drop tabs and newlines inside URLs, so a path that
    starts with a slash followed by a backslash (or a tab and a slash) means another host: any
    backslash or control character is refused outright.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
