"""Saishi application factory: create_app() assembles the app from small register_* steps."""
from pathlib import Path

from flask import Flask

from app.config import check_production_config, load_config


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
    register_proxy_fix(app)

    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_templating(app)
    register_error_handlers(app)
    register_cli(app)
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
    from app.i18n import register_i18n

    register_database(app)
    from app.common.signing import CachedSessionInterface
    from app.extensions import db

    app.session_interface = CachedSessionInterface()

    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    register_i18n(app)

    from app.accounts.services import load_user

    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    # "basic", not "strong": a phone moving from Wi-Fi to mobile data changes address mid-quiz.
    login_manager.session_protection = "basic"


def register_blueprints(app: Flask) -> None:
    from app.accounts.views import bp as auth_bp
    from app.audit.views import bp as audit_bp
    from app.campaigns.views import bp as campaigns_bp
    from app.core_views import bp as core_bp
    from app.members.views import bp as members_bp
    from app.units.views import bp as units_bp
    from events.views import bp as events_bp
    from quizzes.views import build_blueprint as build_quizzes_blueprint

    quizzes_bp = build_quizzes_blueprint()
    for blueprint in (core_bp, auth_bp, units_bp, members_bp, campaigns_bp, audit_bp, quizzes_bp, events_bp):
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    from app.accounts.services import register_password_change_gate
    from app.common.access import register_access_guard
    from app.security import register_json_body_check, register_security_headers

    register_json_body_check(app)
    register_access_guard(app)
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


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)
