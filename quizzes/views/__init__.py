"""The quiz blueprint, assembled from one child blueprint per area.

Endpoints read as quizzes.<area>.<view>: banks (题库), manage (竞赛设置), take (members answering),
practice (练习与错题本), reports (progress, rankings, statistics, export).
"""
from flask import Blueprint


def build_blueprint() -> Blueprint:
    from quizzes.views import banks, export_jobs, manage, practice, reports, take

    _register_audit_labels()
    parent = Blueprint("quizzes", __name__, url_prefix="/quizzes")
    for module in (banks, manage, take, practice, reports, export_jobs):
        parent.register_blueprint(module.bp)
    return parent


def _register_audit_labels() -> None:
    """Name the quiz actions and targets in the audit log viewer."""
    from flask_babel import lazy_gettext as _l

    from app.audit.views import register_action_labels

    register_action_labels({
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
