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
    return request.accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def register_i18n(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
