"""The quiz blueprint, assembled from one child blueprint per area.

Endpoints read as quizzes.<area>.<view>: banks (题库), manage (竞赛设置), take (members answering),
practice (练习与错题本), reports (progress, rankings, statistics, export).
"""
from flask import Blueprint


def build_blueprint() -> Blueprint:
    from quizzes.views import banks, export_jobs, manage, practice, reports, take

    parent = Blueprint("quizzes", __name__, url_prefix="/quizzes")
    for module in (banks, manage, take, practice, reports, export_jobs):
        parent.register_blueprint(module.bp)
    return parent
