"""Participation across a campaign (全覆盖, issue 14): who took part in each activity, per unit and branch.

models.py the membership history (member_periods), per-campaign figure settings, daily snapshots ·
figures.py the result objects · history.py record_membership, the roster's history writer ·
services.py the engine (campaign_figures, headcount, unit_members, chase_list, …) ·
settings.py per-campaign figure settings · snapshots.py daily snapshots · views.py, forms.py the
settings page · cli.py `flask participation snapshot`.
"""


def init_app(app) -> None:
    """Register the settings page, the audit labels, the daily snapshot and `flask participation`."""
    from flask_babel import lazy_gettext as _l

    from app import hooks

    hooks.add_audit_labels(app, {
        "participation.settings_saved": _l("保存参与统计设置"),
    }, {"ParticipationSetting": _l("参与统计设置")})

    from app.participation.pages_plugin import init_pages

    init_pages(app)
