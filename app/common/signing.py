"""The session cookie and the CSRF token, signed and checked with serializers built once per key.

Flask builds a URLSafeTimedSerializer for the session cookie on every request, and Flask-WTF another
for the CSRF token on every POST; on the autosave path that is a few per cent of the request. The
serializers only depend on the secret key (and its fallbacks), so they are kept per key: a changed
SECRET_KEY makes new ones, and nothing another worker would need to know is kept.

A phone sends the same cookie and the same CSRF token with every autosave of a page, so each worker
also remembers the signatures it has verified (VerifiedSigner): the HMAC of a cookie it has already
checked is not computed again. Only a signature that verified is kept, under the keys, salt and
method it verified with, so a changed key verifies afresh; the timestamp and its age are checked on
every request as before, and the payload is decoded every time (a view may change what it reads).

The checks themselves (cookie_data, check_csrf_token, csrf_origin_problem, header_csrf_token) are plain
functions of the values they look at, so a request answered before Flask (app/common/signed_in_json.py)
applies exactly the rules the Flask path applies.
"""
import hmac

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect, logger, same_origin
from itsdangerous import BadData, BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes
from wtforms import ValidationError

VERIFIED_SIGNATURES_KEPT = 20_000  # per worker: about 4 MB; forgotten all at once when full
_verified: dict[tuple, bool] = {}  # (keys, salt, derivation, digest, value, signature) of verified signatures


class VerifiedSigner(TimestampSigner):
    """itsdangerous' TimestampSigner, remembering the signatures it has verified in this worker."""

    def verify_signature(self, value, sig) -> bool:
        key = (tuple(self.secret_keys), self.salt, self.key_derivation, self.digest_method,
               want_bytes(value), want_bytes(sig))
        if key in _verified:
            return True
        if not super().verify_signature(value, sig):
            return False
        if len(_verified) >= VERIFIED_SIGNATURES_KEPT:
            _verified.clear()
        _verified[key] = True
        return True


PAYLOADS_KEPT = 20_000  # per worker, like the signatures: forgotten all at once when full
_IMMUTABLE = (str, int, float, bool, type(None))


def _remembering_payloads(load_payload):
    """`load_payload` of a serializer, remembering what each verified payload decoded to when that is a
    string or a mapping of plain values (a session cookie, a CSRF token): the same cookie arrives with
    every autosave of a page, and decoding it (base64, zlib, tagged JSON) was a tenth of the request.
    Each caller gets its own copy; anything holding a list or a mapping inside is decoded every time."""
    decoded: dict[bytes, object] = {}

    def load(payload, *args, **kwargs):
        if args or kwargs:
            return load_payload(payload, *args, **kwargs)
        key = want_bytes(payload)
        if key in decoded:
            value = decoded[key]
            return dict(value) if isinstance(value, dict) else value
        value = load_payload(payload)
        if isinstance(value, str) or (isinstance(value, dict) and all(
                isinstance(item, _IMMUTABLE) for item in value.values())):
            if len(decoded) >= PAYLOADS_KEPT:
                decoded.clear()
            decoded[key] = dict(value) if isinstance(value, dict) else value
        return value

    return load


class CachedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per secret key."""

    def open_session(self, app, request):
        if self.get_signing_serializer(app) is None:
            return None
        return self.session_class(self.cookie_data(app, request.cookies.get(self.get_cookie_name(app))))

    def cookie_data(self, app, value) -> dict:
        """What a session cookie carries if its signature holds and it is not older than the session
        lifetime, else nothing (signed out): Flask's own open_session rule."""
        serializer = self.get_signing_serializer(app)
        if serializer is None or not value:
            return {}
        try:
            return serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return {}

    def __init__(self):
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                serializer.signer = VerifiedSigner
                serializer.load_payload = _remembering_payloads(serializer.load_payload)
            self._serializers[key] = serializer
        return serializer


_csrf_serializers: dict[str, URLSafeTimedSerializer] = {}


def _csrf_serializer(secret_key) -> URLSafeTimedSerializer:
    serializer = _csrf_serializers.get(secret_key)
    if serializer is None:
        serializer = _csrf_serializers[secret_key] = URLSafeTimedSerializer(
            secret_key, salt="wtf-csrf-token", signer=VerifiedSigner)
        serializer.load_payload = _remembering_payloads(serializer.load_payload)
    return serializer


def validate_csrf(data) -> None:
    """Flask-WTF's validate_csrf with the app's settings, its serializer kept per key."""
    check_csrf_token(current_app.config, current_app.secret_key, session, data)


def check_csrf_token(config, secret_key, session_data, data) -> None:
    """Raise ValidationError unless `data` is a valid CSRF token for the session holding `session_data`."""
    field_name = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field_name not in session_data:
        raise ValidationError("The CSRF session token is missing.")
    serializer = _csrf_serializer(config.get("WTF_CSRF_SECRET_KEY") or secret_key)
    try:
        token = serializer.loads(data, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600))
    except SignatureExpired as error:
        raise ValidationError("The CSRF token has expired.") from error
    except BadData as error:
        raise ValidationError("The CSRF token is invalid.") from error
    if not hmac.compare_digest(session_data[field_name], token):
        raise ValidationError("The CSRF tokens do not match.")


def csrf_origin_problem(config, secure: bool, referrer: str | None, host: str) -> str | None:
    """Over HTTPS (with WTF_CSRF_SSL_STRICT), why the Referer does not show a same-site page; else None."""
    if not (secure and config["WTF_CSRF_SSL_STRICT"]):
        return None
    if not referrer:
        return "The referrer header is missing."
    if not same_origin(referrer, f"https://{host}/"):
        return "The referrer does not match the host."
    return None


def header_csrf_token(config, header):
    """The CSRF token sent in the first of WTF_CSRF_HEADERS that has one (`header(name)` reads a header)."""
    for name in config["WTF_CSRF_HEADERS"]:
        token = header(name)
        if token:
            return token
    return None


class CachedCSRFProtect(CSRFProtect):
    """CSRFProtect, checking tokens with validate_csrf above (the rest is Flask-WTF's own protect())."""

    def protect(self, apply_exemptions=False):
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as error:
            logger.info(error.args[0])
            self._error_response(error.args[0])
        problem = csrf_origin_problem(current_app.config, request.is_secure, request.referrer, request.host)
        if problem:
            self._error_response(problem)
        g.csrf_valid = True

    def _get_csrf_token(self):
        field_name = current_app.config["WTF_CSRF_FIELD_NAME"]
        token = request.form.get(field_name)
        if token:
            return token
        for key in request.form:  # a form with a prefix names it {prefix}-csrf_token
            if key.endswith(field_name) and request.form[key]:
                return request.form[key]
        return header_csrf_token(current_app.config, request.headers.get)
