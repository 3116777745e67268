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
"""
import hmac

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect, logger, same_origin
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
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


class CachedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per secret key."""

    def __init__(self):
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                serializer.signer = VerifiedSigner
            self._serializers[key] = serializer
        return serializer


_csrf_serializers: dict[str, URLSafeTimedSerializer] = {}


def _csrf_serializer(secret_key) -> URLSafeTimedSerializer:
    serializer = _csrf_serializers.get(secret_key)
    if serializer is None:
        serializer = _csrf_serializers[secret_key] = URLSafeTimedSerializer(
            secret_key, salt="wtf-csrf-token", signer=VerifiedSigner)
    return serializer


def validate_csrf(data) -> None:
    """Flask-WTF's validate_csrf with the app's settings, its serializer kept per key."""
    config = current_app.config
    field_name = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field_name not in session:
        raise ValidationError("The CSRF session token is missing.")
    serializer = _csrf_serializer(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)
    try:
        token = serializer.loads(data, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600))
    except SignatureExpired as error:
        raise ValidationError("The CSRF token has expired.") from error
    except BadData as error:
        raise ValidationError("The CSRF token is invalid.") from error
    if not hmac.compare_digest(session[field_name], token):
        raise ValidationError("The CSRF tokens do not match.")


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
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True
