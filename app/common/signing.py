"""The session cookie and the CSRF token, signed and checked with serializers built once per key.

Flask builds a URLSafeTimedSerializer for the session cookie on every request, and Flask-WTF another
for the CSRF token on every POST; on the autosave path that is a few per cent of the request. The
serializers only depend on the secret key (and its fallbacks), so they are kept per key: a changed
SECRET_KEY makes new ones, and nothing another worker would need to know is kept.
"""
import hmac

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect, logger, same_origin
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError


class CachedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per secret key."""

    def __init__(self):
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer


_csrf_serializers: dict[str, URLSafeTimedSerializer] = {}


def _csrf_serializer(secret_key) -> URLSafeTimedSerializer:
    serializer = _csrf_serializers.get(secret_key)
    if serializer is None:
        serializer = _csrf_serializers[secret_key] = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token")
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
