"""Home, health check and language switch."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.common.access import login_required, public
from app.extensions import db
from app.security import is_safe_redirect
from app.units.models import Unit

bp = Blueprint("core", __name__)


# ---------------------------------------------------------------- home page

@dataclass(frozen=True)
class HomeSection:
    template: str
    context: Callable | None = None  # context(user) -> dict, or None to hide the section


# Sections other features add to the home page, shown in registration order below the built-in parts
# (current campaign, own unit, headline figures). Register once, at import time of your package:
#     register_home_section("quizzes/_home_section.html", lambda user: {"quizzes": open_quizzes(user)} or None)
# The template sees the page context plus `section`, the dict its context function returned.
HOME_SECTIONS: list[HomeSection] = []


def register_home_section(template: str, context: Callable | None = None) -> None:
    """Add a section to the home page (registering the same template again replaces it)."""
    HOME_SECTIONS[:] = [section for section in HOME_SECTIONS if section.template != template]
    HOME_SECTIONS.append(HomeSection(template, context))


def home_sections(user) -> list[tuple[str, dict]]:
    """(template, section data) for each registered home section with something to show `user`."""
    shown = []
    for section in HOME_SECTIONS:
        data = section.context(user) if section.context else {}
        if data is not None:
            shown.append((section.template, data))
    return shown


@bp.get("/")
@login_required
def home():
    from app.campaigns import services as campaigns
    from app.units import services as units

    today = campaigns.local_today()
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
        sections=home_sections(current_user),
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
