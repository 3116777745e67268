"""Meetings and QR check-in (三会一课 与扫码签到): events per campaign, a rotating venue code that
survives a login, personal member codes scanned by stewards, leave, exemptions and attendance.

models.py the tables · services/ the rules (map in services/__init__.py) · forms.py · views/ one
child blueprint per area (manage, display, scan, desk) · sections.py what check-in shows elsewhere.
"""


def init_app(app) -> None:
    """Plug check-in into the platform: blueprint, menu entries, the stewards' home section, the
    unit-deletion check, audit labels."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from events.checkin import sections
    from events.checkin.att_plugin import register_attendance
    from events.checkin.views import build_blueprint
    from events.checkin.views.areas import register_areas

    parent = build_blueprint()
    register_areas(parent)  # attendance, leave, calendar, records (the attendance side)
    app.register_blueprint(parent)
    hooks.add_navigation(app, "checkin.manage.index", _l("签到活动"), order=300)
    hooks.add_navigation(app, "checkin.scan.my_code", _l("我的签到码"), order=310)
    hooks.add_home_section(app, "checkin/_home_section.html", sections.home_section, order=50)
    hooks.add_unit_deletion_check(app, sections.events_naming_unit)
    hooks.add_audit_labels(app, {
        "checkin.event.created": _l("新建签到活动"),
        "checkin.event.updated": _l("修改签到活动"),
        "checkin.event.cancelled": _l("取消签到活动"),
        "checkin.event.restored": _l("恢复签到活动"),
        "checkin.static_withdrawn": _l("作废固定签到码"),
        "checkin.steward.added": _l("指定签到员"),
        "checkin.steward.removed": _l("取消签到员"),
        "checkin.manual": _l("手工签到"),
        "checkin.paper": _l("录入纸质签到"),
        "checkin.annulled": _l("作废签到记录"),
        "checkin.member_code_reissued": _l("重新生成个人签到码"),
    }, {"CheckinEvent": _l("签到活动")})
    register_attendance(app)  # its menu entries, sections, audit labels, participation, demo
