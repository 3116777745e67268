"""Accounts: sign-in by staff ID or mobile, roles, passwords and their hashing, login throttling.

models.py users, role grants, throttle rows · services.py sign-in, password rules, the user loader
· hashing.py password hashing within bounded per-server slots · forms.py, views.py the sign-in and account pages.
"""


def init_app(app) -> None:
    """Register the sign-in pages, name the account actions in the audit log, and tidy ended
    sessions and stale throttle rows away."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from app.accounts.housekeeping import purge_ended_sessions, purge_stale_throttles
    from app.accounts.views import bp

    app.register_blueprint(bp)
    hooks.add_housekeeping(app, "accounts.ended_sessions", purge_ended_sessions)
    hooks.add_housekeeping(app, "accounts.stale_throttles", purge_stale_throttles)
    hooks.add_audit_labels(app, {
        "account.locked": _l("账号锁定"),
        "password.changed": _l("修改密码"),
        "password.reset": _l("重置密码"),
        "sessions.ended": _l("退出所有设备"),
        "roles.changed": _l("调整角色"),
    }, {"User": _l("人员")})
