"""Campaigns (专项活动) and their phases; every activity (quiz, contest, …) belongs to one.

models.py campaigns and ordered phases · services.py dates, the current campaign and phase ·
views.py the campaign pages, which show each feature's registered campaign section.
"""


def init_app(app) -> None:
    """Register the campaign pages, their menu entry and their audit labels."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from app.campaigns.views import bp

    app.register_blueprint(bp)
    hooks.add_navigation(app, "campaigns.index", _l("专项活动"), order=820)
    hooks.add_audit_labels(app, {
        "campaign.created": _l("新建专项活动"),
        "campaign.updated": _l("修改专项活动"),
        "campaign.deleted": _l("删除专项活动"),
        "campaign.phase_added": _l("添加活动阶段"),
        "campaign.phase_updated": _l("修改活动阶段"),
        "campaign.phase_removed": _l("删除活动阶段"),
        "campaign.phases_reordered": _l("调整活动阶段顺序"),
    }, {"Campaign": _l("专项活动"), "CampaignPhase": _l("活动阶段")})
