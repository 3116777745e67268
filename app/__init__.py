"""Saishi application factory: create_app() assembles the app from small register_* steps."""
from pathlib import Path

from flask import Flask

from app.config import check_production_config, load_config

# Feature packages, in the order their navigation and sections are registered. Each exposes
# init_app(app); create_app({"FEATURES": (...)}) builds the platform with fewer (or none).
DEFAULT_FEATURES = ("quizzes", "events")


def create_app(overrides: dict | None = None, *, instance_path: str | Path | None = None) -> Flask:
    """Build the app; `instance_path` (default: <project>/instance) holds the secret key and SQLite file."""
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path or Path(__file__).resolve().parent.parent / "instance").resolve()),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    check_production_config(app)

    register_extensions(app)
    register_platform(app)
    register_features(app)
    register_data_versions(app)  # after the features: their tables are known
    register_request_hooks(app)
    register_templating(app)
    register_error_handlers(app)
    register_proxy_fix(app)  # outermost: the layers answering before Flask see the visitor's address too
    return app


def register_proxy_fix(app: Flask) -> None:
    """Behind SAISHI_PROXY_COUNT reverse proxies, take the visitor's address and scheme from them."""
    hops = app.config.get("SAISHI_PROXY_COUNT", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table known before migrations or create_all)
    from app.database import register_database
    from app.extensions import csrf, login_manager, migrate
    from app.hooks import init_hooks
    from app.i18n import register_i18n

    init_hooks(app)
    register_database(app)
    from app.common.signing import CachedSessionInterface
    from app.extensions import db

    app.session_interface = CachedSessionInterface()

    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    register_i18n(app)

    from app.accounts.services import load_user, request_session_identifier

    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    # The same identifier as Flask-Login's own, from one function a request answered before Flask uses too.
    login_manager._session_identifier_generator = request_session_identifier

    from app.common import jobs

    jobs.init_app(app)
    login_manager.login_view = "auth.login"
    # "basic", not "strong": a phone moving from Wi-Fi to mobile data changes address mid-quiz.
    login_manager.session_protection = "basic"


def register_platform(app: Flask) -> None:
    """The platform's own packages plug in exactly as features do, each through its init_app."""
    from app import accounts, audit, campaigns, demo, jobs, members, participation, units
    from app import core_views as core

    for package in (core, accounts, members, units, campaigns, participation, audit, jobs, demo):
        package.init_app(app)


def register_features(app: Flask) -> None:
    """Call each feature's init_app in order; the only place app/ imports a feature package."""
    from importlib import import_module

    from app.hooks import hooks_of

    for name in app.config.get("FEATURES", DEFAULT_FEATURES):
        import_module(name).init_app(app)
        hooks_of(app).features.append(name)


def register_data_versions(app: Flask) -> None:
    from app.common import data_versions

    data_versions.register_data_versions(app)


def register_request_hooks(app: Flask) -> None:
    from app.accounts.services import register_password_change_gate
    from app.common.access import register_access_guard
    from app.common.inputs import register_input_boundary
    from app.security import register_json_body_check, register_security_headers

    register_json_body_check(app)
    register_access_guard(app)
    register_input_boundary(app)  # after the access guard: signed-out visitors are sent to sign in first
    register_password_change_gate(app)
    register_security_headers(app)


def register_templating(app: Flask) -> None:
    from app.common.assets import register_static_versions
    from app.templating import register_template_helpers

    register_template_helpers(app)
    register_static_versions(app)


def register_error_handlers(app: Flask) -> None:
    from app.errors import register_errors

    register_errors(app)
