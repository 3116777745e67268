"""The member roster (人员名册): people, their unit and branch, staff accounts, import and export.

services.py the roster rules (staff ID is the key; liaisons act only within their unit) ·
importing.py the all-or-nothing roster import · fields.py cell parsers for names, mobiles, statuses ·
exports.py the roster and initial-password workbooks · password_sheets.py private, expiring
password sheets · views/ the pages (map in views/__init__.py) · cli.py `flask members import|export`.
"""


def init_app(app) -> None:
    """Register the roster pages, their menu entry, the audit labels and `flask members`."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from app.members import password_sheets
    from app.members.cli import members_cli
    from app.members.views import bp

    app.register_blueprint(bp)
    hooks.add_housekeeping(app, "members.expired_password_sheets", password_sheets.purge_expired)
    hooks.add_navigation(app, "members.index", _l("人员名册"), order=800)
    hooks.add_audit_labels(app, {
        "members.imported": _l("导入名册"),
        "member.created": _l("新增人员"),
        "member.updated": _l("修改人员信息"),
        "member.deactivated": _l("停用人员"),
        "member.activated": _l("恢复人员"),
        "staff.created": _l("新建工作人员账号"),
    }, {"User": _l("人员")})
    app.cli.add_command(members_cli)
