"""The output side's registration: the participation pages, their menu entry, the campaign-page section,
the audit labels and the template filter they share."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app import hooks
from app.common.access import Role


def percent(value: Decimal | None) -> str:
    """Decimal("85.0") -> 85.0%; None (nobody expected) -> —."""
    from app.participation.presenting import percent_text

    return percent_text(value)


def campaign_section(campaign, user) -> dict | None:
    """Links from a campaign's page to its figures: every unit for organisers, their own for a liaison."""
    if user.has_role(Role.ORGANISER):
        return {"campaign": campaign, "unit_id": None}
    unit_id = user.liaison_unit_id if user.has_role(Role.LIAISON) else None
    return {"campaign": campaign, "unit_id": unit_id} if unit_id else None


def init_pages(app) -> None:
    """Register the dashboard, ranking, drill-down, chase list, notice and workbook pages."""
    from app.participation.dashboard_views import bp
    from app.participation.pages_demo import load_demo_participation

    app.register_blueprint(bp)
    app.add_template_filter(percent, "pt_percent")
    hooks.add_navigation(app, "stats.index", _l("参与统计"), order=790)
    hooks.add_campaign_section(app, "participation/_campaign_section.html", campaign_section, order=10)
    hooks.add_demo_loader(app, load_demo_participation, last=True)
    hooks.add_audit_labels(app, {
        "participation.exported": _l("导出参与情况（含手机号）"),
        "participation.notice_downloaded": _l("下载情况通报"),
    })
