"""Score sheets (评分表) as stored, shared by the speech contest and the exhibition: the columns every
sheet and sheet version has, as declarative mixins each feature puts on its own tables (real foreign
keys to its own judges and subjects), and the stored form of a sheet's scores.

Lifecycle (the rules live in the functions that feature services call):
- a sheet exists only once a judge submits it (drafts stay on the judge's device); one per judge and
  subject, by a unique constraint on the feature's table;
- submitted means locked: re-sending the same scores answers with the stored sheet, different scores
  are refused until an organiser or chief judge unlocks it with a reason;
- every submitted state is kept as a version row (1, 2, …), so corrections are visible in full;
- `source` says how the scores arrived: from the judge's device, or entered by an organiser from the
  judge's paper sheet (代录), naming the paper as the source.

submit_sheet(sheet_model, version_model, keys, scores, …) and unlock_sheet(sheet, …) below are those
functions, parameterised by the feature's models (events/speech/services/sheets.py wires the speech
contest's; the exhibition calls them with its own).
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.text import clean, is_hostile
from app.common.upsert import insert_or_ignore
from app.extensions import db
from events.judging.criteria import SheetProblem, sheet_total

SHEET_SOURCES = ("device", "paper")  # the judge's tablet or phone; 代录 from the paper sheet
NOTE_LIMIT = 200  # a soft-range confirmation note
SCORE_TYPE = sa.Numeric(9, 3)  # a criterion or a sheet total: up to 999999.999, steps of 0.01 or 0.1


def stored_scores(scores: Mapping[str, Decimal]) -> dict[str, str]:
    """Scores as stored in a sheet's JSON column: criterion name → the Decimal's exact string."""
    return {name: format(Decimal(value), "f") for name, value in scores.items()}


def loaded_scores(stored: Mapping[str, str] | None) -> dict[str, Decimal]:
    """A sheet's stored scores back as Decimals (never through float)."""
    return {name: Decimal(value) for name, value in (stored or {}).items()}


class SheetColumns:
    """What a submitted sheet holds, whatever it scores: the per-criterion scores, their total, who
    entered it from where, the version, and whether it is locked."""

    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # stored_scores(): name → "12.5"
    total: Mapped[Decimal] = mapped_column(SCORE_TYPE)
    notes: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # criterion → note for a soft-range confirm
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    locked: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    source: Mapped[str] = mapped_column(sa.String(8), default="device")
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    @declared_attr
    def entered_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def unlocked_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    unlocked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    unlock_reason: Mapped[str | None] = mapped_column(sa.String(200))

    @property
    def score_values(self) -> dict[str, Decimal]:
        return loaded_scores(self.scores)


class SheetVersionColumns:
    """One submitted state of a sheet, kept when it is replaced after an unlock (and for the first)."""

    version: Mapped[int] = mapped_column(sa.Integer)
    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    total: Mapped[Decimal] = mapped_column(SCORE_TYPE)
    notes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    source: Mapped[str] = mapped_column(sa.String(8), default="device")
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    @declared_attr
    def entered_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    # Why this version was replaced (the unlock reason), filled when the next version arrives.
    superseded_reason: Mapped[str | None] = mapped_column(sa.String(200))


# ---------------------------------------------------------------- lifecycle
# Plain functions over a feature's sheet model (SheetColumns) and version model (SheetVersionColumns,
# with a `sheet_id`): the speech contest and the exhibition call them with their own tables and keys.
# They never commit: the caller's view commits once.

class SheetLocked(Problem):
    """A different sheet sent after the first was submitted: refused until it is unlocked."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("已锁定，如需更正请联系主持人/组织者"))


@dataclass(frozen=True)
class SheetOutcome:
    """What a submit did: `sheet` as stored now; `same` when it was a safe retry of the stored,
    locked sheet (nothing changed); `created` when this submit made the sheet."""

    sheet: object
    same: bool
    created: bool = False


def _locked_row(sheet_model, keys: Mapping[str, object]):
    """The sheet for `keys`, read afresh and (on PostgreSQL) row-locked until the caller commits."""
    return db.session.scalars(sa.select(sheet_model).filter_by(**keys).with_for_update()
                              .execution_options(populate_existing=True)).one_or_none()


def submit_sheet(sheet_model, version_model, keys: Mapping[str, object], scores: Mapping[str, Decimal], *,
                 notes: Mapping[str, str] | None = None, entered_by_id: int | None = None,
                 source: str = "device") -> SheetOutcome:
    """Submitting locks the sheet: the first submit stores it as version 1; the same scores again
    answer with the stored sheet (safe retry); different scores are refused (SheetLocked) unless an
    unlock came first, which makes them the next version, every earlier version kept.

    The database settles two racing first submits (INSERT … ON CONFLICT on the unique keys): one
    row, the loser then compared with it like any retry."""
    if source not in SHEET_SOURCES:
        raise ValueError(f"unknown sheet source {source!r}")
    stored, total, now = stored_scores(scores), sheet_total(scores), utcnow()
    notes = dict(notes or {})
    values = {"scores": stored, "total": total, "notes": notes, "source": source, "entered_by_id": entered_by_id,
              "submitted_at": now}
    inserted = insert_or_ignore(sheet_model, {**keys, **values, "version": 1, "locked": True}, list(keys))
    sheet = _locked_row(sheet_model, keys)
    if inserted:
        db.session.add(version_model(sheet_id=sheet.id, version=1, **values))
        return SheetOutcome(sheet, same=False, created=True)
    if sheet.locked:
        if dict(sheet.scores or {}) == stored:
            return SheetOutcome(sheet, same=True)
        raise SheetLocked()
    previous = db.session.scalars(sa.select(version_model).where(version_model.sheet_id == sheet.id,
                                                                  version_model.version == sheet.version)).first()
    if previous is not None:
        previous.superseded_reason = sheet.unlock_reason
    sheet.version += 1
    for name, value in values.items():
        setattr(sheet, name, value)
    sheet.locked = True
    db.session.add(version_model(sheet_id=sheet.id, version=sheet.version, **values))
    db.session.flush()
    return SheetOutcome(sheet, same=False)


def unlock_sheet(sheet, *, actor_id: int | None, reason: str) -> None:
    """A locked sheet is unlocked for a correction only with a reason, which stays on the version it
    replaces; an unlocked sheet cannot be unlocked again."""
    reason = (reason or "").strip()
    if not reason:
        raise Problem(_("请填写解锁原因"), "reason")
    if not sheet.locked:
        raise Problem(_("该评分表已解锁，等待重新提交"))
    sheet.locked = False
    sheet.unlocked_by_id, sheet.unlocked_at, sheet.unlock_reason = actor_id, utcnow(), reason[:200]


# ---------------------------------------------------------------- the submit body, shared by the tablets

@dataclass(frozen=True)
class SheetPayload:
    """A sheet as a judge (or the organiser, from paper) sent it: raw score texts by criterion,
    notes for soft-range confirmations, the criteria confirmed a second time."""

    scores: dict
    notes: dict
    confirmed: list


def read_payload(data) -> SheetPayload:
    """The submit body's shape: `scores` an object of texts or whole numbers, `notes` an object of
    texts, `confirmed` a list of names; anything else is a SheetProblem, never an error page."""
    problems = []
    data = data if isinstance(data, dict) else {}
    scores, notes, confirmed = data.get("scores"), data.get("notes") or {}, data.get("confirmed") or []
    if not isinstance(scores, dict):
        problems.append(Problem(_("评分格式不正确"), None))
        scores = {}
    cleaned_scores = {}
    for name, value in scores.items():
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            problems.append(Problem(_("%(criterion)s须填写数字", criterion=name), name))
            continue
        cleaned_scores[name] = value
    if not isinstance(notes, dict) or not all(isinstance(value, str) for value in notes.values()):
        problems.append(Problem(_("说明格式不正确"), None))
        notes = {}
    if not isinstance(confirmed, list) or not all(isinstance(name, str) for name in confirmed):
        problems.append(Problem(_("确认项格式不正确"), None))
        confirmed = []
    cleaned_notes = {}
    for name, note in notes.items():
        note = clean(note)
        if is_hostile(note) or len(note) > NOTE_LIMIT:
            problems.append(Problem(_("说明不能超过 %(limit)s 字，且不能含控制字符", limit=NOTE_LIMIT), name))
        elif note:
            cleaned_notes[name] = note
    if problems:
        raise SheetProblem(problems)
    return SheetPayload(cleaned_scores, cleaned_notes, list(confirmed))


def problems_body(problem: Problem) -> dict:
    """The submit endpoint's 422 answer: every problem with the field (criterion) it belongs beside."""
    problems = problem.problems if isinstance(problem, SheetProblem) else [problem]
    return {"status": "invalid", "problems": [{"field": item.field, "message": item.message} for item in problems]}
