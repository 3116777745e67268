"""Question banks, quizzes, papers, attempts and practice.

Answers are stored in canonical form, independent of how options were shuffled on screen:
  single  -> "B"                      multiple -> ["A", "B", "D"]
  judge   -> true / false             fill     -> ["40", "高质量"]   (one string per blank)
A question's `answer` uses the same shapes, except fill: a list per blank of accepted alternatives,
e.g. [["40", "四十"], ["高质量"]].
"""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.campaigns.models import Campaign  # noqa: F401  (the quiz's campaign, by name in relationship())
from app.common.clock import utcnow
from app.extensions import db

QUESTION_TYPES = ("single", "multiple", "judge", "fill")
# How each type is named to people, in QUESTION_TYPES order (also the `question_type` template filter).
QUESTION_TYPE_LABELS = {"single": _l("单选题"), "multiple": _l("多选题"), "judge": _l("判断题"), "fill": _l("填空题")}
OPTION_LETTERS = "ABCDEFGH"
COUNTING_RULES = ("best", "latest")
REVIEW_POLICIES = ("after_submit", "after_close", "never")
PAPER_MODES = ("fixed", "random")


class QuestionBank(db.Model):
    """A bank is shared across campaigns (a 党建知识 bank is used year after year)."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    questions: Mapped[list["Question"]] = relationship(back_populates="bank", order_by="Question.id")


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        # Re-importing a bank updates a question with the same type and stem instead of duplicating it.
        sa.UniqueConstraint("bank_id", "question_type", "stem_digest", name="uq_questions_bank_type_stem"),
        sa.CheckConstraint("question_type IN ('single', 'multiple', 'judge', 'fill')", name="type_is_known"),
        sa.CheckConstraint("points > 0", name="points_positive"),
        sa.Index("ix_questions_bank_pick", "bank_id", "is_active", "question_type", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id", ondelete="CASCADE"))
    question_type: Mapped[str] = mapped_column(sa.String(16))
    stem: Mapped[str] = mapped_column(sa.Text)
    stem_digest: Mapped[str] = mapped_column(sa.String(64))  # sha256 of the normalised stem
    options: Mapped[list] = mapped_column(sa.JSON, default=list)  # option texts, A first
    answer: Mapped[object] = mapped_column(sa.JSON)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(64), default="")
    difficulty: Mapped[str] = mapped_column(sa.String(16), default="")
    points: Mapped[float] = mapped_column(sa.Float, default=1.0)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")


quiz_banks = sa.Table(
    "quiz_banks",
    db.metadata,
    sa.Column("quiz_id", sa.ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("bank_id", sa.ForeignKey("question_banks.id", ondelete="RESTRICT"), primary_key=True),
)

quiz_eligible_units = sa.Table(
    "quiz_eligible_units",
    db.metadata,
    sa.Column("quiz_id", sa.ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class Quiz(db.Model):
    __tablename__ = "quizzes"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint("time_limit_seconds > 0", name="time_limit_positive"),
        sa.CheckConstraint("attempts_allowed >= 1", name="attempts_allowed_positive"),
        sa.CheckConstraint("counting IN ('best', 'latest')", name="counting_is_known"),
        sa.CheckConstraint("review_policy IN ('after_submit', 'after_close', 'never')", name="review_is_known"),
        sa.CheckConstraint("paper_mode IN ('fixed', 'random')", name="paper_mode_is_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    rules_text: Mapped[str] = mapped_column(sa.Text, default="")
    opens_at: Mapped[datetime] = mapped_column(sa.DateTime)
    closes_at: Mapped[datetime] = mapped_column(sa.DateTime)
    time_limit_seconds: Mapped[int] = mapped_column(sa.Integer, default=1800)
    attempts_allowed: Mapped[int] = mapped_column(sa.Integer, default=1)
    counting: Mapped[str] = mapped_column(sa.String(8), default="best")
    shuffle_questions: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    review_policy: Mapped[str] = mapped_column(sa.String(16), default="after_submit")
    paper_mode: Mapped[str] = mapped_column(sa.String(8), default="random")
    partial_credit: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    partial_credit_ratio: Mapped[float] = mapped_column(sa.Float, default=0.5)
    leave_limit: Mapped[int | None] = mapped_column(sa.Integer)  # auto-submit after this many 切屏
    is_published: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    campaign = relationship("Campaign")
    banks: Mapped[list[QuestionBank]] = relationship(secondary=quiz_banks, order_by=QuestionBank.name)
    eligible_units = relationship("Unit", secondary=quiz_eligible_units)  # empty: every unit
    rules: Mapped[list["PaperRule"]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="PaperRule.position"
    )
    fixed_items: Mapped[list["FixedPaperItem"]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="FixedPaperItem.position"
    )


class PaperRule(db.Model):
    """Random paper rule: draw `count` active questions of a type (optionally category/difficulty)."""

    __tablename__ = "quiz_paper_rules"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "position", name="uq_quiz_paper_rules_quiz_id_position"),
        sa.CheckConstraint("count >= 1", name="count_positive"),
        sa.CheckConstraint("points_each > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    question_type: Mapped[str] = mapped_column(sa.String(16))
    category: Mapped[str] = mapped_column(sa.String(64), default="")  # "" = any
    difficulty: Mapped[str] = mapped_column(sa.String(16), default="")  # "" = any
    count: Mapped[int] = mapped_column(sa.Integer)
    points_each: Mapped[float] = mapped_column(sa.Float)

    quiz: Mapped[Quiz] = relationship(back_populates="rules")


class FixedPaperItem(db.Model):
    __tablename__ = "quiz_fixed_items"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "position", name="uq_quiz_fixed_items_quiz_id_position"),
        sa.UniqueConstraint("quiz_id", "question_id", name="uq_quiz_fixed_items_quiz_id_question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="RESTRICT"))
    points: Mapped[float] = mapped_column(sa.Float)

    quiz: Mapped[Quiz] = relationship(back_populates="fixed_items")
    question: Mapped[Question] = relationship()


class Attempt(db.Model):
    """One sitting of a quiz. The database enforces one open attempt and the attempt numbering."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # number runs 1..attempts_allowed; two racing starts compute the same number and one loses.
        sa.UniqueConstraint("quiz_id", "user_id", "number", name="uq_quiz_attempts_quiz_user_number"),
        # open_slot is 1 while open and NULL once submitted: at most one open attempt per member.
        sa.UniqueConstraint("quiz_id", "user_id", "open_slot", name="uq_quiz_attempts_quiz_user_open"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("open_slot = 1", name="open_slot_is_one_or_null"),
        sa.CheckConstraint("(submitted_at IS NULL) = (open_slot IS NOT NULL)", name="open_iff_not_submitted"),
        sa.Index("ix_quiz_attempts_ranking", "quiz_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(sa.DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    open_slot: Mapped[int | None] = mapped_column(sa.Integer, default=1)
    submit_reason: Mapped[str | None] = mapped_column(sa.String(16))  # member, timeout, leave_limit, closed
    score: Mapped[float | None] = mapped_column(sa.Float)
    max_score: Mapped[float] = mapped_column(sa.Float, default=0)
    time_used_seconds: Mapped[float | None] = mapped_column(sa.Float)
    leave_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # Its wrong answers are in the member's 错题本 (done once the review rules let the answers show).
    mistakes_booked: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    quiz: Mapped[Quiz] = relationship()
    user = relationship("User")
    items: Mapped[list["AttemptItem"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptItem.position"
    )

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class AttemptItem(db.Model):
    """One question of the paper a member was given, and their answer to it (autosaved in place)."""

    __tablename__ = "quiz_attempt_items"
    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "position", name="uq_quiz_attempt_items_attempt_id_position"),
        sa.UniqueConstraint("attempt_id", "question_id", name="uq_quiz_attempt_items_attempt_id_question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.Integer)  # 1-based order on the paper
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    points: Mapped[float] = mapped_column(sa.Float)
    option_order: Mapped[list] = mapped_column(sa.JSON, default=list)  # displayed -> original option index
    response: Mapped[object | None] = mapped_column(sa.JSON)  # canonical answer shape, None = unanswered
    # Phones resend and reorder saves; a save only wins if its sequence number is newer.
    response_seq: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # The answering page (one per page load) whose save is stored; response_seq counts that page's saves.
    response_page: Mapped[str | None] = mapped_column(sa.String(16))
    saved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    is_correct: Mapped[bool | None] = mapped_column(sa.Boolean)
    awarded: Mapped[float | None] = mapped_column(sa.Float)
    # The question as this member was shown it (stem, options: copied at start) and as it was marked
    # (answer, explanation: copied again at submit, so a key corrected mid-quiz applies to later
    # submissions). Editing the question afterwards changes neither this paper nor its review.
    stem: Mapped[str | None] = mapped_column(sa.Text)
    options: Mapped[list | None] = mapped_column(sa.JSON)
    answer: Mapped[object | None] = mapped_column(sa.JSON)
    explanation: Mapped[str | None] = mapped_column(sa.Text)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class PracticeAnswer(db.Model):
    """A practice answer (练习): counts toward nobody's ranking, only toward participation figures."""

    __tablename__ = "quiz_practice_answers"
    __table_args__ = (
        sa.Index("ix_quiz_practice_answers_user_bank", "user_id", "bank_id"),
        # One answer per question handed out: a double-tapped or resent answer is stored once.
        sa.UniqueConstraint("user_id", "step_token", name="uq_quiz_practice_answers_user_id_step_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    response: Mapped[object | None] = mapped_column(sa.JSON)
    is_correct: Mapped[bool] = mapped_column(sa.Boolean)
    answered_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)
    step_token: Mapped[str | None] = mapped_column(sa.String(32))  # the practice step answered (NULLs never clash)

    question: Mapped[Question] = relationship()


class WrongAnswer(db.Model):
    """The wrong-answer book (错题本): one row per member and question answered wrongly."""

    __tablename__ = "quiz_wrong_answers"
    __table_args__ = (sa.UniqueConstraint("user_id", "question_id", name="uq_quiz_wrong_answers_user_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    wrong_count: Mapped[int] = mapped_column(sa.Integer, default=1)
    last_wrong_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    mastered: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # answered right on review

    question: Mapped[Question] = relationship()


def question_type_label(question_type: str) -> str:
    """The question type as people read it (单选题 …); an unknown code as it is."""
    return str(QUESTION_TYPE_LABELS.get(question_type, question_type))


def blank_count(question_type: str, answer) -> int:
    """How many blanks a fill question has: one per accepted-answers list in its key (0 for other types;
    the key itself never leaves the server)."""
    return len(answer) if question_type == "fill" and isinstance(answer, list) else 0
