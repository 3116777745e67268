"""The input side's registration (exemptions and offline participation): pages, menu, audit labels."""
from flask_babel import lazy_gettext as _l

from app import hooks


def init_input(app) -> None:
    """Register the exemption and offline-participation pages, their menu entries and audit labels."""
    from app.participation.input_views import bp

    app.register_blueprint(bp)
    hooks.add_navigation(app, "participation_input.offline_list", _l("线下参与"), order=760)
    hooks.add_navigation(app, "participation_input.exemption_list", _l("免计申请"), order=770)
    hooks.add_audit_labels(app, {
        "participation.exemption.entered": _l("申请免计"),
        "participation.exemption.updated": _l("修改免计申请"),
        "participation.exemption.deleted": _l("撤回免计申请"),
        "participation.exemption.approved": _l("批准免计"),
        "participation.exemption.rejected": _l("不批准免计"),
        "participation.offline.entered": _l("录入线下参与"),
        "participation.offline.imported": _l("导入线下参与"),
        "participation.offline.updated": _l("修改线下参与"),
        "participation.offline.deleted": _l("撤回线下参与"),
        "participation.offline.approved": _l("批准线下参与"),
        "participation.offline.rejected": _l("不批准线下参与"),
    }, {"ParticipationExemption": _l("免计申请"), "OfflineParticipation": _l("线下参与记录")})
