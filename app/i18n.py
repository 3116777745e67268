"""Language choice: the user's setting, else the session's, else Accept-Language, else Chinese."""
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_translations
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


def _translations():
    """The request's catalogue, looked up once per request (the locale is fixed for the request)."""
    try:
        return g._saishi_translations
    except AttributeError:
        translations = g._saishi_translations = get_translations()
        return translations


def register_i18n(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel's template gettext finds the domain, the locale and the catalogue again for every
    # string (~7 µs each, a hundred per answering page); the catalogue is the same all request long.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
