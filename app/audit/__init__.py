"""The audit log: append-only entries (services.record) and the administrators' viewer.

Each package names its own action codes through hooks.add_audit_labels in its init_app.
"""


def init_app(app) -> None:
    """Register the audit viewer and its menu entry."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from app.audit.views import bp

    app.register_blueprint(bp)
    hooks.add_navigation(app, "audit.index", _l("审计日志"), order=900)
