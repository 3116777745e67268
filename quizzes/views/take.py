"""Members taking a quiz on their phones: the quiz list, the start page, answering, the result.

The answering page saves every answer the moment it is chosen (static/js/quiz-take.js); the JSON
endpoints below are cheap and idempotent so that a phone on flaky mobile data can retry freely.
"""
from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from app.common.access import Role, roles_required
from app.common.http import no_store
from app.common.inputs import cleans_text
from app.extensions import db
from quizzes.models import Attempt, Quiz
from quizzes.services import attempts as engine
from quizzes.services import taking
from quizzes.services.timing import OPEN, expiry_cutoff, window_status
from quizzes.views.settle import OWN, QUIZ, settle_expired, settles_expired

bp = Blueprint("take", __name__, url_prefix="")


def _visible_quiz_or_404(quiz_id: int) -> Quiz:
    """A published quiz open to the member's unit; anything else is 404 (no hint that it exists)."""
    quiz = engine.quiz_for_member(quiz_id, current_user)  # the quiz and its eligibility in one statement
    if quiz is None or not quiz.is_published or not engine.is_eligible(quiz, current_user):
        abort(404)
    return quiz


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    attempt = engine.owned_attempt(attempt_id, current_user)
    if attempt is None:
        abort(404)
    return attempt


def _live(page):
    """An attempt page or result is never kept by the browser: Back after submitting asks the server again."""
    return no_store(make_response(page))


def _json_body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


# ---------------------------------------------------------------- pages

@bp.get("/")
@roles_required(Role.MEMBER)
@settles_expired(OWN)
def index():
    return _live(render_template("quizzes/take/index.html", rows=taking.member_quizzes(current_user), OPEN=OPEN))


@bp.get("/<int:quiz_id>")
@roles_required(Role.MEMBER)
@settles_expired(OWN)
def start_page(quiz_id: int):
    quiz = _visible_quiz_or_404(quiz_id)
    attempts = taking.member_attempts(quiz, current_user)
    open_attempt = next((attempt for attempt in attempts if attempt.submitted_at is None), None)
    used = max((attempt.number for attempt in attempts), default=0)
    return _live(render_template(
        "quizzes/take/start.html", quiz=quiz, attempts=attempts, open_attempt=open_attempt,
        attempts_left=max(0, quiz.attempts_allowed - used), status=window_status(quiz), OPEN=OPEN,
        refusal=engine.start_refusal(quiz, current_user),
    ))


@bp.post("/<int:quiz_id>/start")
@roles_required(Role.MEMBER)
def start(quiz_id: int):
    quiz = _visible_quiz_or_404(quiz_id)
    try:
        attempt = engine.start_attempt(quiz, current_user)
    except engine.AttemptRefused as refusal:
        db.session.commit()  # keeps attempts the refusal check scored as expired
        flash(str(refusal), "error")
        return redirect(url_for("quizzes.take.start_page", quiz_id=quiz_id))
    attempt_id = attempt.id  # read before the commit expires it (a reload would take the write lock again)
    db.session.commit()
    return redirect(url_for("quizzes.take.attempt", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>")
@roles_required(Role.MEMBER)
def attempt(attempt_id: int):
    header = taking.attempt_header(attempt_id)  # a plain row: the page is built without ORM objects
    if header is None or header.user_id != current_user.id:
        abort(404)
    # The one attempt this page shows says itself whether its time ran out: only then is anything
    # settled (it, and the member's others of this quiz), sparing the search for the member's expired
    # attempts on every open of the page. Other quizzes' are settled by the pages that show them.
    if header.submitted_at is None and header.deadline_at < expiry_cutoff():
        settle_expired(header.quiz_id, user_id=current_user.id)
        header = taking.attempt_header(attempt_id)
    if header.submitted_at is not None:
        return _live(redirect(url_for("quizzes.take.result", attempt_id=attempt_id)))
    state = taking.attempt_state(header)
    return _live(render_template("quizzes/take/attempt.html", attempt=header, quiz=header, state=state,
                                 paper=taking.page_questions(state["items"])))


@bp.get("/attempts/<int:attempt_id>/result")
@roles_required(Role.MEMBER)
@settles_expired(QUIZ)  # the rank counts everyone whose time ran out
def result(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return _live(redirect(url_for("quizzes.take.attempt", attempt_id=attempt.id)))
    from quizzes.services.ranking import rank_of

    quiz = attempt.quiz
    reviewable = taking.review_allowed(attempt)
    if reviewable:
        from quizzes.services.practice import book_contest_mistakes

        book_contest_mistakes(current_user)
        db.session.commit()
    return _live(render_template(
        "quizzes/take/result.html", attempt=attempt, quiz=quiz, rank=rank_of(quiz, current_user.id),
        review=taking.review_items(attempt) if reviewable else None, booked_mistakes=attempt.mistakes_booked,
        only_wrong=request.args.get("wrong") == "1",
        later=quiz.review_policy == "after_close" and not reviewable,
        attempts_left=max(0, quiz.attempts_allowed - engine.attempts_used(quiz.id, current_user.id)),
        status=window_status(quiz), OPEN=OPEN,
    ))


@bp.app_template_filter("answering_question")
def answering_question(question: taking.PageQuestion) -> Markup:
    """One question of the answering page as HTML (attempt.html places them), every text escaped."""
    # Every member opens this page at the start rush, and the template's few dozen expressions per
    # question were a third of the request; the same markup joined here costs a tenth of that.
    position = question.position
    parts = [
        f'<section class="quiz-q" id="q{position}" data-position="{position}" data-type="{escape(question.type)}"\n'
        f'           data-seq="{escape(question.seq)}" data-blanks="{question.blanks}" aria-labelledby="q{position}-stem">\n'
        f'    <p class="quiz-q-meta"><span class="badge">{escape(question.type_label)}</span>\n'
        f'      <span class="muted small">{escape(question.meta)}</span></p>\n'
        f'    <h2 class="quiz-stem" id="q{position}-stem">{escape(question.stem)}</h2>\n'
    ]
    if question.choices:
        judge = " quiz-judge" if question.type == "judge" else ""
        parts.append(f'    <fieldset class="quiz-choices{judge}">\n'
                     f'      <legend class="muted small">{escape(question.legend)}</legend>\n')
        for value, letter, text, checked in question.choices:
            shown = f'<span class="quiz-letter">{escape(letter)}</span>' if letter else ""
            parts.append(f'      <label class="quiz-choice">\n'
                         f'        <input type="{question.input_type}" name="q{position}" value="{escape(value)}"'
                         f'{" checked" if checked else ""}>\n'
                         f'        {shown}<span class="quiz-option-text">{escape(text)}</span>\n'
                         f'      </label>\n')
    else:
        parts.append(f'    <fieldset class="quiz-blanks">\n'
                     f'      <legend class="muted small">{escape(question.legend)}</legend>\n')
        for index, label, value in question.fields:
            parts.append(f'      <div class="field">\n'
                         f'        <label for="q{position}-b{index}">{escape(label)}</label>\n'
                         f'        <input type="text" id="q{position}-b{index}" name="q{position}" data-blank="{index}" '
                         f'maxlength="500"\n'
                         f'               autocomplete="off" autocapitalize="off" spellcheck="false" value="{escape(value)}">\n'
                         f'      </div>\n')
    parts.append("    </fieldset>\n  </section>\n")
    return Markup("".join(parts))


# ---------------------------------------------------------------- JSON for the answering page

def _rejected(error: engine.AnswerRejected):
    db.session.commit()  # an attempt found past its time has just been submitted: keep that
    body = {"error": error.message}
    if error.submitted:
        body["submitted"] = True
    return jsonify(body), error.status


@bp.get("/attempts/<int:attempt_id>/state")
@roles_required(Role.MEMBER)
@settles_expired(OWN)
def state(attempt_id: int):
    header = taking.attempt_header(attempt_id)
    if header is None or header.user_id != current_user.id:
        abort(404)
    return no_store(jsonify(taking.attempt_state(header)))


@bp.post("/attempts/<int:attempt_id>/answers")
@roles_required(Role.MEMBER)
@cleans_text("response")  # a fill-in typed during a timed quiz: cleaned, never refused (app.common.inputs)
def answers(attempt_id: int):
    data = _json_body()
    try:
        outcome = engine.save_answer(attempt_id, current_user.id, data.get("position"), data.get("response"),
                                     data.get("seq"), page=data.get("page"))
    except engine.AnswerRejected as error:
        return _rejected(error)
    db.session.commit()
    return jsonify(outcome)


@bp.post("/attempts/<int:attempt_id>/leave")
@roles_required(Role.MEMBER)
def leave(attempt_id: int):
    try:
        outcome = engine.record_leave(attempt_id, current_user.id)
    except engine.AnswerRejected as error:
        return _rejected(error)
    db.session.commit()
    return jsonify(outcome)


@bp.post("/attempts/<int:attempt_id>/submit")
@roles_required(Role.MEMBER)
@cleans_text("response")
def submit(attempt_id: int):
    attempt = engine.lock_attempt(attempt_id)  # read once, locked: submit_attempt below does not read it again
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    data = _json_body()
    last_answers = data.get("answers") if isinstance(data.get("answers"), list) else []
    for entry in last_answers[:1000]:  # answers the page had not managed to save yet
        if not isinstance(entry, dict):
            continue
        try:
            engine.save_answer(attempt.id, current_user.id, entry.get("position"), entry.get("response"),
                               entry.get("seq"), page=entry.get("page"))
        except engine.AnswerRejected as error:
            if error.status == 404:
                abort(404)
            if error.submitted:
                break
    attempt = engine.submit_attempt(attempt.id, locked=attempt)  # the reason (member / timeout) is the server's
    # Read before the commit expires the attempt (a reload would take the write lock again).
    body = {"submitted": True, "score": attempt.score, "max_score": attempt.max_score,
            "submit_reason": attempt.submit_reason,
            "result_url": url_for("quizzes.take.result", attempt_id=attempt.id)}
    db.session.commit()
    if request.is_json:
        return jsonify(body)
    return redirect(body["result_url"])
