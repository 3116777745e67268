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
    _init_live(app)


def _init_live(app) -> None:
    """The draw, host console, timekeeper, big screen (area "live")."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from events.judging.numbers import shown
    from events.speech.live_cli import verify_draw_command

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
