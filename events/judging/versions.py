"""Result versions (成绩公示 → 更正 → 最终), shared by the speech contest and the exhibition: the
columns every published version has, as a declarative mixin each feature puts on its own table
(with a real foreign key to what it publishes: a speech round, an exhibition), and the lifecycle
as plain functions the feature's services call. None of them commits.

Lifecycle:
- nothing is published automatically: the organiser reviews the provisional result, then publishes
  it; publishing freezes the rows (plain JSON) as version 1, for 公示 until a date (today or later);
- a later version is a correction (更正) and must say why in a note, shown beside it; the version
  number is unique per subject, so two organisers publishing at once make one version, not two;
- the latest version becomes final (最终) once its notice period is over, and only while it still
  says what the live result says (a change after publishing needs a correction first); nothing is
  published once a version is final; finalising twice at once records it once.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.common.clock import local_today, utcnow
from app.common.problems import Problem
from app.extensions import db

RESULT_STATUSES = ("published", "final")
STATUS_CHECK = "status IN ('published', 'final')"  # each feature names it in its __table_args__
CORRECTION_NOTE_MAX = 500


class ResultVersionColumns:
    """A published, frozen version of a result: its number, 公示 period, correction note, who
    published and finalised it when, and the rows as published."""

    version: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(10), default="published")
    published_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    notice_until: Mapped[date | None] = mapped_column(sa.Date)  # 公示期 ends (inclusive, Asia/Shanghai)
    correction_note: Mapped[str] = mapped_column(sa.Text, default="")  # 更正说明 (from version 2 on)
    finalised_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    standings: Mapped[list] = mapped_column(sa.JSON, default=list)  # the rows, as published

    @declared_attr
    def published_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def finalised_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_final(self) -> bool:
        return self.status == "final"

    def in_notice(self, today: date | None = None) -> bool:
        """Still within its 公示 period (and not final)."""
        today = today or local_today()
        return self.status == "published" and self.notice_until is not None and today <= self.notice_until


def latest_version(model, owner_column, owner_id: int):
    """The newest version published for one subject (model.owner_column == owner_id), or None."""
    return db.session.scalar(sa.select(model).where(owner_column == owner_id)
                             .order_by(model.version.desc()).limit(1))


def all_versions(model, owner_column, owner_id: int) -> list:
    """Every version published for one subject, newest first."""
    return list(db.session.scalars(sa.select(model).where(owner_column == owner_id)
                                   .order_by(model.version.desc())))


def version_number(model, owner_column, owner_id: int, number: int):
    return db.session.scalar(sa.select(model).where(owner_column == owner_id, model.version == number))


def refuse_if_final(latest) -> None:
    """Nothing is published once the result is final."""
    if latest is not None and latest.status == "final":
        raise Problem(_("成绩已最终确定，不能再发布新版本"), "results")


def publication_note(latest, notice_until: date | None, correction_note: str = "") -> str:
    """The checks on what the organiser typed: a notice date today or later, and from the second
    version on a correction note (at most CORRECTION_NOTE_MAX characters). The note to store."""
    if notice_until is None:
        raise Problem(_("请填写公示截止日期"), "notice_until")
    if notice_until < local_today():
        raise Problem(_("公示截止日期不能早于今天"), "notice_until")
    note = (correction_note or "").strip()
    if latest is not None and not note:
        raise Problem(_("已发布过成绩，再次发布即为更正，请填写更正说明"), "correction_note")
    if len(note) > CORRECTION_NOTE_MAX:
        raise Problem(_("更正说明不能超过 %(count)s 个字", count=CORRECTION_NOTE_MAX), "correction_note")
    return note if latest is not None else ""


def add_version(model, latest, user, notice_until: date, note: str, rows: Sequence[dict], **owner):
    """The next version (latest + 1) of the subject named by `owner` (e.g. round_id=…), frozen from
    `rows`; a concurrent publication of the same number is refused with a message."""
    number = (latest.version if latest else 0) + 1
    version = model(version=number, status="published", published_at=utcnow(), published_by_id=user.id,
                    notice_until=notice_until, correction_note=note, standings=json.loads(json.dumps(list(rows))),
                    **owner)
    try:
        with db.session.begin_nested():  # two organisers publishing at once: the version number is unique
            db.session.add(version)
    except sa.exc.IntegrityError:
        raise Problem(_("刚刚有人发布了新版本，请刷新页面后查看"), "results") from None
    return version


def check_finalisable(latest) -> None:
    """A version can be finalised when one was published, is not final yet, and its 公示 is over."""
    if latest is None:
        raise Problem(_("请先发布成绩进行公示"), "results")
    if latest.status == "final":
        raise Problem(_("成绩已最终确定"), "results")
    if latest.notice_until is not None and local_today() <= latest.notice_until:
        raise Problem(_("公示期至 %(day)s，期满后才能确定最终成绩", day=latest.notice_until.isoformat()), "results")


def refuse_if_changed(latest, still_matches: bool) -> None:
    if not still_matches:
        raise Problem(_("公示后评分有变动，与第 %(n)s 版不一致，请先发布更正版本", n=latest.version), "results")


def mark_final(model, latest, user) -> None:
    """The version becomes final, by a conditional UPDATE: of two organisers finalising at once,
    the second is told it is final already."""
    changed = db.session.execute(sa.update(model).where(model.id == latest.id, model.status == "published")
                                 .values(status="final", finalised_at=utcnow(), finalised_by_id=user.id)
                                 .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Problem(_("成绩已最终确定"), "results")
    db.session.refresh(latest)


def same_rows(stored: Sequence[dict], current: Sequence[dict], keys: Sequence[str]) -> bool:
    """Two row lists say the same result: equal on `keys` (names and titles may be edited later),
    compared as they read back from JSON."""
    def normalised(rows):
        return [{key: row.get(key) for key in keys} for row in json.loads(json.dumps(list(rows)))]

    return normalised(stored) == normalised(current)
