"""Speech contest (演讲比赛): registration, the draw, judges scoring on tablets, the host console and
big screen, 公示 and awards, Excel and print.

models.py contests, rounds, entries, slots, judges, sheets, deductions, published results ·
settings.py the scoring settings ↔ events/judging · services/ the rules (panels.py loads a round's
panel results) · forms.py · views/ one child blueprint per area · exports.py the workbook.
"""


def init_app(app) -> None:
    """Plug the speech contest into the platform: blueprint, menu entries, sections, audit labels,
    demo loader."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from events.speech.demo import load_demo_contest
    from events.speech.services.participation import participation_providers
    from events.speech.services.results import AUDIT_LABELS
    from events.speech.views import build_blueprint

    app.register_blueprint(build_blueprint())
    # results (engineer S): menu 220, audit labels, demo contest, the coverage figures of issue 14
    hooks.add_navigation(app, "speech.results.index", _l("演讲比赛成绩"), order=220)
    hooks.add_audit_labels(app, AUDIT_LABELS, {"SpeechRound": _l("演讲比赛轮次")})
    hooks.add_demo_loader(app, load_demo_contest)
    for provider in participation_providers():
        hooks.add_participation_provider(app, provider)
