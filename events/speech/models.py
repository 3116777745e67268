"""The speech contest (演讲比赛): contests, their rounds, contestants, the running order, the judges'
panel, sheets, deductions and published results.

A contest belongs to a campaign and has one or more rounds (初赛 → 决赛); each round has its own
judges, running order (slots), sheets and published results. Live state for the hall (who is on
stage, what the big screen shows) lives on the round row, with three versions the live pages poll
(304 while theirs is unchanged): `state_version` bumped by every change (host console, tablets),
`screen_version` by what the big screen shows, `audience_version` by what the audience's phones show
(state in the database, so it works with several sync workers and several app servers).

Scoring settings (criteria, the trimming rule, overtime table, tie-breaks, award tiers) are JSON
on the contest in the shapes events/judging reads (see events/speech/settings.py).
"""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.common.clock import utcnow
from app.extensions import db
from app.units.models import Unit
from events.judging.sheets import SheetColumns, SheetVersionColumns
from events.judging.versions import STATUS_CHECK, ResultVersionColumns

# A contestant's registration: 待审核 (a member applied, or a liaison registered and approval is
# required), approved, rejected (with a reason the liaison sees), withdrawn.
ENTRY_STATUSES = ("registered", "approved", "rejected", "withdrawn")
# A slot in a round's running order: waiting, on stage, done (spoke), no_show (弃权/缺席: out of
# scoring and ranking, shown as such).
SLOT_STATUSES = ("waiting", "on_stage", "done", "no_show")
ROUND_STATUSES = ("setup", "drawn", "live", "closed")
# What the big screen shows; the host picks it.
SCREEN_MODES = ("standby", "draw", "on_stage", "progress", "reveal", "leaderboard", "awards")
REVEAL_POLICIES = ("each", "end")  # 亮分 after each contestant, or withheld to the end
# A judge does not score a contestant: recused (回避: same unit, or a conflict the organiser
# recorded; decided before) or absent (marked by the organiser when a sheet is missing on the day).
PANEL_EXCEPTIONS = ("recused", "absent")
DEDUCTION_KINDS = ("overtime", "manual")
RESULT_STATUSES = ("published", "final")  # 公示 until a date, then 最终 (events/judging/versions.py)


class SpeechContest(db.Model):
    __tablename__ = "speech_contests"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "title", name="uq_speech_contests_campaign_title"),
        sa.CheckConstraint("time_limit_seconds > 0", name="time_limit_positive"),
        sa.CheckConstraint("warning_seconds IS NULL OR (warning_seconds > 0 AND warning_seconds < time_limit_seconds)",
                           name="warning_before_limit"),
        sa.CheckConstraint("quota_per_unit IS NULL OR quota_per_unit > 0", name="quota_positive"),
        sa.CheckConstraint("places IN (2, 3)", name="places_2_or_3"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    venue: Mapped[str] = mapped_column(sa.String(120), default="")
    held_on: Mapped[date | None] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    registration_opens_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # UTC
    registration_closes_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # UTC
    quota_per_unit: Mapped[int | None] = mapped_column(sa.Integer)  # None: no quota
    allow_self_apply: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    # Liaisons' registrations need the organiser's approval too (members' applications always do).
    approval_required: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    time_limit_seconds: Mapped[int] = mapped_column(sa.Integer, default=480)  # 8:00
    warning_seconds: Mapped[int | None] = mapped_column(sa.Integer, default=450)  # bell at 7:30
    # Scoring settings, in events/judging's shapes (events/speech/settings.py reads and writes them):
    criteria: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{name, maximum, step, soft_minimum, soft_maximum, description}]
    trim_from: Mapped[int] = mapped_column(sa.Integer, default=5)  # K: trim with at least K judge totals
    trim_each_end: Mapped[int] = mapped_column(sa.Integer, default=1)  # D highest and D lowest dropped
    per_criterion: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    group_weights: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {"专家评委": "0.7", "大众评委": "0.3"} or {}
    overtime_bands: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{seconds, points, inclusive}]; [] = default table
    places: Mapped[int] = mapped_column(sa.Integer, default=2)  # decimals shown (2 or 3)
    tie_breaks: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{kind, criterion}]
    award_tiers: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{name, count} | {name, share}]; [] = default
    criterion_awards: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{name, criterion}]
    separate_same_unit: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    rounds: Mapped[list["SpeechRound"]] = relationship(
        back_populates="contest", order_by="SpeechRound.position", cascade="all, delete-orphan")
    entries: Mapped[list["SpeechEntry"]] = relationship(back_populates="contest", cascade="all, delete-orphan")


class SpeechRound(db.Model):
    """A round (初赛, 决赛) with its own judges, running order and results; the hall's live state."""

    __tablename__ = "speech_rounds"
    __table_args__ = (
        sa.UniqueConstraint("contest_id", "position", name="uq_speech_rounds_contest_position"),
        sa.CheckConstraint("advance_count IS NULL OR advance_count > 0", name="advance_positive"),
        sa.CheckConstraint("status IN ('setup', 'drawn', 'live', 'closed')", name="status_is_known"),
        sa.CheckConstraint("screen_mode IN ('standby', 'draw', 'on_stage', 'progress', 'reveal', "
                           "'leaderboard', 'awards')", name="screen_mode_is_known"),
        sa.CheckConstraint("reveal_policy IN ('each', 'end')", name="reveal_policy_is_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_contests.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)  # 1 = first round
    name: Mapped[str] = mapped_column(sa.String(40))  # 初赛, 决赛, or just 比赛
    advance_count: Mapped[int | None] = mapped_column(sa.Integer)  # top N go on to the next round
    starts_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # UTC
    status: Mapped[str] = mapped_column(sa.String(8), default="setup")
    # The draw: the resolved order (slots) is the record; seed and algorithm let anyone re-run it.
    draw_seed: Mapped[str | None] = mapped_column(sa.String(64))
    draw_algorithm: Mapped[str | None] = mapped_column(sa.String(40))  # e.g. "sha256-shuffle/v1", "manual"
    drawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    drawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Live state (host console → tablets, big screen, audience):
    # A plain id, not a foreign key: slots reference rounds, and a cycle of foreign keys cannot be
    # created or dropped on SQLite. The live services set it only to a slot of this round.
    current_slot_id: Mapped[int | None] = mapped_column(sa.Integer)
    screen_mode: Mapped[str] = mapped_column(sa.String(12), default="standby")
    reveal_policy: Mapped[str] = mapped_column(sa.String(8), default="each")
    # Bumped by every change a live page shows (host action, sheet submitted, reveal, deduction):
    # the ETag of the host console's and the tablets' state, so polls cost one indexed read and a 304.
    state_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # Bumped, in the same UPDATE, only by what the big screen shows (mode, on stage, progress of the
    # contestant on stage, revealed scores) and by what the audience's phones show (on stage, mode,
    # revealed scores; not the progress line): 300 phones get 304s while the judges submit.
    screen_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    audience_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    state_changed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    contest: Mapped[SpeechContest] = relationship(back_populates="rounds")
    slots: Mapped[list["SpeechSlot"]] = relationship(
        back_populates="round", order_by="SpeechSlot.position", cascade="all, delete-orphan")
    judges: Mapped[list["SpeechJudge"]] = relationship(
        back_populates="round", order_by="SpeechJudge.seat", cascade="all, delete-orphan")


class SpeechEntry(db.Model):
    """A contestant's registration for a contest: one per member per contest, and at most the quota
    per unit, both held by the database (a live entry takes one of its unit's numbered seats)."""

    __tablename__ = "speech_entries"
    __table_args__ = (
        sa.UniqueConstraint("contest_id", "member_id", name="uq_speech_entries_contest_member"),
        # Quota: a registered or approved entry holds seat 1..quota of its unit; two racing
        # registrations for the last seat collide here. Rejected and withdrawn entries give it back (NULL).
        sa.UniqueConstraint("contest_id", "unit_id", "unit_seat", name="uq_speech_entries_unit_seat"),
        sa.CheckConstraint("status IN ('registered', 'approved', 'rejected', 'withdrawn')", name="status_is_known"),
        sa.CheckConstraint("unit_seat IS NULL OR unit_seat > 0", name="seat_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_contests.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # The unit the contestant represents, fixed at registration (a later move does not change it).
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    unit_seat: Mapped[int | None] = mapped_column(sa.Integer)
    speech_title: Mapped[str] = mapped_column(sa.String(120))
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    # Private files (app/common/uploads.py): stored name under the upload folder + the name shown.
    manuscript_file: Mapped[str | None] = mapped_column(sa.String(80))
    manuscript_name: Mapped[str | None] = mapped_column(sa.String(160))
    manuscript_type: Mapped[str | None] = mapped_column(sa.String(8))  # pdf / docx (by content)
    photo_file: Mapped[str | None] = mapped_column(sa.String(80))
    status: Mapped[str] = mapped_column(sa.String(12), default="registered")
    self_applied: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reject_reason: Mapped[str | None] = mapped_column(sa.String(200))
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    contest: Mapped[SpeechContest] = relationship(back_populates="entries")
    member: Mapped[User] = relationship(foreign_keys=[member_id])
    unit: Mapped[Unit] = relationship()


class SpeechSlot(db.Model):
    """A place in a round's running order: a contestant (or the rehearsal's demonstration speaker),
    the timekeeper's figures, and when the host put them on stage and revealed their score."""

    __tablename__ = "speech_slots"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "position", name="uq_speech_slots_round_position"),
        sa.UniqueConstraint("round_id", "entry_id", name="uq_speech_slots_round_entry"),
        sa.CheckConstraint("status IN ('waiting', 'on_stage', 'done', 'no_show')", name="status_is_known"),
        sa.CheckConstraint("(entry_id IS NULL) = is_rehearsal", name="rehearsal_has_no_entry"),
        sa.CheckConstraint("spoken_seconds IS NULL OR spoken_seconds >= 0", name="spoken_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_rounds.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("speech_entries.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)  # 1 = speaks first; the rehearsal is 0
    is_rehearsal: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    rehearsal_name: Mapped[str | None] = mapped_column(sa.String(64))  # 试评 demonstration speaker
    status: Mapped[str] = mapped_column(sa.String(8), default="waiting")
    no_show_reason: Mapped[str | None] = mapped_column(sa.String(120))  # 弃权 / 缺席
    on_stage_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Timekeeper: the clock runs from the first word to 谢谢; or the seconds are typed in.
    timing_started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    spoken_seconds: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1))
    timed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revealed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    round: Mapped[SpeechRound] = relationship(back_populates="slots")
    entry: Mapped[SpeechEntry | None] = relationship()
    sheets: Mapped[list["SpeechSheet"]] = relationship(back_populates="slot", cascade="all, delete-orphan")
    deductions: Mapped[list["SpeechDeduction"]] = relationship(
        back_populates="slot", cascade="all, delete-orphan", order_by="SpeechDeduction.id")


class SpeechJudge(db.Model):
    """A judge's seat on a round's panel: their group (for weighted panels), whether they are the
    chief judge (总评委, may unlock sheets), the tablet-binding secret, and the host console's view
    of their device (last contact, a raised problem)."""

    __tablename__ = "speech_judges"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id", name="uq_speech_judges_round_user"),
        sa.UniqueConstraint("round_id", "seat", name="uq_speech_judges_round_seat"),
        sa.CheckConstraint("seat > 0", name="seat_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    seat: Mapped[int] = mapped_column(sa.Integer)  # 1号评委 …; also the tie order for struck scores
    group: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    is_chief: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Part of the tablet-binding QR token: changing it revokes every printed code for this seat.
    binding_secret: Mapped[str] = mapped_column(sa.String(32))
    last_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    problem: Mapped[str | None] = mapped_column(sa.String(200))  # raised from the tablet, cleared by the host
    problem_raised_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # The slot the tablet last said it holds an unsent draft for (its state poll reports it), and when
    # that report last changed (a new draft, another contestant's, or none): the host console shows
    # 草稿未提交 instead of 等待中, and a draft left behind on an earlier contestant.
    draft_slot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("speech_slots.id", ondelete="SET NULL"))
    draft_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    round: Mapped[SpeechRound] = relationship(back_populates="judges")
    user: Mapped[User] = relationship()


class SpeechPanelException(db.Model):
    """A judge who does not score a contestant: recused (回避) or absent (缺席, after a missing sheet);
    the panel for that contestant is reduced and the rule accounts for it."""

    __tablename__ = "speech_panel_exceptions"
    __table_args__ = (
        sa.UniqueConstraint("judge_id", "entry_id", name="uq_speech_panel_exceptions_judge_entry"),
        sa.CheckConstraint("kind IN ('recused', 'absent')", name="kind_is_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_judges.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_entries.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")  # 同单位 / the conflict recorded
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    judge: Mapped[SpeechJudge] = relationship()


class SpeechSheet(SheetColumns, db.Model):
    """A judge's submitted sheet for one slot: the same judge and slot never get two (constraint)."""

    __tablename__ = "speech_sheets"
    __table_args__ = (
        sa.UniqueConstraint("slot_id", "judge_id", name="uq_speech_sheets_slot_judge"),
        sa.CheckConstraint("source IN ('device', 'paper')", name="source_is_known"),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_slots.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_judges.id", ondelete="CASCADE"), index=True)

    slot: Mapped[SpeechSlot] = relationship(back_populates="sheets")
    judge: Mapped[SpeechJudge] = relationship()
    versions: Mapped[list["SpeechSheetVersion"]] = relationship(
        back_populates="sheet", order_by="SpeechSheetVersion.version", cascade="all, delete-orphan")


class SpeechSheetVersion(SheetVersionColumns, db.Model):
    __tablename__ = "speech_sheet_versions"
    __table_args__ = (sa.UniqueConstraint("sheet_id", "version", name="uq_speech_sheet_versions_sheet_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_sheets.id", ondelete="CASCADE"), index=True)

    sheet: Mapped[SpeechSheet] = relationship(back_populates="versions")


class SpeechDeduction(db.Model):
    """Points off a slot's score after the trimmed mean: overtime (from the timekeeper's seconds and
    the contest's table; at most one per slot) or manual with a reason."""

    __tablename__ = "speech_deductions"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('overtime', 'manual')", name="kind_is_known"),
        sa.CheckConstraint("points > 0", name="points_positive"),
        sa.Index("uq_speech_deductions_one_overtime", "slot_id", unique=True,
                 sqlite_where=sa.text("kind = 'overtime'"), postgresql_where=sa.text("kind = 'overtime'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_slots.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    slot: Mapped[SpeechSlot] = relationship(back_populates="deductions")


class SpeechResultVersion(ResultVersionColumns, db.Model):
    """A published version of a round's results (公示 until a date, then final): a frozen snapshot of
    the standings, so what was published stays as published; a correction is a new version with a
    visible 更正 note (columns and lifecycle: events/judging/versions.py)."""

    __tablename__ = "speech_result_versions"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "version", name="uq_speech_result_versions_round_version"),
        sa.CheckConstraint(STATUS_CHECK, name="status_is_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("speech_rounds.id", ondelete="CASCADE"), index=True)
    # standings: [{rank, slot_id, entry_id, position, name, unit, title, score (display str), exact (str),
    #   award, judges: [{seat, total, struck}], deductions: [{points, reason}]}]

    round: Mapped[SpeechRound] = relationship()
