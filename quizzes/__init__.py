"""Knowledge quiz (知识竞赛): question banks, papers, timed answering on phones, practice, rankings.

models.py banks, questions, quizzes, attempts · services/ the rules (map in services/__init__.py) ·
forms/ the organisers' and members' forms · views/ one child blueprint per area (banks, manage,
take, practice, reports) · sections.py what the quiz shows on other pages · exports.py results
workbooks · demo.py the demo bank and quiz · cli.py `flask quiz …`.
"""


def init_app(app) -> None:
    """Plug the quiz into the platform: blueprint, the autosave before Flask, menu entries, home and campaign sections, audit
    labels, demo loaders, CLI, the unit-deletion check and the campaign participation provider."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from quizzes import sections
    from quizzes.cli import quiz_cli
    from quizzes.demo import load_demo_bank, load_demo_practice, load_demo_quiz
    from quizzes.models import question_type_label
    from quizzes.views import build_blueprint
    from quizzes.views.autosave import autosaves_before_flask

    app.register_blueprint(build_blueprint())
    app.wsgi_app = autosaves_before_flask(app, app.wsgi_app)  # the common autosave is answered before Flask
    app.add_template_filter(question_type_label, "question_type")
    for order, (endpoint, label) in enumerate((
        ("quizzes.take.index", _l("知识竞赛")),
        ("quizzes.practice.index", _l("练习")),
        ("quizzes.manage.index", _l("竞赛管理")),
        ("quizzes.reports.index", _l("竞赛成绩")),
        ("quizzes.banks.index", _l("题库")),
    ), start=100):
        hooks.add_navigation(app, endpoint, label, order=order)
    hooks.add_home_section(app, "quizzes/take/_home_section.html", sections.home_section)
    hooks.add_campaign_section(app, "quizzes/take/_campaign_section.html", sections.campaign_section)
    hooks.add_audit_labels(app, {
        "quiz.bank.created": _l("新建题库"),
        "quiz.bank.updated": _l("修改题库"),
        "quiz.bank.imported": _l("导入题库"),
        "quiz.question.created": _l("新增题目"),
        "quiz.question.updated": _l("修改题目"),
        "quiz.question.enabled": _l("启用题目"),
        "quiz.question.disabled": _l("停用题目"),
        "quiz.created": _l("新建竞赛"),
        "quiz.updated": _l("修改竞赛设置"),
        "quiz.rules_saved": _l("保存抽题规则"),
        "quiz.paper_changed": _l("调整固定试卷"),
        "quiz.published": _l("发布竞赛"),
        "quiz.unpublished": _l("撤回竞赛"),
        "quiz.results_exported": _l("导出竞赛成绩"),
        "quiz.rescored": _l("重新判分"),
    }, {"Quiz": _l("知识竞赛"), "QuestionBank": _l("题库"), "Question": _l("题目")})
    hooks.add_demo_loader(app, load_demo_bank)
    hooks.add_demo_loader(app, load_demo_quiz)
    hooks.add_demo_loader(app, load_demo_practice)
    hooks.add_unit_deletion_check(app, sections.quizzes_scoped_to)
    hooks.add_participation_provider(app, hooks.ParticipationProvider(
        "quiz", _l("知识竞赛"), _l("提交过竞赛答卷的人员（练习不计）"), sections.quiz_participants,
        group="quiz", score=sections.quiz_scores))
    hooks.add_participation_provider(app, hooks.ParticipationProvider(
        "quiz_practice", _l("知识竞赛·练习"), _l("活动期间用本活动竞赛的题库做过练习的人员（单独统计）"),
        sections.practice_participants, group="quiz", counts_for_coverage=False))
    app.cli.add_command(quiz_cli)
