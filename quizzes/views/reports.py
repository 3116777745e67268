"""Quiz results for organisers (every unit) and liaisons (their own unit's members only):
live progress, ranking, per-unit and per-question statistics, who has not taken part, one member's
paper, and the Excel workbook of it all.
"""
import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.common.access import Role, roles_required
from app.common.clock import utcnow
from app.common.forms import INTEGER_LIMIT
from app.common.http import private_pages, xlsx_download
from app.errors import abort_with
from app.extensions import db
from quizzes import exports
from quizzes import jobs as quiz_jobs
from quizzes.models import Attempt, Quiz
from quizzes.services import question_stats, ranking, reports
from quizzes.views import export_jobs
from quizzes.views.settle import QUIZ, settles_expired

bp = Blueprint("reports", __name__, url_prefix="/manage")
private_pages(bp)  # results and 未参加 lists: names, staff IDs, units, mobile numbers

LEADERBOARD_PAGE_SIZE = 50
ABSENT_PAGE_SIZE = 200
REFRESH_SECONDS = 15


@dataclass
class Page:
    """A slice of an already computed list, shaped like Flask-SQLAlchemy's pagination."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@bp.app_template_filter("quiz_percent")
def quiz_percent(value: float | None) -> str:
    """0.8567 -> 85.7%; None (nobody expected) -> —."""
    return "—" if value is None else f"{value * 100:.1f}%"


@bp.app_template_filter("quiz_score")
def quiz_score(value: float | None) -> str:
    """Scores without float noise or a trailing .0: 85, 85.5, 0.3."""
    return "—" if value is None else f"{round(value, 2):g}"


def _paginate(rows: list, per_page: int) -> Page:
    page = request.args.get("page", 1, type=int) or 1
    pages = max(1, math.ceil(len(rows) / per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Page(rows[start:start + per_page], page, per_page, len(rows))


def _viewer_unit(quiz: Quiz) -> int | None:
    """None for organisers (every unit); a liaison's own unit, or 404 when the quiz is not theirs."""
    if current_user.is_organiser:
        return None
    unit_id = current_user.liaison_unit_id
    if unit_id is None or not quiz.is_published or not reports.may_see_unit(quiz, unit_id):
        abort(404)
    return unit_id


def _quiz_and_scope(quiz_id: int) -> tuple[Quiz, int | None]:
    quiz = db.get_or_404(Quiz, quiz_id)
    return quiz, _viewer_unit(quiz)


def _keys_visible(quiz: Quiz, scope: int | None) -> bool:
    """Answer keys (question analysis, papers) reach liaisons only once the quiz has closed: a liaison
    is often a member of the unit too, and must not read the key while the quiz is still open."""
    return scope is None or quiz.closes_at <= utcnow()


def _unit_filter(quiz: Quiz, scope: int | None) -> int | None:
    """The unit to show: a liaison's own; for organisers the ?unit= choice, if it takes part."""
    if scope is not None:
        return scope
    unit_id = request.args.get("unit", type=int)
    if unit_id is None or not 0 < unit_id <= INTEGER_LIMIT:  # past a column's range: no such unit
        return None
    return unit_id if reports.may_see_unit(quiz, unit_id) else None


def _render(template: str, quiz: Quiz, scope: int | None, **context):
    return render_template(template, quiz=quiz, scope=scope, now=utcnow(),
                           keys_visible=_keys_visible(quiz, scope), **context)


@bp.get("/results")
@roles_required(Role.ORGANISER, Role.LIAISON)
def index():
    query = sa.select(Quiz).options(selectinload(Quiz.eligible_units)).order_by(Quiz.opens_at.desc(), Quiz.id.desc())
    quizzes = list(db.session.scalars(query))
    if not current_user.is_organiser:
        unit_id = current_user.liaison_unit_id
        quizzes = [quiz for quiz in quizzes
                   if quiz.is_published and unit_id is not None and reports.may_see_unit(quiz, unit_id)]
    return render_template("quizzes/reports/index.html", quizzes=quizzes, now=utcnow())


@bp.get("/<int:quiz_id>/progress")
@roles_required(Role.ORGANISER, Role.LIAISON)
@settles_expired(QUIZ)
def progress(quiz_id: int):
    quiz, scope = _quiz_and_scope(quiz_id)
    figures = reports.progress(quiz, unit_id=scope)
    return _render("quizzes/reports/progress.html", quiz, scope, progress=figures,
                   refresh_seconds=REFRESH_SECONDS, last_submission=reports.latest_submission(quiz))


@bp.get("/<int:quiz_id>/leaderboard")
@roles_required(Role.ORGANISER, Role.LIAISON)
@settles_expired(QUIZ)
def leaderboard(quiz_id: int):
    quiz, scope = _quiz_and_scope(quiz_id)
    unit_id = _unit_filter(quiz, scope)
    rows = ranking.leaderboard(quiz, unit_id=unit_id)
    units = reports.quiz_units(quiz) if scope is None else []
    return _render("quizzes/reports/leaderboard.html", quiz, scope, page=_paginate(rows, LEADERBOARD_PAGE_SIZE),
                   units=units, unit_id=unit_id)


@bp.get("/<int:quiz_id>/units")
@roles_required(Role.ORGANISER, Role.LIAISON)
@settles_expired(QUIZ)
def units(quiz_id: int):
    quiz, scope = _quiz_and_scope(quiz_id)
    lines, total = reports.unit_statistics(quiz, unit_id=scope)
    return _render("quizzes/reports/units.html", quiz, scope, lines=lines, total=total)


@bp.get("/<int:quiz_id>/questions")
@roles_required(Role.ORGANISER, Role.LIAISON)
@settles_expired(QUIZ)
def questions(quiz_id: int):
    quiz, scope = _quiz_and_scope(quiz_id)
    if not _keys_visible(quiz, scope):
        abort_with(403, _("题目分析含标准答案，竞赛结束后才能查看。"))
    sort = "rate" if request.args.get("sort") == "rate" else "paper"
    lines = question_stats.question_statistics(quiz, unit_id=scope, sort=sort)
    return _render("quizzes/reports/questions.html", quiz, scope, lines=lines, sort=sort)


@bp.get("/<int:quiz_id>/absent")
@roles_required(Role.ORGANISER, Role.LIAISON)
@settles_expired(QUIZ)
def absent(quiz_id: int):
    quiz, scope = _quiz_and_scope(quiz_id)
    unit_id = _unit_filter(quiz, scope)
    people = reports.absentees(quiz, unit_id=unit_id)
    units = reports.quiz_units(quiz) if scope is None else []
    return _render("quizzes/reports/absent.html", quiz, scope, page=_paginate(people, ABSENT_PAGE_SIZE),
                   units=units, unit_id=unit_id)


@bp.get("/<int:quiz_id>/export.xlsx")
@roles_required(Role.ORGANISER, Role.LIAISON)
@settles_expired(QUIZ)
def export(quiz_id: int):
    quiz, scope = _quiz_and_scope(quiz_id)
    if quiz_jobs.export_runs_as_job(quiz, scope, _keys_visible(quiz, scope)):
        return export_jobs.offer_page(quiz, scope)  # large: built by a job, with a progress page
    content = exports.results_workbook(quiz, unit_id=scope, with_answers=_keys_visible(quiz, scope))
    record("quiz.results_exported", target=quiz, summary=quiz.title, unit_id=scope)
    db.session.commit()
    return xlsx_download(content, exports.export_filename(quiz))


@bp.get("/attempts/<int:attempt_id>")
@roles_required(Role.ORGANISER, Role.LIAISON)
@settles_expired(QUIZ)
def attempt(attempt_id: int):
    attempt = db.get_or_404(Attempt, attempt_id)
    quiz = attempt.quiz
    scope = _viewer_unit(quiz)
    if scope is not None and reports.attempt_unit_id(attempt) != scope:
        abort(404)  # another unit's member: not even whether the attempt exists
    if not _keys_visible(quiz, scope):
        abort_with(403, _("答卷含标准答案，竞赛结束后才能查看。"))
    return _render("quizzes/reports/attempt.html", quiz, scope, attempt=attempt,
                   paper=reports.attempt_paper(attempt), attempts=reports.member_attempts(quiz, attempt.user_id))
