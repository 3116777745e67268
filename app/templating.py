"""Jinja globals and filters shared by every template."""
from datetime import datetime

from flask import current_app, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app.common.access import Role, access_rule_for
from app.common.worker_memo import kept
from app.hooks import hooks_of


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Stored naive UTC shown in Asia/Shanghai."""
    return format_datetime(value, fmt) if value else ""


def duration(seconds: float | int | None) -> str:
    """Seconds as m:ss or h:mm:ss."""
    if seconds is None:
        return ""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def time_spent(seconds: float | int | None) -> str:
    """Time taken, in words that cannot be misread as a clock time: 17秒, 12分03秒, 1小时02分03秒."""
    if seconds is None:
        return ""
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)s小时%(m)s分%(s)s秒", h=hours, m=f"{minutes:02d}", s=f"{secs:02d}")
    if minutes:
        return _("%(m)s分%(s)s秒", m=minutes, s=f"{secs:02d}")
    return _("%(s)s秒", s=secs)


def unbroken(value) -> Markup:
    """A date or time kept on one line: a narrow phone wraps around it, never through it."""
    return Markup('<span class="nowrap">%s</span>') % value


def in_brackets(value) -> Markup:
    """A parenthetical in the reader's language: （x） in Chinese, " (x)" in English."""
    return Markup(_("（%(text)s）", text=escape(value)))


def join_list(values) -> str:
    """Items joined as the reader's language lists them: 甲、乙 in Chinese, "a, b" in English."""
    return _("、").join(str(value) for value in values)


def can_visit(endpoint: str) -> bool:
    """Whether the current user passes the declared access rule of `endpoint` (for navigation)."""
    rule = access_rule_for(endpoint)
    if rule is None:
        return False
    if rule == "public":
        return True
    if not current_user.is_authenticated:
        return False
    return "authenticated" in rule or current_user.has_any_role(rule)


def navigation() -> list[tuple[str, str]]:
    """The main menu: the entries packages registered (hooks.add_navigation) that this user may visit."""
    return [(item.endpoint, item.label) for item in hooks_of().navigation if can_visit(item.endpoint)]


FRAGMENTS_KEPT = 2_000  # rendered fragments per worker (a few locales × sets of roles × pages); forgotten at once when full


def _kept(key: tuple, build) -> Markup:
    """The fragment `build()` renders, kept per worker under `key` (a key holding everything it depends on)."""
    # Nothing another worker does changes such a fragment: the templates, catalogues and navigation only
    # change with a restart.
    return kept(key, build, store="saishi.fragments", limit=FRAGMENTS_KEPT)


def main_menu() -> Markup:
    """The main menu's links for this user, the current page marked (templates/_main_menu.html)."""
    # Every page of a signed-in user shows it, and building it checks the access rule of every entry
    # (about 30) against the user's roles and looks up each label and URL: a quarter of a member's
    # answering page. What it shows depends only on the locale, the roles, the page and the mount point.
    roles = frozenset(current_user.roles) if current_user.is_authenticated else None
    endpoint = request.endpoint

    def build() -> Markup:
        template = current_app.jinja_env.get_template("_main_menu.html")
        return Markup(template.render(links=navigation(), current=endpoint))

    return _kept(("menu", str(get_locale()), roles, endpoint, request.script_root), build)


def per_locale(name: str) -> Markup:
    """The template `name`, which shows only fixed text and URLs, rendered once per worker and locale."""
    # The answering page's messages for its script are two dozen translated strings on every open.
    def build() -> Markup:
        return Markup(current_app.jinja_env.get_template(name).render())

    return _kept((name, str(get_locale()), request.script_root), build)


def register_template_helpers(app) -> None:
    from app.common.forms import use_fast_html_params

    use_fast_html_params()
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["time_spent"] = time_spent
    app.jinja_env.filters["in_brackets"] = in_brackets
    app.jinja_env.filters["unbroken"] = unbroken
    app.jinja_env.filters["join_list"] = join_list
    app.jinja_env.globals.update(navigation=navigation, main_menu=main_menu, per_locale=per_locale,
                                  can_visit=can_visit, Role=Role, url_for=url_for)
    app.jinja_env.add_extension("jinja2.ext.i18n")  # {% trans %} blocks; Flask-Babel installs gettext

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale() or "zh")}
