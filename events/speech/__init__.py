"""Speech contest (演讲比赛): registration, the draw, judges scoring on tablets, the host console and
big screen, 公示 and awards, Excel and print.

models.py contests, rounds, entries, slots, judges, sheets, deductions, published results ·
settings.py the scoring settings ↔ events/judging · services/ the rules (panels.py loads a round's
panel results) · forms.py · views/ one child blueprint per area · exports.py the workbook.
"""


def init_app(app) -> None:
    """Plug the speech contest into the platform: blueprint, menu entries, sections, audit labels,
    demo loader."""
    from events.speech.views import build_blueprint

    app.register_blueprint(build_blueprint())
    _init_judging(app)


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
