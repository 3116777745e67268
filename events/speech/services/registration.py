"""Registration (报名): liaisons register their unit's members, members apply themselves, organisers
approve or reject with a reason, entries are withdrawn.

The database holds the rules that races could break: one entry per member per contest
(uq_speech_entries_contest_member) and the quota per unit (a live entry takes one of its unit's
seats 1..quota, uq_speech_entries_unit_seat). Two registrations racing for the last seat: the
second's insert collides, it looks again, and finds the quota full.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.extensions import db
from events.speech.models import SpeechContest, SpeechEntry, SpeechSlot
from events.speech.services import registration_files as files

LIVE_STATUSES = ("registered", "approved")
NOT_OPEN, OPEN, CLOSED = "not_open", "open", "closed"
SEAT_ATTEMPTS = 5
TITLE_MAX = 120
INTRODUCTION_MAX = 1000


@dataclass
class Upload:
    """A file as the form received it."""

    content: bytes
    filename: str = ""


def window_state(contest: SpeechContest, now=None) -> str:
    """Registration is open from its opening time (none: at once) until its closing time (none: until
    the first round's draw)."""
    now = now or utcnow()
    if contest.registration_opens_at and now < contest.registration_opens_at:
        return NOT_OPEN
    if contest.registration_closes_at and now >= contest.registration_closes_at:
        return CLOSED
    if contest.rounds and contest.rounds[0].status != "setup":
        return CLOSED
    return OPEN


def can_manage_entry(user: User, entry: SpeechEntry) -> bool:
    """Organisers manage every entry; a liaison only those of their own unit."""
    return user.is_organiser or (entry.unit_id is not None and entry.unit_id == user.liaison_unit_id)


def can_see_entry(user: User, entry: SpeechEntry) -> bool:
    """Whoever manages the entry, and the contestant themselves."""
    return can_manage_entry(user, entry) or entry.member_id == user.id


def _is_drawn(entry: SpeechEntry) -> bool:
    return entry.id is not None and db.session.scalar(
        sa.select(sa.func.count()).select_from(SpeechSlot).where(SpeechSlot.entry_id == entry.id)) > 0


def _check_text(speech_title: str, introduction: str) -> None:
    if not speech_title:
        raise Problem(_("请填写演讲题目"), "speech_title")
    if len(speech_title) > TITLE_MAX:
        raise Problem(_("演讲题目不能超过 %(max)s 个字", max=TITLE_MAX), "speech_title")
    if len(introduction or "") > INTRODUCTION_MAX:
        raise Problem(_("个人简介不能超过 %(max)s 个字", max=INTRODUCTION_MAX), "introduction")


def _stored_files(manuscript: Upload | None, photo: Upload | None) -> dict:
    """Check both files first (nothing is stored when either is refused), then store them."""
    kind = files.manuscript_type(manuscript.content) if manuscript else None
    picture = files.normalised_photo(photo.content) if photo else None
    values = {}
    if manuscript:
        values.update(manuscript_file=files.store(manuscript.content, kind), manuscript_type=kind,
                      manuscript_name=(manuscript.filename or f"manuscript.{kind}")[:160])
    if photo:
        values.update(photo_file=files.store(picture, "jpg"))
    return values


def _free_seat(contest: SpeechContest, unit_id: int) -> int:
    taken = set(db.session.scalars(sa.select(SpeechEntry.unit_seat).where(
        SpeechEntry.contest_id == contest.id, SpeechEntry.unit_id == unit_id, SpeechEntry.unit_seat.is_not(None))))
    seat = next(number for number in range(1, len(taken) + 2) if number not in taken)
    if contest.quota_per_unit and seat > contest.quota_per_unit:
        raise Problem(_("本单位名额已满（每单位 %(quota)s 人）", quota=contest.quota_per_unit), "member")
    return seat


def save_with_seat(contest: SpeechContest, unit_id: int, entry: SpeechEntry | None, values: dict) -> SpeechEntry:
    """Insert (or revive) the entry holding the lowest free seat of its unit, in a savepoint; on a
    collision look again, so the database's constraints settle every race."""
    for _attempt in range(SEAT_ATTEMPTS):
        seat = _free_seat(contest, unit_id)
        try:
            with db.session.begin_nested():
                target = entry if entry is not None else SpeechEntry(contest_id=contest.id)
                for key, value in {**values, "unit_id": unit_id, "unit_seat": seat}.items():
                    setattr(target, key, value)
                db.session.add(target)
                db.session.flush()
            return target
        except IntegrityError as error:
            message = str(error.orig)
            if "unit_seat" not in message:
                raise Problem(_("该成员已报名本比赛"), "member") from error
    raise Problem(_("报名的人太多，请稍后重试"), "member")


def register(contest: SpeechContest, member: User, *, actor: User, speech_title: str, introduction: str = "",
             manuscript: Upload | None = None, photo: Upload | None = None) -> SpeechEntry:
    """Register `member` for `contest`: a liaison only their own unit's members while the window is
    open, an organiser anyone at any time before the draw, a member only themselves (self-application,
    when the contest allows it, always waiting for approval); once per member, within the quota.
    A liaison's registration is approved at once unless the contest requires approval."""
    if member.unit_id is None or not member.active:
        raise Problem(_("该人员不属于任何单位，不能报名"), "member")
    liaison_unit = actor.liaison_unit_id
    self_applied = False
    if actor.is_organiser:
        if contest.rounds and contest.rounds[0].status != "setup":
            raise Problem(_("已经抽签，不能再报名"))
    else:
        if liaison_unit is not None and member.unit_id == liaison_unit:
            pass  # a liaison registering a member of their own unit
        elif actor.id == member.id:
            if not contest.allow_self_apply:
                raise Problem(_("本比赛不接受个人报名，请联系本单位联络员"))
            self_applied = True
        else:
            raise Problem(_("只能为本单位人员报名"), "member")
        state = window_state(contest)
        if state == NOT_OPEN:
            raise Problem(_("报名尚未开始"))
        if state == CLOSED:
            raise Problem(_("报名已截止"))
    _check_text(speech_title, introduction)
    existing = db.session.scalar(sa.select(SpeechEntry).where(
        SpeechEntry.contest_id == contest.id, SpeechEntry.member_id == member.id))
    if existing is not None and existing.status in LIVE_STATUSES:
        raise Problem(_("该成员已报名本比赛"), "member")
    approved = actor.is_organiser or (not self_applied and not contest.approval_required)
    now = utcnow()
    values = {
        "member_id": member.id, "speech_title": speech_title, "introduction": introduction or "",
        "status": "approved" if approved else "registered", "self_applied": self_applied,
        "registered_by_id": actor.id, "decided_by_id": actor.id if approved else None,
        "decided_at": now if approved else None, "reject_reason": None, "withdrawn_at": None,
        **_stored_files(manuscript, photo),
    }
    entry = save_with_seat(contest, member.unit_id, existing, values)
    record("speech.entry.applied" if self_applied else "speech.entry.registered", target=entry, actor=actor,
           summary=_("%(member)s 报名演讲比赛「%(title)s」：%(speech)s", member=member.name, title=contest.title,
                     speech=speech_title), contest_id=contest.id, status=entry.status)
    return entry


def update_entry(entry: SpeechEntry, *, actor: User, speech_title: str, introduction: str = "",
                 manuscript: Upload | None = None, photo: Upload | None = None) -> list[str]:
    """Change a live entry's title, introduction or files before the draw (its manager, or the
    contestant while it still waits for approval); the stored names of replaced files."""
    if not can_manage_entry(actor, entry) and not (entry.member_id == actor.id and entry.status == "registered"):
        raise Problem(_("不能修改这条报名"))
    if entry.status not in LIVE_STATUSES or _is_drawn(entry):
        raise Problem(_("这条报名已不能修改"))
    _check_text(speech_title, introduction)
    replaced = [name for name, upload in ((entry.manuscript_file, manuscript), (entry.photo_file, photo))
                if upload is not None and name]
    for key, value in _stored_files(manuscript, photo).items():
        setattr(entry, key, value)
    entry.speech_title, entry.introduction = speech_title, introduction or ""
    db.session.flush()
    record("speech.entry.updated", target=entry, actor=actor,
           summary=_("修改报名：%(member)s「%(speech)s」", member=entry.member.name, speech=speech_title))
    return replaced


def approve(entry: SpeechEntry, *, actor: User) -> None:
    """An organiser approves an entry waiting for approval; audit-logged."""
    if entry.status != "registered":
        raise Problem(_("只能审核待审核的报名"))
    entry.status, entry.decided_by_id, entry.decided_at, entry.reject_reason = "approved", actor.id, utcnow(), None
    db.session.flush()
    record("speech.entry.approved", target=entry, actor=actor,
           summary=_("通过报名：%(member)s「%(speech)s」", member=entry.member.name, speech=entry.speech_title))


def approve_all(contest: SpeechContest, *, actor: User) -> int:
    """An organiser approves every entry of the contest waiting for approval at once; one audit entry
    names them all; how many."""
    waiting = list(db.session.scalars(sa.select(SpeechEntry).where(
        SpeechEntry.contest_id == contest.id, SpeechEntry.status == "registered").order_by(SpeechEntry.id)))
    now = utcnow()
    for entry in waiting:
        entry.status, entry.decided_by_id, entry.decided_at, entry.reject_reason = "approved", actor.id, now, None
    db.session.flush()
    if waiting:
        record("speech.entry.approved_all", target=contest, actor=actor, entry_ids=[entry.id for entry in waiting],
               summary=_("一次通过演讲比赛「%(title)s」的 %(n)s 条报名", title=contest.title, n=len(waiting)))
    return len(waiting)


def unit_summary(contest: SpeechContest) -> list[tuple[str, int, int]]:
    """Per unit with entries: its name, entries waiting for approval, approved entries (by unit order)."""
    from app.units.models import Unit

    rows = db.session.execute(
        sa.select(Unit.name, sa.func.count().filter(SpeechEntry.status == "registered"),
                  sa.func.count().filter(SpeechEntry.status == "approved"))
        .join(Unit, Unit.id == SpeechEntry.unit_id)
        .where(SpeechEntry.contest_id == contest.id, SpeechEntry.status.in_(LIVE_STATUSES))
        .group_by(Unit.id, Unit.name, Unit.sort_order).order_by(Unit.sort_order, Unit.name))
    return [(name, waiting, approved) for name, waiting, approved in rows]


def reject(entry: SpeechEntry, *, actor: User, reason: str) -> None:
    """An organiser rejects a live entry before the draw, with a reason the liaison and the member
    see; its seat goes back to the unit; audit-logged."""
    reason = (reason or "").strip()
    if not reason:
        raise Problem(_("请填写不通过的原因"), "reason")
    if entry.status not in LIVE_STATUSES or _is_drawn(entry):
        raise Problem(_("这条报名已不能审核"))
    entry.status, entry.unit_seat, entry.reject_reason = "rejected", None, reason[:200]
    entry.decided_by_id, entry.decided_at = actor.id, utcnow()
    db.session.flush()
    record("speech.entry.rejected", target=entry, actor=actor, reason=entry.reject_reason,
           summary=_("未通过报名：%(member)s「%(speech)s」", member=entry.member.name, speech=entry.speech_title))


def withdraw(entry: SpeechEntry, *, actor: User) -> None:
    """The contestant, their liaison or an organiser withdraws a live entry before the draw (after it,
    the host marks 弃权 on the day); its seat goes back to the unit; audit-logged."""
    if not can_see_entry(actor, entry):
        raise Problem(_("不能撤回这条报名"))
    if entry.status not in LIVE_STATUSES:
        raise Problem(_("这条报名已撤回或未通过"))
    if _is_drawn(entry):
        raise Problem(_("已经抽签，请在比赛现场标记弃权"))
    entry.status, entry.unit_seat, entry.withdrawn_at = "withdrawn", None, utcnow()
    db.session.flush()
    record("speech.entry.withdrawn", target=entry, actor=actor,
           summary=_("撤回报名：%(member)s「%(speech)s」", member=entry.member.name, speech=entry.speech_title))


# ---------------------------------------------------------------- reading

def contest_entries(contest: SpeechContest, *, unit_id: int | None = None, status: str | None = None
                    ) -> list[SpeechEntry]:
    """The contest's entries (one unit's, one status's) with member and unit loaded, by unit then name."""
    from app.units.models import Unit

    query = (sa.select(SpeechEntry).join(User, User.id == SpeechEntry.member_id).join(Unit, Unit.id == SpeechEntry.unit_id)
             .where(SpeechEntry.contest_id == contest.id)
             .options(sa.orm.contains_eager(SpeechEntry.member), sa.orm.contains_eager(SpeechEntry.unit))
             .order_by(Unit.sort_order, Unit.name, User.name, SpeechEntry.id))
    if unit_id is not None:
        query = query.where(SpeechEntry.unit_id == unit_id)
    if status:
        query = query.where(SpeechEntry.status == status)
    return list(db.session.scalars(query))


def seats_used(contest: SpeechContest, unit_id: int) -> int:
    """How many live entries the unit has."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(SpeechEntry).where(
        SpeechEntry.contest_id == contest.id, SpeechEntry.unit_id == unit_id, SpeechEntry.status.in_(LIVE_STATUSES)))


def registrable_members(contest: SpeechContest, unit_id: int) -> list[User]:
    """Active members of the unit without a live entry in the contest, by name."""
    live = sa.select(SpeechEntry.member_id).where(SpeechEntry.contest_id == contest.id,
                                                  SpeechEntry.status.in_(LIVE_STATUSES))
    return list(db.session.scalars(sa.select(User).where(User.unit_id == unit_id, User.active.is_(True),
                                                         User.id.not_in(live)).order_by(User.name, User.id)))


def member_entries(user: User) -> dict[int, SpeechEntry]:
    """The member's own entries by contest id."""
    return {entry.contest_id: entry for entry in db.session.scalars(
        sa.select(SpeechEntry).where(SpeechEntry.member_id == user.id))}


def open_contests(now=None) -> list[SpeechContest]:
    """Contests whose registration window is open now, soonest closing first."""
    contests = db.session.scalars(sa.select(SpeechContest).options(sa.orm.selectinload(SpeechContest.rounds)).order_by(
        SpeechContest.registration_closes_at.is_(None), SpeechContest.registration_closes_at, SpeechContest.id))
    return [contest for contest in contests if window_state(contest, now) == OPEN]
