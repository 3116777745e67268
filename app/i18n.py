"""Language choice: the user's setting, else the session's, else Accept-Language, else Chinese."""
from flask import current_app, has_request_context, request, session
from flask_login import current_user

from app.extensions import babel


def select_locale() -> str:
    config = current_app.config
    if not has_request_context():
        return config["BABEL_DEFAULT_LOCALE"]
    languages = config["SAISHI_LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return browser_language(languages) or config["BABEL_DEFAULT_LOCALE"]


def browser_language(languages) -> str | None:
    """The supported language the browser ranks highest ("en-GB,zh;q=0.5" is English), or None.

    werkzeug's best_match prefers any exact tag over a higher-ranked regional one, so it is not used.
    """
    for value, _quality in request.accept_languages:  # highest quality first
        primary = value.replace("_", "-").split("-", 1)[0].lower()
        if primary in languages:
            return primary
    return None


def register_i18n(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
