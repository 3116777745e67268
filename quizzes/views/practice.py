"""Practice (练习) and the wrong-answer book (错题本); per-unit practice figures for organisers.

The practice session lives in the signed session cookie under "practice" (a small dict, see
quizzes.services.practice.new_state). Every page works without JavaScript: one form post per answer,
then a redirect to that answer's feedback page.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm
from app.common.http import int_arg
from app.errors import abort_with
from app.extensions import db
from quizzes.forms.practice import AnswerForm, StartForm, StatsFilterForm, read_response
from quizzes.models import OPTION_LETTERS, blank_count
from quizzes.services import practice as services
from quizzes.services.answers import InvalidResponse, format_answer, format_response
from quizzes.services.practice_stats import practice_by_unit, practice_totals

bp = Blueprint("practice", __name__, url_prefix="/practice")

STATE_KEY = "practice"
PRACTISERS = (Role.MEMBER, Role.ORGANISER)


# ---------------------------------------------------------------- helpers

def _state() -> dict | None:
    state = session.get(STATE_KEY)
    return state if services.state_is_valid(state, current_user) else None


def _save(state: dict | None) -> None:
    if state is None:
        session.pop(STATE_KEY, None)
    else:
        session[STATE_KEY] = state


def _book_contest_mistakes() -> None:
    """Contest mistakes join the book when the member next looks at it (a reviewable attempt's, once)."""
    if current_user.has_role(Role.MEMBER) and services.book_contest_mistakes(current_user):
        db.session.commit()


def _template_context() -> dict:
    return {"letters": OPTION_LETTERS}


# ---------------------------------------------------------------- choosing what to practise

@bp.get("/")
@roles_required(*PRACTISERS)
def index():
    _book_contest_mistakes()
    return render_template(
        "quizzes/practice/index.html", banks=services.bank_overview(current_user),
        book=services.wrong_book_counts(current_user), state=_state(), form=ConfirmForm(),
        **_template_context(),
    )


def _render_choose(bank, form: StartForm, status: int = 200):
    return render_template("quizzes/practice/choose.html", bank=bank, form=form), status


def _bank_or_refuse(bank_id: int):
    try:
        return services.bank_for_practice(current_user, bank_id)
    except LookupError:
        abort(404)
    except services.PracticeProblem as problem:
        abort_with(403, str(problem))


@bp.get("/banks/<int:bank_id>")
@roles_required(*PRACTISERS)
def choose(bank_id: int):
    bank = _bank_or_refuse(bank_id)
    form = StartForm(formdata=None)
    form.set_choices(*services.bank_filters(bank))
    return _render_choose(bank, form)


@bp.post("/banks/<int:bank_id>/start")
@roles_required(*PRACTISERS)
def start(bank_id: int):
    bank = _bank_or_refuse(bank_id)
    form = StartForm()
    form.set_choices(*services.bank_filters(bank))
    if not form.validate_on_submit():
        return _render_choose(bank, form, 400)
    _save(services.new_state(current_user, "bank", bank_id=bank.id, category=form.category.data or "",
                             question_type=form.question_type.data or ""))
    return redirect(url_for("quizzes.practice.question"))


@bp.post("/end")
@roles_required(*PRACTISERS)
def end():
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("页面已过期，请刷新后重试。"))
    state = _state()
    _save(None)
    if state and state.get("answered"):
        flash(_("本次练习共答 %(answered)s 题，答对 %(correct)s 题。", answered=state["answered"],
                correct=state.get("correct", 0)), "success")
    return redirect(url_for("quizzes.practice.index"))


# ---------------------------------------------------------------- one question at a time

def _render_question(step, state: dict, form: AnswerForm, error: str | None = None, chosen=None,
                     status: int = 200):
    return render_template(
        "quizzes/practice/question.html", step=step, question=step.question, state=state, form=form,
        error=error, chosen=chosen, blanks=blank_count(step.question.question_type, step.question.answer), end_form=ConfirmForm(formdata=None),
        **_template_context(),
    ), status


def _step_or_redirect(state: dict):
    """The current step, or a redirect when the session has nothing (more) to show."""
    try:
        step = services.current_step(current_user, state)
    except services.PracticeProblem as problem:
        _save(None)
        flash(str(problem), "warning")
        return None, redirect(url_for("quizzes.practice.index"))
    if step is None:
        _save(None)
        if state["mode"] == "review":
            flash(_("错题本里暂时没有可重做的题目。"), "success")
            return None, redirect(url_for("quizzes.practice.wrong_book"))
        flash(_("没有符合条件的题目，请换个分类或题型。"), "warning")
        return None, redirect(url_for("quizzes.practice.index"))
    _save(state)
    return step, None


@bp.get("/question")
@roles_required(*PRACTISERS)
def question():
    state = _state()
    if state is None:
        flash(_("请先选择要练习的题库。"), "info")
        return redirect(url_for("quizzes.practice.index"))
    step, response = _step_or_redirect(state)
    if response is not None:
        return response
    return _render_question(step, state, AnswerForm(formdata=None, token=step.token))


@bp.post("/question")
@roles_required(*PRACTISERS)
def answer():
    form = AnswerForm()
    if not form.validate_on_submit():
        abort_with(400, _("页面已过期或提交内容不完整，请刷新后重试。"))
    token = form.token.data
    state = _state()
    if state is None or token != state.get("token"):
        # A resent or double-tapped answer: the step was answered already, show that answer.
        existing = services.answer_for_token(current_user, token)
        if existing is not None:
            flash(_("这道题已经提交过了，以第一次提交为准。"), "info")
            return redirect(url_for("quizzes.practice.feedback", answer_id=existing.id))
        flash(_("这道题已经换过了，请作答当前题目。"), "warning")
        return redirect(url_for("quizzes.practice.question" if state else "quizzes.practice.index"))
    step, redirect_response = _step_or_redirect(state)
    if redirect_response is not None:
        return redirect_response
    if step.token != token:  # the question became unavailable and another was dealt
        flash(_("这道题已停用或暂不能练习，已为您换一道。"), "warning")
        return redirect(url_for("quizzes.practice.question"))
    try:
        response = read_response(step.question, request.form)
    except InvalidResponse:
        return _render_question(step, state, form, _("提交的答案无效，请重新作答。"), status=400)
    if response is None:
        return _render_question(step, state, form, _("请先作答再提交。"), status=400)
    try:
        outcome = services.record_answer(current_user, state, token, response)
    except services.PracticeProblem as problem:
        db.session.rollback()
        _save(state)
        flash(str(problem), "warning")
        return redirect(url_for("quizzes.practice.question"))
    db.session.commit()
    _save(state)
    if outcome.duplicate:
        flash(_("这道题已经提交过了，以第一次提交为准。"), "info")
    return redirect(url_for("quizzes.practice.feedback", answer_id=outcome.answer.id,
                            mastered=1 if outcome.mastered else None))


@bp.get("/answers/<int:answer_id>")
@roles_required(*PRACTISERS)
def feedback(answer_id: int):
    answer = services.answer_of(current_user, answer_id)
    if answer is None:
        abort(404)
    question = answer.question
    correct = question.answer
    if question.question_type == "single":
        correct_letters = {correct}
    elif question.question_type == "multiple":
        correct_letters = set(correct)
    else:
        correct_letters = set()
    if question.question_type == "multiple":
        mine = set(answer.response or [])
    elif question.question_type == "single":
        mine = {answer.response}
    else:
        mine = set()
    return render_template(
        "quizzes/practice/feedback.html", answer=answer, question=question, state=_state(),
        correct_text=format_answer(question.question_type, correct),
        my_text=format_response(question.question_type, answer.response),
        correct_letters=correct_letters, my_letters=mine,
        mastered=request.args.get("mastered") == "1",
        entry=services.wrong_entry(current_user, question.id), end_form=ConfirmForm(formdata=None),
        **_template_context(),
    )


# ---------------------------------------------------------------- wrong-answer book

@bp.get("/wrong")
@roles_required(*PRACTISERS)
def wrong_book():
    show = request.args.get("show", "open")
    if show not in services.WRONG_BOOK_FILTERS:
        show = "open"
    bank_id = int_arg("bank")
    page = int_arg("page") or 1
    _book_contest_mistakes()
    return render_template(
        "quizzes/practice/wrong_book.html", page=services.wrong_book(current_user, show, bank_id, page),
        show=show, bank_id=bank_id, banks=services.wrong_book_banks(current_user),
        counts=services.wrong_book_counts(current_user), paused=services.paused_bank_ids(current_user),
        form=ConfirmForm(formdata=None), **_template_context(),
    )


@bp.post("/wrong/review")
@roles_required(*PRACTISERS)
def review():
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("页面已过期，请刷新后重试。"))
    bank_id = int_arg("bank", source=request.form)
    question_id = int_arg("question", source=request.form)
    if question_id is not None:
        entry = services.wrong_entry(current_user, question_id)
        if entry is None or entry.mastered:  # only the member's own open wrong-book questions
            abort(404)
    _save(services.new_state(current_user, "review", bank_id=bank_id, first_question_id=question_id))
    return redirect(url_for("quizzes.practice.question"))


# ---------------------------------------------------------------- participation per unit

@bp.get("/stats")
@roles_required(Role.ORGANISER, Role.LIAISON)
def stats():
    form = StatsFilterForm(request.args)
    status = 200
    since = until = None
    if request.args and not form.validate():
        status = 400
    else:
        since, until = form.since.data, form.until.data
    unit_ids = None if current_user.is_organiser else [current_user.liaison_unit_id]
    rows = practice_by_unit(since, until, unit_ids)
    return render_template("quizzes/practice/stats.html", form=form, rows=rows,
                           totals=practice_totals(rows) if len(rows) > 1 else None), status
