"""Participation across a campaign (全覆盖, issue 14): who took part in each activity, per unit and branch.

models.py the membership history (member_periods), per-campaign figure settings, daily snapshots ·
figures.py the result objects · history.py record_membership, the roster's history writer ·
services.py the engine (campaign_figures, headcount, unit_members, chase_list, …) · tally/ where each
member stands and what they are credited with, from parts kept per data version (reading.py what is
read, parts.py the roster, the credits and their counts) · attendance.py the attendance figures' rows,
kept until the next meeting starts and carried over a roster write ·
settings.py per-campaign figure settings · snapshots.py daily snapshots · views.py, forms.py the
settings page · cli.py `flask participation snapshot` · freshness.py the writes that move a figure
(the data version the figures are kept under).
Input side: exemptions.py 免计 and offline.py offline participation (rules and the engine's selects) ·
offline_import.py the xlsx import · input_forms.py, input_views.py their pages · input_plugin.py
their registration.
Output side: presenting.py how figures are shown (sorting, charts, chase messages) · dashboard_views.py
the dashboard, ranking, drill-down, chase list, notice and workbook pages · exports.py the workbook ·
notice.py the 情况通报 (print page and .docx) · pages_demo.py the demo's figures · pages_plugin.py
their registration.
"""


def init_app(app) -> None:
    """Register the settings page, the audit labels, the daily snapshot and `flask participation`."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from app.common import data_versions
    from app.participation import freshness, views
    from app.participation.cli import participation_cli
    from app.participation.snapshots import snapshot_running_campaigns, warm_running_campaigns

    app.register_blueprint(views.bp)
    def providers():
        return hooks.hooks_of(app).participation_providers

    data_versions.watch(app, freshness.FIGURES_DATA, lambda: freshness.figure_tables(providers()))
    data_versions.watch(app, freshness.ATTENDANCE_DATA, lambda: freshness.attendance_tables(providers()))
    data_versions.watch(app, freshness.PEOPLE_DATA, freshness.people_tables)
    data_versions.log_keys(app, freshness.PEOPLE_DATA, freshness.people_keys())  # a move re-reads the mover only
    data_versions.watch(app, freshness.OFFLINE_DATA, freshness.offline_tables)
    data_versions.watch_each(app, "participation.figures", lambda: freshness.each_figure_tables(providers()))
    hooks.add_housekeeping(app, "participation.daily_snapshot", snapshot_running_campaigns)
    hooks.add_warm_up(app, "participation.running_campaigns", warm_running_campaigns)
    app.cli.add_command(participation_cli)
    hooks.add_audit_labels(app, {
        "participation.settings_saved": _l("保存参与统计设置"),
    }, {"ParticipationSetting": _l("参与统计设置")})

    from app.participation.input_plugin import init_input
    from app.participation.pages_plugin import init_pages

    init_input(app)  # exemptions and offline participation (stats-input)
    init_pages(app)  # dashboard, ranking, drill-down, chase list, notice, workbook (stats-pages)
