"""Calligraphy, painting and photography exhibition (书画摄影展), issue 13.

models.py exhibitions, categories, works (stable 编号, category, status) and images · images.py the
image rules (inspect, derivatives, hashes) · services/ the rules (setup, works, processing job,
review, gallery, files, sections) · forms.py · views/ one child blueprint per area (member, gallery,
manage, review, files) · exports.py the catalogue workbook and the ZIP of originals · demo.py.
Judging rounds, awards/公示 and the members' vote come later, on top of events/judging.
"""


def init_app(app) -> None:
    """Plug the exhibition into the platform: blueprint, menu entries, home and campaign sections,
    audit labels, the demo loader, the unit-deletion check and the participation provider."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from events.exhibition.cli import judge_copies_command
    from events.exhibition.demo import load_demo_exhibition
    from events.exhibition.demo_awards import load_demo_awards
    from events.exhibition.round_demo import load_demo_rounds
    from events.exhibition.services import (
        awards,
        processing,  # noqa: F401  (declares the job kind)
        sections,
        votes,
    )
    from events.exhibition.views import build_blueprint, lift_upload_limit

    app.register_blueprint(build_blueprint())
    app.cli.add_command(judge_copies_command)
    # First of all before_request functions (see lift_upload_limit).
    app.before_request_funcs.setdefault(None, []).insert(0, lift_upload_limit)
    for order, (endpoint, label) in enumerate((
        ("exhibition.member.index", _l("书画摄影展")),
        ("exhibition.manage.index", _l("展览管理")),
        ("exhibition.judge.index", _l("展览评审")),
    ), start=300):
        hooks.add_navigation(app, endpoint, label, order=order)
    hooks.add_home_section(app, "exhibition/_home_section.html", sections.home_section)
    hooks.add_campaign_section(app, "exhibition/_campaign_section.html", sections.campaign_section)
    hooks.add_audit_labels(app, {
        "exhibition.created": _l("新建展览"),
        "exhibition.updated": _l("修改展览设置"),
        "exhibition.work.created": _l("投稿作品"),
        "exhibition.work.updated": _l("修改投稿作品"),
        "exhibition.work.withdrawn": _l("撤回投稿作品"),
        "exhibition.work.accept": _l("作品审核通过"),
        "exhibition.work.reject": _l("作品退回"),
        "exhibition.work.in_review": _l("作品进入审核"),
        "exhibition.catalogue_exported": _l("导出作品目录"),
        "exhibition.originals_downloaded": _l("下载作品原图"),
        "exhibition.round.created": _l("新建评审轮次"),
        "exhibition.round.updated": _l("修改评审轮次"),
        "exhibition.round.opened": _l("开始评审轮次"),
        "exhibition.round.closed": _l("结束评审轮次"),
        "exhibition.round.judge_added": _l("添加展览评委"),
        "exhibition.round.judge_removed": _l("移出展览评委"),
        "exhibition.round.reassigned": _l("改派评审作品"),
        "exhibition.sheet.submitted": _l("提交展览评分"),
        "exhibition.sheet.unlocked": _l("解锁展览评分"),
    }, {"Exhibition": _l("书画摄影展"), "Work": _l("展览作品"), "ExhibitionRound": _l("评审轮次"),
        "ExhibitionSheet": _l("展览评分表")})
    hooks.add_audit_labels(app, {**awards.AUDIT_LABELS, **votes.AUDIT_LABELS})
    hooks.add_demo_loader(app, load_demo_exhibition)
    hooks.add_demo_loader(app, load_demo_rounds)
    hooks.add_unit_deletion_check(app, sections.exhibitions_naming_unit)
    hooks.add_participation_provider(app, hooks.ParticipationProvider(
        "exhibition_submitted", _l("书画摄影展·已投稿"), _l("向书画摄影展提交过作品的人员（草稿和撤回的不计）"),
        sections.participants, group="exhibition"))
    hooks.add_participation_provider(app, hooks.ParticipationProvider(
        "exhibition_accepted", _l("书画摄影展·已入选"), _l("有作品审核通过的人员"),
        sections.accepted_participants, group="exhibition", counts_for_coverage=False))
    hooks.add_demo_loader(app, load_demo_awards)  # last: it publishes what the rounds' demo closed
