"""Practice (练习) and the wrong-answer book (错题本): banks a member may practise, one server-picked
question at a time with instant feedback, the book of questions answered wrongly, and how much each
unit practised.

Which banks a member may practise: the banks of every *published* quiz they are eligible for (the quiz
names their unit or branch, or names no unit at all) whose campaign has not ended yet — before the
quiz opens, while it runs and after it closes until the campaign's last day. Banks that no published
quiz uses stay private to the organisers who are still preparing them; organisers (and admins) may
practise every bank. While a member has an open, timed attempt, practice on that quiz's banks (and
review of wrong-book questions from them) pauses, so practice feedback cannot help during the contest.

Practice never writes to quiz_attempts: it counts toward no ranking, only toward participation figures.

Session state is a small JSON-able dict the caller keeps in the signed session cookie (see
new_state); questions are dealt in a per-session pseudo-random order (a hash of seed and question
id), so no question repeats until the pool is exhausted, whatever the pool's size. Every question
handed out carries a step token; PracticeAnswer is unique on (user, step token), so a double tap or
a resent form stores one answer and counts once in the wrong-answer book.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.common.clock import local_today, utcnow
from app.common.problems import Problem
from app.common.upsert import insert_or_ignore
from app.extensions import db
from quizzes.models import (
    QUESTION_TYPES,
    Attempt,
    AttemptItem,
    PracticeAnswer,
    Question,
    QuestionBank,
    Quiz,
    WrongAnswer,
    quiz_banks,
    quiz_eligible_units,
)
from quizzes.services.answers import score_response
from quizzes.services.practice_stats import (  # noqa: F401  (re-exported: per-unit figures)
    UnitPractice,
    practice_by_unit,
    practice_sheet,
    practice_totals,
)

STATE_VERSION = 1
MODES = ("bank", "review")
# An attempt past its deadline is still "open" until it is finalised; keep practice paused briefly.
PAUSE_MARGIN = timedelta(seconds=60)
WRONG_BOOK_FILTERS = ("open", "mastered", "all")


class PracticeProblem(Problem):
    """A practice request that cannot be served; str(problem) names why (shown to the member)."""


# ---------------------------------------------------------------- which banks

def practisable_bank_ids(user: User) -> set[int]:
    """Ids of the banks `user` may practise (all banks for organisers; see the module docstring)."""
    if user.is_organiser:
        return set(db.session.scalars(sa.select(QuestionBank.id)))
    if user.unit_id is None:
        return set()
    own_units = [unit_id for unit_id in (user.unit_id, user.branch_id) if unit_id is not None]
    names_no_unit = ~sa.exists().where(quiz_eligible_units.c.quiz_id == Quiz.id)
    names_my_unit = sa.exists().where(
        quiz_eligible_units.c.quiz_id == Quiz.id, quiz_eligible_units.c.unit_id.in_(own_units)
    )
    query = (
        sa.select(quiz_banks.c.bank_id).distinct()
        .join(Quiz, Quiz.id == quiz_banks.c.quiz_id)
        .join(Campaign, Campaign.id == Quiz.campaign_id)
        .where(Quiz.is_published.is_(True), Campaign.ends_on >= local_today(),
               sa.or_(names_no_unit, names_my_unit))
    )
    return set(db.session.scalars(query))


def paused_bank_ids(user: User) -> set[int]:
    """Banks of quizzes in which `user` has an open timed attempt right now (practice waits)."""
    query = (
        sa.select(quiz_banks.c.bank_id).distinct()
        .join(Attempt, Attempt.quiz_id == quiz_banks.c.quiz_id)
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_(None),
               Attempt.deadline_at > utcnow() - PAUSE_MARGIN)
    )
    return set(db.session.scalars(query))


@dataclass(frozen=True)
class BankSummary:
    bank: QuestionBank
    question_count: int  # active questions
    answered: int  # my practice answers in this bank
    correct: int
    paused: bool

    @property
    def correct_rate(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def bank_overview(user: User) -> list[BankSummary]:
    """The banks `user` may practise, with active question counts and the user's own tallies."""
    bank_ids = practisable_bank_ids(user)
    if not bank_ids:
        return []
    banks = db.session.scalars(
        sa.select(QuestionBank).where(QuestionBank.id.in_(bank_ids)).order_by(QuestionBank.name)
    ).all()
    counts = dict(db.session.execute(
        sa.select(Question.bank_id, sa.func.count(Question.id))
        .where(Question.bank_id.in_(bank_ids), Question.is_active.is_(True)).group_by(Question.bank_id)
    ).all())
    mine = {bank_id: (answered, correct or 0) for bank_id, answered, correct in db.session.execute(
        sa.select(PracticeAnswer.bank_id, sa.func.count(PracticeAnswer.id),
                  sa.func.sum(sa.case((PracticeAnswer.is_correct.is_(True), 1), else_=0)))
        .where(PracticeAnswer.user_id == user.id, PracticeAnswer.bank_id.in_(bank_ids))
        .group_by(PracticeAnswer.bank_id)
    )}
    paused = paused_bank_ids(user)
    return [
        BankSummary(bank, counts.get(bank.id, 0), *mine.get(bank.id, (0, 0)), paused=bank.id in paused)
        for bank in banks
    ]


def bank_for_practice(user: User, bank_id: int) -> QuestionBank:
    """The bank, if `user` may practise it now; PracticeProblem otherwise (LookupError if unknown)."""
    bank = db.session.get(QuestionBank, bank_id)
    if bank is None:
        raise LookupError(bank_id)
    if bank.id not in practisable_bank_ids(user):
        raise PracticeProblem(_("该题库暂未向您开放练习。"))
    if bank.id in paused_bank_ids(user):
        raise PracticeProblem(_("您正在参加使用该题库的竞赛，交卷后才能继续练习。"))
    return bank


def bank_filters(bank: QuestionBank) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(category, count) and (question type, count) pairs over the bank's active questions."""
    rows = db.session.execute(
        sa.select(Question.category, Question.question_type, sa.func.count(Question.id))
        .where(Question.bank_id == bank.id, Question.is_active.is_(True))
        .group_by(Question.category, Question.question_type)
    ).all()
    categories: dict[str, int] = {}
    types: dict[str, int] = {}
    for category, question_type, count in rows:
        if category:
            categories[category] = categories.get(category, 0) + count
        types[question_type] = types.get(question_type, 0) + count
    ordered_types = [(kind, types[kind]) for kind in QUESTION_TYPES if kind in types]
    return sorted(categories.items()), ordered_types


# ---------------------------------------------------------------- session state

def new_state(user: User, mode: str, *, bank_id: int | None = None, category: str = "",
              question_type: str = "", first_question_id: int | None = None) -> dict:
    """Fresh practice-session state (kept by the caller in the signed session cookie; ~200 bytes)."""
    if mode not in MODES:
        raise ValueError(mode)
    return {
        "v": STATE_VERSION, "user": user.id, "mode": mode, "bank": bank_id, "category": category, "type": question_type,
        "seed": secrets.token_hex(4), "round": 1, "cursor": None, "head": first_question_id,
        "last": None, "current": None, "token": None, "answered": 0, "correct": 0,
    }


def state_is_valid(state, user: User) -> bool:
    """Whether a state read back from the session is `user`'s and has the shape new_state gives."""
    return (isinstance(state, dict) and state.get("v") == STATE_VERSION and state.get("user") == user.id
            and state.get("mode") in MODES and isinstance(state.get("seed"), str))


def _pool(user: User, state: dict) -> list[int]:
    """Active question ids the session draws from (minus banks paused by an open attempt).

    Raises PracticeProblem when a bank session's bank is no longer open to `user`.
    """
    paused = paused_bank_ids(user)
    if state["mode"] == "review":
        query = (
            sa.select(Question.id).join(WrongAnswer, WrongAnswer.question_id == Question.id)
            .where(WrongAnswer.user_id == user.id, WrongAnswer.mastered.is_(False), Question.is_active.is_(True))
        )
        if state.get("bank"):
            query = query.where(Question.bank_id == state["bank"])
    else:
        try:
            bank_for_practice(user, state["bank"])
        except LookupError as missing:
            raise PracticeProblem(_("该题库已被删除。")) from missing
        query = sa.select(Question.id).where(Question.bank_id == state["bank"], Question.is_active.is_(True))
        if state.get("category"):
            query = query.where(Question.category == state["category"])
        if state.get("type"):
            query = query.where(Question.question_type == state["type"])
    if paused:
        query = query.where(Question.bank_id.not_in(paused))
    return list(db.session.scalars(query))


def _order_key(state: dict, question_id: int) -> str:
    if question_id == state.get("head"):
        return ""  # the question the member chose to start with sorts first
    return hashlib.blake2b(f"{state['seed']}:{question_id}".encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class Step:
    question: Question
    token: str
    position: int  # 1-based place of this question in the current round
    pool_size: int
    round: int


def current_step(user: User, state: dict) -> Step | None:
    """The question to show now: the unanswered current one, else the next in this session's order.

    Mutates `state` (the caller saves it). None when the pool is empty.
    """
    pool = _pool(user, state)
    if not pool:
        state["current"] = state["token"] = None
        return None
    if state.get("current") in pool and state.get("token"):
        question_id = state["current"]
    else:
        question_id = _advance(state, pool)
    question = db.session.get(Question, question_id)
    cursor = state["cursor"]
    position = sum(1 for candidate in pool if _order_key(state, candidate) <= cursor)
    return Step(question, state["token"], position, len(pool), state["round"])


def _advance(state: dict, pool: list[int]) -> int:
    keyed = sorted((_order_key(state, question_id), question_id) for question_id in pool)
    cursor = state.get("cursor")
    upcoming = [item for item in keyed if cursor is None or item[0] > cursor]
    if not upcoming:  # every question of the pool has been dealt: start a new round
        state["round"] = state.get("round", 1) + 1
        state["head"], state["cursor"] = None, None
        for _attempt in range(8):  # avoid opening the new round with the question just answered
            state["seed"] = secrets.token_hex(4)
            keyed = sorted((_order_key(state, question_id), question_id) for question_id in pool)
            if len(pool) == 1 or keyed[0][1] != state.get("last"):
                break
        upcoming = keyed
    key, question_id = upcoming[0]
    state.update(cursor=key, current=question_id, last=question_id, token=secrets.token_urlsafe(12))
    return question_id


def answer_for_token(user: User, token: str) -> PracticeAnswer | None:
    """The answer `user` already gave to the step with this token, if any."""
    return db.session.scalars(
        sa.select(PracticeAnswer).where(PracticeAnswer.user_id == user.id, PracticeAnswer.step_token == token)
    ).first()


# ---------------------------------------------------------------- answering

@dataclass(frozen=True)
class Outcome:
    answer: PracticeAnswer
    duplicate: bool  # the step had been answered already; nothing was counted again
    mastered: bool  # this answer moved the question out of the wrong-answer book


def record_answer(user: User, state: dict, token: str, response) -> Outcome:
    """Mark the response to the current step, store it once per token, update the wrong-answer book.

    `response` is canonical (see quizzes.services.answers.normalise_response) and not None. A wrong
    answer adds the question to the book or counts it again (and un-masters it); a right answer in
    review marks it mastered. Mutates `state` (the step is consumed). Raises PracticeProblem when
    the token is not the current step's.
    """
    if not token or token != state.get("token") or state.get("current") is None:
        raise PracticeProblem(_("这道题已经换过了，请作答当前题目。"))
    question = db.session.get(Question, state["current"])
    if question is None or question.id not in _pool(user, state):
        state["current"] = state["token"] = None
        raise PracticeProblem(_("这道题已停用或暂不能练习，已为您换一道。"))
    marking = score_response(question.question_type, question.answer, response, question.points)
    now = utcnow()
    inserted = insert_or_ignore(PracticeAnswer, {
        "user_id": user.id, "bank_id": question.bank_id, "question_id": question.id, "response": response,
        "is_correct": marking.is_correct, "answered_at": now, "step_token": token,
    }, ["user_id", "step_token"])
    answer = answer_for_token(user, token)
    mastered = False
    if inserted and not answer.is_correct:
        _count_wrong(user.id, question.id, now)
    elif inserted and state["mode"] == "review":
        mastered = db.session.execute(
            sa.update(WrongAnswer)
            .where(WrongAnswer.user_id == user.id, WrongAnswer.question_id == question.id,
                   WrongAnswer.mastered.is_(False))
            .values(mastered=True)
        ).rowcount == 1
    state["current"] = state["token"] = None
    state["answered"] = state.get("answered", 0) + 1
    state["correct"] = state.get("correct", 0) + (1 if answer.is_correct else 0)
    return Outcome(answer, duplicate=not inserted, mastered=mastered)


def _count_wrong(user_id: int, question_id: int, now: datetime) -> None:
    """Add the question to the book, or count one more miss; the unique row settles races."""
    if insert_or_ignore(WrongAnswer, {"user_id": user_id, "question_id": question_id, "wrong_count": 1,
                                      "last_wrong_at": now, "mastered": False}, ["user_id", "question_id"]):
        return
    db.session.execute(
        sa.update(WrongAnswer)
        .where(WrongAnswer.user_id == user_id, WrongAnswer.question_id == question_id)
        .values(wrong_count=WrongAnswer.wrong_count + 1, last_wrong_at=now, mastered=False)
    )


def book_contest_mistakes(user: User, now: datetime | None = None) -> int:
    """Put the wrong answers of the member's submitted contest attempts into the 错题本, each attempt once,
    as soon as the quiz's review rules let the member see its answers; returns how many attempts were booked."""
    from quizzes.services.taking import review_allowed

    now = now or utcnow()
    attempts = list(db.session.scalars(
        sa.select(Attempt).join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None), Attempt.mistakes_booked.is_(False),
               Quiz.review_policy != "never")
        .order_by(Attempt.submitted_at)
    ))
    booked = 0
    for attempt in attempts:
        if not review_allowed(attempt, now):
            continue
        # Claimed first, guarded: of two requests at once only one books the attempt.
        claimed = db.session.execute(
            sa.update(Attempt).where(Attempt.id == attempt.id, Attempt.mistakes_booked.is_(False))
            .values(mistakes_booked=True).execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        wrong = list(db.session.scalars(sa.select(AttemptItem.question_id).where(
            AttemptItem.attempt_id == attempt.id, AttemptItem.is_correct.is_not(True))))
        for question_id in wrong:
            _count_wrong(user.id, question_id, attempt.submitted_at)
        booked += 1
    return booked


def answer_of(user: User, answer_id: int) -> PracticeAnswer | None:
    """One of `user`'s own practice answers (None for someone else's: callers answer 404)."""
    answer = db.session.get(PracticeAnswer, answer_id)
    return answer if answer is not None and answer.user_id == user.id else None


def wrong_entry(user: User, question_id: int) -> WrongAnswer | None:
    """`user`'s wrong-book row for a question, if there is one."""
    return db.session.scalars(
        sa.select(WrongAnswer).where(WrongAnswer.user_id == user.id, WrongAnswer.question_id == question_id)
    ).first()


# ---------------------------------------------------------------- wrong-answer book

def wrong_book(user: User, show: str = "open", bank_id: int | None = None, page: int = 1, per_page: int = 30):
    """`user`'s own wrong-book rows, newest miss first; show is open (default), mastered or all."""
    query = (
        sa.select(WrongAnswer).join(Question, Question.id == WrongAnswer.question_id)
        .where(WrongAnswer.user_id == user.id)
        .options(joinedload(WrongAnswer.question).joinedload(Question.bank))
        .order_by(WrongAnswer.last_wrong_at.desc(), WrongAnswer.id.desc())
    )
    if show == "open":
        query = query.where(WrongAnswer.mastered.is_(False))
    elif show == "mastered":
        query = query.where(WrongAnswer.mastered.is_(True))
    if bank_id:
        query = query.where(Question.bank_id == bank_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def wrong_book_counts(user: User) -> dict[str, int]:
    """How many of `user`'s wrong-book questions are still open, mastered, and reviewable now."""
    paused = paused_bank_ids(user)
    rows = db.session.execute(
        sa.select(WrongAnswer.mastered, Question.is_active, Question.bank_id, sa.func.count(WrongAnswer.id))
        .join(Question, Question.id == WrongAnswer.question_id)
        .where(WrongAnswer.user_id == user.id)
        .group_by(WrongAnswer.mastered, Question.is_active, Question.bank_id)
    ).all()
    counts = {"open": 0, "mastered": 0, "reviewable": 0}
    for mastered, active, bank_id, count in rows:
        counts["mastered" if mastered else "open"] += count
        if not mastered and active and bank_id not in paused:
            counts["reviewable"] += count
    return counts


def wrong_book_banks(user: User) -> list[QuestionBank]:
    """Banks that appear in `user`'s wrong-answer book (for its bank filter)."""
    return list(db.session.scalars(
        sa.select(QuestionBank).where(QuestionBank.id.in_(
            sa.select(Question.bank_id).join(WrongAnswer, WrongAnswer.question_id == Question.id)
            .where(WrongAnswer.user_id == user.id)
        )).order_by(QuestionBank.name)
    ))
