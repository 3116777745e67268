"""Speech contest (演讲比赛): registration, the draw, judges scoring on tablets, the host console and
big screen, 公示 and awards, Excel and print.

models.py contests, rounds, entries, slots, judges, sheets, deductions, published results ·
settings.py the scoring settings ↔ events/judging · services/ the rules (panels.py loads a round's
panel results) · forms/ · views/ one child blueprint per area · exports.py the workbook.
"""


def init_app(app) -> None:
    """Plug the speech contest into the platform: blueprint, menu entries, sections, audit labels,
    demo loader."""
    from events.speech.views import build_blueprint

    app.register_blueprint(build_blueprint())
    _init_registration(app)
    _init_judging(app)
    _init_live(app)
    _init_results(app)


def _init_registration(app) -> None:
    """Set-up and registration: menu entries (200–203), home and campaign sections, audit labels."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from events.speech import registration_sections

    hooks.add_navigation(app, "speech.setup.index", _l("演讲比赛"), order=200)
    hooks.add_navigation(app, "speech.registration.index", _l("演讲比赛报名"), order=201)
    hooks.add_home_section(app, "events/speech/registration/_home_section.html", registration_sections.home_section)
    hooks.add_campaign_section(app, "events/speech/registration/_campaign_section.html",
                               registration_sections.campaign_section)
    hooks.add_unit_deletion_check(app, registration_sections.contests_registering_unit)
    hooks.add_audit_labels(app, {
        "speech.contest.created": _l("新建演讲比赛"),
        "speech.contest.updated": _l("修改演讲比赛"),
        "speech.contest.scoring_saved": _l("保存演讲比赛评分规则"),
        "speech.round.created": _l("新增比赛轮次"),
        "speech.round.updated": _l("修改比赛轮次"),
        "speech.round.deleted": _l("删除比赛轮次"),
        "speech.entry.registered": _l("演讲比赛报名"),
        "speech.entry.applied": _l("演讲比赛个人申请"),
        "speech.entry.updated": _l("修改演讲比赛报名"),
        "speech.entry.approved": _l("通过演讲比赛报名"),
        "speech.entry.approved_all": _l("一次通过演讲比赛报名"),
        "speech.entry.rejected": _l("未通过演讲比赛报名"),
        "speech.entry.withdrawn": _l("撤回演讲比赛报名"),
        "speech.entry.imported": _l("导入演讲比赛选手"),
    }, {"SpeechContest": _l("演讲比赛"), "SpeechRound": _l("比赛轮次"), "SpeechEntry": _l("演讲比赛报名")})


def _init_judging(app) -> None:
    """Judging (engineer J's area): menu entries, audit labels."""
    from flask_babel import lazy_gettext as _l

    from app import hooks

    hooks.add_navigation(app, "speech.judging.index", _l("评委与评分"), order=210)
    hooks.add_navigation(app, "speech.judge.index", _l("评委评分"), order=211)
    hooks.add_audit_labels(app, {
        "speech.sheet_submitted": _l("提交评分表"),
        "speech.sheet_entered": _l("代录评分表"),
        "speech.sheet_unlocked": _l("解锁评分表"),
        "speech.judge_absent": _l("标记评委缺席"),
        "speech.judge_problem": _l("评委报告问题"),
        "speech.judge_seated": _l("安排评委"),
        "speech.judge_updated": _l("修改评委"),
        "speech.judge_unseated": _l("移出评委"),
        "speech.binding_reissued": _l("重新生成评委二维码"),
        "speech.judge_recused": _l("记录回避"),
        "speech.exception_removed": _l("撤销回避/缺席"),
        "speech.tablet_bound": _l("评委扫码登录"),
    }, {"SpeechSheet": _l("评分表"), "SpeechJudge": _l("评委席位"), "SpeechSlot": _l("出场顺序"),
        "SpeechPanelException": _l("回避/缺席")})


def _init_live(app) -> None:
    """The draw, host console, timekeeper, big screen (area "live"), and the public state polls'
    304s before Flask."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from events.judging.numbers import shown
    from events.speech.live_cli import verify_draw_command
    from events.speech.live_polls import public_state_polls

    hooks.add_navigation(app, "speech.live.index", _l("比赛现场"), order=215)
    hooks.add_audit_labels(app, {
        "speech.draw": _l("演讲比赛抽签"),
        "speech.draw_changed": _l("调整出场顺序"),
        "speech.rehearsal_added": _l("添加试评"),
        "speech.rehearsal_removed": _l("删除试评"),
        "speech.no_show": _l("标记弃权/缺席"),
        "speech.no_show_undone": _l("撤销弃权/缺席"),
        "speech.revealed": _l("亮分"),
        "speech.revealed_all": _l("全部亮分"),
        "speech.reveal_policy": _l("修改亮分方式"),
        "speech.timed": _l("记录演讲用时"),
        "speech.deducted": _l("扣分"),
        "speech.deduction_removed": _l("撤销扣分"),
    }, {"SpeechRound": _l("演讲比赛轮次"), "SpeechSlot": _l("演讲比赛出场")})
    app.cli.add_command(verify_draw_command)
    app.add_template_filter(lambda value, places: shown(value, places), "speech_shown")
    app.wsgi_app = public_state_polls(app, app.wsgi_app)  # current polls get their 304 before Flask


def _init_results(app) -> None:
    """Results (area "results"): menu 220, audit labels, the demo contest, participation providers."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from events.speech.demo import load_demo_contest
    from events.speech.services.participation import participation_providers
    from events.speech.services.results import AUDIT_LABELS

    hooks.add_navigation(app, "speech.results.index", _l("演讲比赛成绩"), order=220)
    hooks.add_audit_labels(app, AUDIT_LABELS, {"SpeechRound": _l("演讲比赛轮次")})
    hooks.add_demo_loader(app, load_demo_contest)
    for provider in participation_providers():
        hooks.add_participation_provider(app, provider)
