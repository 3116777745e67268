"""Home, health check and language switch."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.common import clock
from app.common.access import login_required, public
from app.extensions import db
from app.hooks import hooks_of, sections_with_data
from app.security import is_safe_redirect, security_headers
from app.units.models import Unit

bp = Blueprint("core", __name__)


# ---------------------------------------------------------------- home page

@bp.get("/")
@login_required
def home():
    from app.campaigns import services as campaigns
    from app.units import services as units

    today = clock.local_today()
    campaign = campaigns.current_campaign(today)
    liaison_unit = None
    if current_user.liaison_unit_id is not None:
        liaison_unit = db.session.get(Unit, current_user.liaison_unit_id)
    return render_template(
        "home.html",
        today=today,
        campaign=campaign,
        campaign_status=campaigns.campaign_status(campaign, today) if campaign else None,
        phase=campaigns.current_phase(campaign, today) if campaign else None,
        figures=units.headline_figures() if current_user.is_organiser else None,
        liaison_unit=liaison_unit,
        liaison_headcount=units.unit_headcount(liaison_unit) if liaison_unit else None,
        sections=sections_with_data(hooks_of().home_sections, current_user),
    )


@bp.get("/healthz")
@public
def healthz():
    # Load balancers ask every few seconds: one round trip on a pooled connection, a fixed body.
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").scalar_one()
    except Exception:
        current_app.logger.exception("Health check: database unreachable")
        return jsonify(status="error", db="unreachable"), 503
    return current_app.response_class(HEALTHY, mimetype="application/json")


HEALTHY = b'{"db":"ok","status":"ok"}\n'


def database_answers(engine) -> None:
    """One SELECT 1 on a pooled connection, straight at the driver; raises when the database does not answer."""
    # No SQLAlchemy Connection, and on a server database autocommit for the one statement: no BEGIN
    # before it nor ROLLBACK after it, one round trip instead of three (on PostgreSQL the Connection and
    # its transaction cost more than half of the check). SQLite's connections run in autocommit already
    # (app/database.py lets SQLAlchemy issue BEGIN itself), and nothing here begins one.
    fairy = engine.pool.connect()
    try:
        raw = fairy.dbapi_connection
        server = engine.dialect.name != "sqlite"
        if server:
            raw.autocommit = True
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            cursor.close()
        finally:
            if server:
                raw.autocommit = False
    except Exception:
        fairy.invalidate()  # a connection that failed is not handed out again
        raise
    finally:
        fairy.close()


class HealthCheck:
    """WSGI middleware answering a healthy GET /healthz itself: one round trip on a pooled connection
    (database_answers) and the fixed body, with the headers every response carries, but no session
    cookie, user, catalogue or request hooks (a load balancer asks every few seconds, and it should cost
    about a bare response). Anything else, and a database that does not answer, goes on to the app (the
    view above logs it and answers 503)."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.engine = None
        self.headers = None

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/healthz" or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        if self.engine is None:
            with self.app.app_context():
                self.engine = db.engine
            self.headers = [("Content-Type", "application/json"), ("Content-Length", str(len(HEALTHY))),
                            *security_headers(self.app)]
        try:
            database_answers(self.engine)
        except Exception:  # the app's own view reports it, logged, as 503
            return self.wsgi_app(environ, start_response)
        start_response("200 OK", list(self.headers))
        return [HEALTHY]


@bp.post("/language")
@public
def set_language():
    code = request.form.get("locale", "")
    if code in current_app.config["SAISHI_LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    target = request.form.get("next", "")
    if not is_safe_redirect(target):
        target = url_for("core.home")
    return redirect(target)


def init_app(app) -> None:
    """Register the home page, health check and language switch, and the 首页 menu entry."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from app.common import warm_up

    app.register_blueprint(bp)
    app.wsgi_app = HealthCheck(app, app.wsgi_app)
    warm_up.init_app(app)
    hooks.add_navigation(app, "core.home", _l("首页"), order=0)
