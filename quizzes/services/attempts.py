"""Attempts: starting, autosaving answers, leaving the page, submitting and scoring.

The database settles races: one open attempt per member and quiz, and the attempt numbering, are
unique constraints (a losing concurrent start gets the winner's attempt back); an autosave is one
UPDATE guarded by the client's sequence number; submitting locks the attempt row, so a second
submission finds it scored and returns the same result.
"""
import json
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.upsert import insert_for
from app.database import json_recordset, loaded
from app.extensions import db
from app.units.models import Unit
from quizzes.models import Attempt, AttemptItem, Question, Quiz, blank_count, quiz_eligible_units
from quizzes.services.answers import InvalidResponse, normalise_response
from quizzes.services.marking import attempt_totals, mark_attempts, store_marks
from quizzes.services.papers import PaperError, assemble_paper, new_seed, to_displayed, to_original
from quizzes.services.timing import (
    GRACE_SECONDS,
    OPEN,
    deadline_for,
    expiry_cutoff,
    past_grace,
    remaining_until,
    window_status,
)

MAX_SEQ = 2_000_000_000
FINALIZE_CHUNK = 200
SUBMIT_REASONS = ("member", "timeout", "leave_limit", "closed")


class AttemptRefused(Problem):
    """The member may not start (or continue) this quiz now; the message says why."""


class AnswerRejected(Problem):
    """An answering request the server will not accept; `status` is the HTTP status to answer with,
    `submitted` whether the attempt is already handed in (the page then goes to the result)."""

    def __init__(self, message: str, field: str | None = None, *, status: int = 400, submitted: bool = False):
        super().__init__(message, field)
        self.status = status
        self.submitted = submitted


# ---------------------------------------------------------------- who may take a quiz

def member_unit_ids(user: User) -> set[int]:
    """The member's unit, branch, and the parent of either (eligibility by any of them)."""
    ids = {unit_id for unit_id in (user.unit_id, user.branch_id) if unit_id is not None}
    if not ids:
        return ids
    # Asked several times per request (visibility, then the start check); units do not move mid-request.
    cache = g.setdefault("member_unit_ids", {}) if has_request_context() else {}
    key = (user.id, frozenset(ids))
    if key not in cache:
        parents = db.session.scalars(sa.select(Unit.parent_id).where(Unit.id.in_(ids), Unit.parent_id.is_not(None)))
        cache[key] = ids | set(parents)
    return set(cache[key])


def eligibility_clause(user: User):
    """SQL condition: the quiz is open to every unit, or to one of the member's units."""
    unit_ids = member_unit_ids(user)
    restricted = sa.exists().where(quiz_eligible_units.c.quiz_id == Quiz.id)
    allowed = sa.exists().where(quiz_eligible_units.c.quiz_id == Quiz.id,
                                quiz_eligible_units.c.unit_id.in_(unit_ids or {-1}))
    return sa.or_(~restricted, allowed)


_eligible = quiz_eligible_units.c
_member_units = sa.bindparam("p_unit"), sa.bindparam("p_branch")
# Built once (the start page and every start ask it): the member's unit, branch and their parents in the
# same statement as the quiz's eligible units.
_ELIGIBLE = sa.or_(~sa.exists().where(_eligible.quiz_id == Quiz.id),
                   sa.exists().where(_eligible.quiz_id == Quiz.id, sa.or_(
                       _eligible.unit_id.in_(_member_units),
                       _eligible.unit_id.in_(sa.select(Unit.parent_id).where(Unit.id.in_(_member_units))))))
_IS_ELIGIBLE = sa.select(sa.literal(True)).where(Quiz.id == sa.bindparam("p_quiz"), _ELIGIBLE)
# The quiz and whether it is open to the member, in one statement (a start reads both first).
_QUIZ_FOR_MEMBER = sa.select(*Quiz.__table__.columns, _ELIGIBLE.label("member_eligible")).where(
    Quiz.id == sa.bindparam("p_quiz"))


def _eligibility_memo(quiz_id: int, user: User) -> tuple[dict, tuple]:
    """The request's memo of is_eligible answers, and the key of this quiz and member in it."""
    cache = g.setdefault("quiz_eligible", {}) if has_request_context() else {}
    return cache, (quiz_id, user.id, user.unit_id, user.branch_id)


def is_eligible(quiz: Quiz, user: User) -> bool:
    """Whether the quiz is open to the member's unit (a quiz without eligible units is open to all)."""
    if user.unit_id is None:
        return False
    # Asked twice per page (is the quiz visible, may they start it): one query per request.
    cache, key = _eligibility_memo(quiz.id, user)
    if key not in cache:
        cache[key] = db.session.connection().execute(_IS_ELIGIBLE, {
            "p_quiz": quiz.id, "p_unit": user.unit_id, "p_branch": user.branch_id}).scalar() is True
    return cache[key]


def quiz_for_member(quiz_id: int, user: User) -> Quiz | None:
    """The quiz (as loaded() from a plain row, no ORM query), with is_eligible for the member answered
    by the same statement; None if there is no such quiz."""
    row = db.session.connection().execute(_QUIZ_FOR_MEMBER, {
        "p_quiz": quiz_id, "p_unit": user.unit_id, "p_branch": user.branch_id}).first()
    if row is None:
        return None
    values = row._asdict()
    eligible = bool(values.pop("member_eligible"))
    if user.unit_id is not None:
        cache, key = _eligibility_memo(quiz_id, user)
        cache[key] = eligible
    return loaded(Quiz, values)


def start_refusal(quiz: Quiz, user: User, now: datetime | None = None) -> str | None:
    """Why the member cannot start the quiz now (unpublished, not open, not eligible), or None."""
    now = now or utcnow()
    if not quiz.is_published or not is_eligible(quiz, user):
        return _("该竞赛未向您开放")
    status = window_status(quiz, now)
    if status != OPEN:
        return _("竞赛尚未开始") if status == "upcoming" else _("竞赛已结束")
    return None


def open_attempt(quiz_id: int, user_id: int) -> Attempt | None:
    """The member's attempt in progress for the quiz, if any."""
    return db.session.scalars(
        sa.select(Attempt).where(Attempt.quiz_id == quiz_id, Attempt.user_id == user_id,
                                 Attempt.submitted_at.is_(None))
        .execution_options(populate_existing=True)
    ).first()


def attempts_used(quiz_id: int, user_id: int) -> int:
    """How many attempts the member has started on the quiz (open or submitted)."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(Attempt.number), 0))
        .where(Attempt.quiz_id == quiz_id, Attempt.user_id == user_id)
    )


def owned_attempt(attempt_id: int, user: User) -> Attempt | None:
    """The attempt if it is the member's own, else None (callers answer 404, never leaking others')."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        return None
    return attempt


# ---------------------------------------------------------------- starting

def question_snapshot(question) -> dict:
    """The question's content as an attempt item keeps it: the paper shows this, not later edits."""
    return {"stem": question.stem, "options": list(question.options or []), "answer": question.answer,
            "explanation": question.explanation or ""}


_MINE = sa.select(*Attempt.__table__.columns).where(
    Attempt.quiz_id == sa.bindparam("p_quiz"), Attempt.user_id == sa.bindparam("p_user"))
_inserts: dict[str, sa.Insert] = {}


def _insert_attempt(values: dict):
    """INSERT the attempt unless a unique rule refuses it (a concurrent start won): its row, or None."""
    connection = db.session.connection()  # a Core statement needs no ORM execute; nothing is pending to autoflush
    statement = _inserts.get(connection.dialect.name)
    if statement is None:  # built once per dialect (ON CONFLICT is spelled by each)
        statement = _inserts[connection.dialect.name] = (
            insert_for(Attempt).on_conflict_do_nothing().returning(*Attempt.__table__.columns))
    return connection.execute(statement, values).first()


def start_attempt(quiz: Quiz, user: User, now: datetime | None = None) -> Attempt:
    """The member's open attempt, or a new one with its paper drawn and recorded; AttemptRefused if not allowed."""
    now = now or utcnow()
    # The open one, the numbering and anything to settle first (even when refused), in one query of plain rows.
    mine = db.session.connection().execute(_MINE, {"p_quiz": quiz.id, "p_user": user.id}).all()
    cutoff = expiry_cutoff(now)
    expired = {row.id for row in mine if row.submitted_at is None and row.deadline_at < cutoff}
    if expired:
        finalize_expired(quiz.id, now=now, user_id=user.id)  # scored as the member's time ran out
    refusal = start_refusal(quiz, user, now)
    if refusal:
        raise AttemptRefused(refusal)
    existing = next((row for row in mine if row.submitted_at is None and row.id not in expired), None)
    if existing is not None:
        return loaded(Attempt, dict(existing._mapping))
    number = max((row.number for row in mine), default=0) + 1
    if number > quiz.attempts_allowed:
        raise AttemptRefused(_("您的作答次数已用完"))
    seed = new_seed()
    try:
        paper = assemble_paper(quiz, seed)
    except PaperError as error:
        raise AttemptRefused(_("试卷暂时无法生成，请联系组织者（%(reason)s）", reason=str(error))) from error
    row = _insert_attempt({
        "quiz_id": quiz.id, "user_id": user.id, "number": number, "seed": seed, "started_at": now,
        "deadline_at": deadline_for(quiz, now), "open_slot": 1, "leave_count": 0,
        "max_score": round(sum(entry.points for entry in paper), 2)})
    if row is None:
        # A concurrent request (double tap, second phone) started one first: continue that one.
        existing = open_attempt(quiz.id, user.id)
        if existing is not None:
            return existing
        raise AttemptRefused(_("您的作答次数已用完"))
    _insert_items([
        {"attempt_id": row.id, "position": position, "question_id": entry.question.id,
         "points": entry.points, "option_order": entry.option_order, "response_seq": 0,
         **question_snapshot(entry.question)}
        for position, entry in enumerate(paper, start=1)
    ])
    return loaded(Attempt, dict(row._mapping))  # as inserted: no reload, nothing to flush


_ITEM_COLUMNS = ("attempt_id", "position", "question_id", "points", "option_order", "response_seq", "stem",
                 "options", "answer", "explanation")
_item_inserts: dict[str, sa.TextClause] = {}


def _insert_items(items: list[dict]) -> None:
    """The paper's items, in one statement. A Core executemany, not the ORM's bulk insert (a third of a
    start's CPU was that); on PostgreSQL one JSON document the server unpacks (json_recordset)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(AttemptItem.__table__), items)
        return
    statement = _item_inserts.get("postgresql")
    if statement is None:
        names = ", ".join(_ITEM_COLUMNS)
        statement = _item_inserts["postgresql"] = sa.text(
            f"INSERT INTO {AttemptItem.__tablename__} ({names}) SELECT {names} "
            f"FROM {json_recordset(AttemptItem.__table__, _ITEM_COLUMNS, connection.dialect)}")
    connection.execute(statement, {"p_rows": json.dumps(items, ensure_ascii=False)})


# ---------------------------------------------------------------- autosave

def _check_int(value, low: int, high: int, message) -> int:
    """`value` if it is an int in [low, high]; else AnswerRejected with message() (translated only then)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AnswerRejected(status=400, message=message())
    return value


# Built once: the autosave is the hottest path (thousands of phones the evening before the deadline),
# so it runs prepared Core statements instead of building ORM queries per request: a plain read of what
# the answer is checked against (the item's options and type never change), then one guarded UPDATE.
_attempts, _items, _questions = Attempt.__table__, AttemptItem.__table__, Question.__table__
SAVE_LOOKUP = (
    sa.select(_attempts.c.user_id, _attempts.c.deadline_at, _attempts.c.submitted_at, _items.c.option_order,
              _questions.c.question_type, _questions.c.answer)
    .select_from(_attempts
                 .join(_items, sa.and_(_items.c.attempt_id == _attempts.c.id,
                                       _items.c.position == sa.bindparam("p_position")))
                 .join(_questions, _questions.c.id == _items.c.question_id))
    .where(_attempts.c.id == sa.bindparam("p_attempt"))
)
# The UPDATE itself re-checks that the attempt is open and in time, sharing its row with other saves
# (FOR KEY SHARE): it waits for a submission in progress and then sees it submitted, so it is atomic
# on its own and needs no transaction around it (on PostgreSQL, no BEGIN or COMMIT round trip).
_STILL_OPEN = (
    sa.select(_attempts.c.id)
    .where(_attempts.c.id == sa.bindparam("p_attempt"), _attempts.c.submitted_at.is_(None),
           _attempts.c.deadline_at >= sa.bindparam("p_cutoff"))
    .with_for_update(read=True, key_share=True)
    .exists()
)
_SAVE_STORE = (
    sa.update(_items)
    .where(_items.c.attempt_id == sa.bindparam("p_attempt"), _items.c.position == sa.bindparam("p_position"),
           _items.c.response_seq < sa.bindparam("p_seq"), _STILL_OPEN)
    .values(response=sa.bindparam("p_response", type_=sa.JSON(none_as_null=True)),
            response_seq=sa.bindparam("p_seq"), response_page=None, saved_at=sa.bindparam("p_saved_at"))
)
# A page that names itself: its own saves are ordered by its seq; another page's save wins by arriving later.
_SAVE_STORE_FROM_PAGE = (
    sa.update(_items)
    .where(_items.c.attempt_id == sa.bindparam("p_attempt"), _items.c.position == sa.bindparam("p_position"),
           sa.or_(_items.c.response_page.is_(None), _items.c.response_page != sa.bindparam("p_page"),
                  _items.c.response_seq < sa.bindparam("p_seq")), _STILL_OPEN)
    .values(response=sa.bindparam("p_response", type_=sa.JSON(none_as_null=True)),
            response_seq=sa.bindparam("p_seq"), response_page=sa.bindparam("p_page"),
            saved_at=sa.bindparam("p_saved_at"))
)
_OWNER = sa.select(_attempts.c.user_id).where(_attempts.c.id == sa.bindparam("p_attempt"))
# Only when the UPDATE refused: why (submitted or out of time meanwhile, else a stale save).
_SAVED = (
    sa.select(_items.c.response_seq, _items.c.response, _attempts.c.submitted_at, _attempts.c.deadline_at)
    .select_from(_items.join(_attempts, _attempts.c.id == _items.c.attempt_id))
    .where(_items.c.attempt_id == sa.bindparam("p_attempt"), _items.c.position == sa.bindparam("p_position"))
)
_PAGE_ID = re.compile(r"[A-Za-z0-9]{1,16}")


def page_id(value) -> str | None:
    """The answering page's own id as sent (1-16 letters/digits), None for a page that sends none."""
    if value is None:
        return None
    if not isinstance(value, str) or not _PAGE_ID.fullmatch(value):
        raise AnswerRejected(status=400, message=_("页面标识无效"))
    return value


def store_answer(connection, where: dict, stored, seq: int, page: str | None, now: datetime) -> bool:
    """Store the answer unless it is stale: a save from the page that wrote the stored answer needs a higher
    seq (a late resend of its older save loses); a save from another page is newer by arrival and wins.
    Nothing is stored in an attempt submitted or past its grace (False then too)."""
    values = {**where, "p_seq": seq, "p_response": stored, "p_saved_at": now, "p_cutoff": expiry_cutoff(now)}
    if page is None:  # a page from before pages had ids: the sequence number alone decides
        return connection.execute(_SAVE_STORE, values).rowcount == 1
    return connection.execute(_SAVE_STORE_FROM_PAGE, {**values, "p_page": page}).rowcount == 1


class TimeUp(Exception):
    """The attempt is past its deadline and grace: it is to be submitted, not saved to."""


def save_lookup_params(attempt_id: int, position) -> dict | None:
    """The parameters of SAVE_LOOKUP for a save to `position`, None if it is not a valid position."""
    try:
        return {"p_attempt": attempt_id, "p_position": _check_int(position, 1, 10_000, str)}
    except AnswerRejected:
        return None


def store_response(connection, attempt_id: int, user_id: int, position, response, seq, page, now: datetime, *,
                   looked_up=None) -> dict:
    """save_answer's rules on `connection` (Core statements, no ORM session), up to but not including
    the submission of an attempt whose time is up (TimeUp); AnswerRejected for anything else refused.
    Writes nothing unless it returns, so a caller that gets an exception may answer otherwise.
    `looked_up`: SAVE_LOOKUP's row for it, if the caller read it already (not read again)."""
    position = _check_int(position, 1, 10_000, lambda: _("题号无效"))
    seq = _check_int(seq, 1, MAX_SEQ, lambda: _("序号无效"))
    page = page_id(page)
    where = {"p_attempt": attempt_id, "p_position": position}
    row = looked_up if looked_up is not None else connection.execute(SAVE_LOOKUP, where).first()
    if row is None:
        owner = connection.execute(_OWNER, {"p_attempt": attempt_id}).scalar()
        if owner != user_id:
            raise AnswerRejected(status=404, message=_("找不到这次作答"))
        raise AnswerRejected(status=400, message=_("题号无效"))
    if row.user_id != user_id:
        raise AnswerRejected(status=404, message=_("找不到这次作答"))
    if row.submitted_at is not None:
        raise AnswerRejected(status=409, message=_("本次作答已交卷，答案不能再修改"), submitted=True)
    if past_grace(row.deadline_at, now):
        raise TimeUp
    option_order = row.option_order or []
    try:
        shown = normalise_response(row.question_type, response, len(option_order),
                                   blank_count(row.question_type, row.answer))
    except InvalidResponse:
        raise AnswerRejected(status=400, message=_("答案格式不正确")) from None
    stored = to_original(row.question_type, shown, option_order)
    remaining = remaining_until(row.deadline_at, now)
    if store_answer(connection, where, stored, seq, page, now):
        return {"saved": True, "seq": seq, "remaining_seconds": remaining}
    current = connection.execute(_SAVED, where).first()
    if current.submitted_at is not None:  # submitted since the read above
        raise AnswerRejected(status=409, message=_("本次作答已交卷，答案不能再修改"), submitted=True)
    if past_grace(current.deadline_at, now):
        raise TimeUp
    held = to_displayed(row.question_type, current.response, option_order)
    return {"saved": False, "stale": True, "seq": current.response_seq, "remaining_seconds": remaining,
            "response": held}


def save_answer(attempt_id: int, user_id: int, position, response, seq, now: datetime | None = None, *,
                page=None) -> dict:
    """Store the member's answer at `position` unless it is stale (see store_answer).

    One locking read of the attempt and that item, then one guarded UPDATE; the paper is never
    loaded. `response` is in displayed letters and stored in original letters. A stale save is
    answered with the stored answer, so the page can show what the server holds. An attempt whose
    time is up is submitted (and the save refused).
    """
    now = now or utcnow()
    # Core statements straight on the session's connection: no ORM execute
    try:
        return store_response(db.session.connection(), attempt_id, user_id, position, response, seq, page, now)
    except TimeUp:
        submit_attempt(attempt_id, reason="timeout", now=now)
        raise AnswerRejected(status=409, message=_("作答时间已到，试卷已自动提交"), submitted=True) from None


# ---------------------------------------------------------------- leaving the page (切屏)

def record_leave(attempt_id: int, user_id: int, now: datetime | None = None) -> dict:
    """Count one 切屏; at the quiz's leave limit the attempt is submitted (reason 'leave_limit')."""
    now = now or utcnow()
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise AnswerRejected(status=404, message=_("找不到这次作答"))
    if attempt.submitted_at is not None:
        return {"leave_count": attempt.leave_count, "submitted": True, "submit_reason": attempt.submit_reason}
    if past_grace(attempt.deadline_at, now):
        attempt = submit_attempt(attempt_id, reason="timeout", now=now)
        return {"leave_count": attempt.leave_count, "submitted": True, "submit_reason": attempt.submit_reason}
    count = db.session.execute(
        sa.update(Attempt).where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
        .values(leave_count=Attempt.leave_count + 1).returning(Attempt.leave_count)
        .execution_options(synchronize_session=False)
    ).scalar()
    if count is None:  # submitted meanwhile
        attempt = submit_attempt(attempt_id, now=now)
        return {"leave_count": attempt.leave_count, "submitted": True, "submit_reason": attempt.submit_reason}
    limit = db.session.scalar(sa.select(Quiz.leave_limit).where(Quiz.id == attempt.quiz_id))
    if limit and count >= limit:
        attempt = submit_attempt(attempt_id, reason="leave_limit", now=now)
        return {"leave_count": count, "submitted": True, "submit_reason": attempt.submit_reason,
                "leave_limit": limit}
    return {"leave_count": count, "submitted": False, "leave_limit": limit}


# ---------------------------------------------------------------- submitting and scoring

# Built once: the attempt row locked for submitting, with its quiz (needed to mark it) in the same query.
_LOCK_WITH_QUIZ = (
    sa.select(Attempt, Quiz).join(Quiz, Quiz.id == Attempt.quiz_id).where(Attempt.id == sa.bindparam("p_attempt"))
    .with_for_update(of=Attempt).execution_options(populate_existing=True)
)


def lock_attempt(attempt_id: int) -> Attempt | None:
    """The attempt, freshly read and locked for this transaction (its quiz loaded with it), or None."""
    row = db.session.execute(_LOCK_WITH_QUIZ, {"p_attempt": attempt_id}).first()
    if row is None:
        return None
    attempt, quiz = row
    set_committed_value(attempt, "quiz", quiz)  # held by the attempt (the session only keeps a weak reference)
    return attempt


def submit_attempt(attempt_id: int, *, reason: str = "member", now: datetime | None = None,
                   locked: Attempt | None = None) -> Attempt:
    """Score and close the attempt; an attempt already submitted is returned unchanged (same score).

    The server decides why it ended: a member's submission at or after the deadline counts as a
    timeout (or the quiz closing), whatever the page claims. `locked`: the attempt as lock_attempt()
    gave it earlier in this transaction (not read again).
    """
    now = now or utcnow()
    attempt = locked if locked is not None else lock_attempt(attempt_id)
    if attempt is None:
        raise AnswerRejected(status=404, message=_("找不到这次作答"))
    if attempt.submitted_at is None:
        reason = reason if reason in SUBMIT_REASONS else "member"
        if reason == "member" and now >= attempt.deadline_at:
            reason = None  # timeout or closed, by the deadline
        _score([attempt], reason, now)
    return attempt


def _expired_ids(by_quiz: bool, by_user: bool):
    query = sa.select(Attempt.id).where(Attempt.submitted_at.is_(None), Attempt.deadline_at < sa.bindparam("p_cutoff"))
    if by_quiz:
        query = query.where(Attempt.quiz_id == sa.bindparam("p_quiz"))
    if by_user:
        query = query.where(Attempt.user_id == sa.bindparam("p_user"))
    return query.order_by(Attempt.id)


# Built once: pages settle expired attempts before reading (quizzes.views.settle), most of them per request.
_EXPIRED = {(by_quiz, by_user): _expired_ids(by_quiz, by_user) for by_quiz in (False, True) for by_user in (False, True)}


def finalize_expired(quiz_id: int | None = None, now: datetime | None = None, *, user_id: int | None = None) -> int:
    """Submit and score every open attempt past deadline + grace (the server-side submission); returns how many."""
    now = now or utcnow()
    query = _EXPIRED[quiz_id is not None, user_id is not None]
    ids = list(db.session.scalars(query, {"p_cutoff": expiry_cutoff(now), "p_quiz": quiz_id, "p_user": user_id}))
    done = 0
    for start in range(0, len(ids), FINALIZE_CHUNK):
        chunk = ids[start:start + FINALIZE_CHUNK]
        attempts = list(db.session.scalars(
            sa.select(Attempt).where(Attempt.id.in_(chunk), Attempt.submitted_at.is_(None))
            .order_by(Attempt.id).with_for_update()
            .execution_options(populate_existing=True)
        ))
        if attempts:
            _score(attempts, None, now)
            done += len(attempts)
    return done


def _score(attempts: list[Attempt], reason: str | None, now: datetime) -> None:
    """Mark every item of the (locked, open) attempts and close them. reason None: timeout or closed."""
    totals: dict[int, float] = {}
    for quiz, group in _by_quiz(attempts):
        marks = mark_attempts([attempt.id for attempt in group], partial_credit=quiz.partial_credit,
                              partial_ratio=quiz.partial_credit_ratio)
        store_marks(marks)
        totals.update(attempt_totals(marks))
    closing = []
    for attempt in attempts:
        quiz = attempt.quiz
        ended = min(now, attempt.deadline_at)
        closing.append((attempt, {
            "score": totals.get(attempt.id, 0.0), "submitted_at": ended, "open_slot": None,
            "time_used_seconds": max(0.0, (ended - attempt.started_at).total_seconds()),
            "submit_reason": reason or ("closed" if attempt.deadline_at >= quiz.closes_at else "timeout")}))
    # One Core UPDATE (executemany for a chunk), the loaded attempts set as stored: no unit-of-work flush.
    db.session.connection().execute(_CLOSE, [{"p_id": attempt.id, **{f"p_{key}": value for key, value in values.items()}}
                                             for attempt, values in closing])
    for attempt, values in closing:
        for key, value in values.items():
            set_committed_value(attempt, key, value)


_CLOSE = (
    sa.update(Attempt.__table__).where(Attempt.__table__.c.id == sa.bindparam("p_id"))
    .values(**{key: sa.bindparam(f"p_{key}") for key in
               ("score", "submitted_at", "open_slot", "time_used_seconds", "submit_reason")})
)


def _by_quiz(attempts: list[Attempt]) -> list[tuple[Quiz, list[Attempt]]]:
    groups: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        groups.setdefault(attempt.quiz_id, []).append(attempt)
    return [(group[0].quiz, group) for group in groups.values()]


def deadline_passed(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the attempt's own time is up (not counting the grace for in-flight saves)."""
    return (now or utcnow()) >= attempt.deadline_at


def clamp_open_deadlines(quiz: Quiz) -> int:
    """After the close time moved earlier, end open attempts no later than the new close; returns how many."""
    return db.session.execute(
        sa.update(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_(None),
                                 Attempt.deadline_at > quiz.closes_at)
        .values(deadline_at=quiz.closes_at).execution_options(synchronize_session=False)
    ).rowcount


def in_grace(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the attempt's deadline has passed but saves are still accepted."""
    now = now or utcnow()
    return attempt.deadline_at <= now <= attempt.deadline_at + timedelta(seconds=GRACE_SECONDS)
