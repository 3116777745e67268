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
