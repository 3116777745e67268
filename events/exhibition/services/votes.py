"""The members' vote (人气奖): optional per exhibition, apart from the judges' result.

- The organiser sets a window and a daily limit; the vote is open from opens_at until closes_at or
  until closed early, and never reopens after it has closed (the window cannot be moved then).
- A signed-in member votes for accepted works of the exhibition, once per work (unique in the
  database), never for a work they made (author or co-author), at most daily_limit votes per
  Asia/Shanghai day: one conditional UPDATE on the member's day counter, so two phones voting at the
  same moment cannot pass the limit. Voting again for the same work answers as the first time.
- Per-work counts are never sent to a browser, the organiser's included, until the organiser shows
  them; before that only the totals (votes and voters) are on the organiser's page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.common.clock import from_local, local_today, utcnow
from app.common.problems import Problem
from app.common.upsert import insert_or_ignore
from app.extensions import db
from events.exhibition.award_models import (
    MAX_DAILY_VOTES,
    ExhibitionVote,
    ExhibitionVoteDay,
    ExhibitionVoting,
)
from events.exhibition.models import Exhibition, Work

AUDIT_LABELS = {
    "exhibition.vote_set": _l("设置人气奖投票"),
    "exhibition.vote_closed": _l("结束人气奖投票"),
    "exhibition.vote_counts_shown": _l("公布人气奖票数"),
    "exhibition.vote_counts_hidden": _l("隐藏人气奖票数"),
}


def voting_of(exhibition: Exhibition) -> ExhibitionVoting | None:
    return db.session.scalar(sa.select(ExhibitionVoting).where(ExhibitionVoting.exhibition_id == exhibition.id))


def is_closed(voting: ExhibitionVoting, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return voting.closed_at is not None or now >= voting.closes_at


def is_open(voting: ExhibitionVoting | None, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return voting is not None and voting.opens_at <= now and not is_closed(voting, now)


def counts_visible(voting: ExhibitionVoting | None) -> bool:
    return voting is not None and voting.counts_shown_at is not None


def set_voting(actor, exhibition: Exhibition, opens_at_local: datetime, closes_at_local: datetime,
               daily_limit: int) -> ExhibitionVoting:
    """The vote's window (Asia/Shanghai times) and daily limit (1–MAX_DAILY_VOTES); once it has
    closed nothing changes (no reopening), and once open its start stays where it was."""
    voting = voting_of(exhibition)
    now = utcnow()
    opens_at, closes_at = from_local(opens_at_local), from_local(closes_at_local)
    if voting is not None and is_closed(voting, now):
        raise Problem(_("投票已结束，不能重新开启或修改"), "closes_at")
    if not 1 <= int(daily_limit) <= MAX_DAILY_VOTES:
        raise Problem(_("每日票数应在 1 到 %(max)s 之间", max=MAX_DAILY_VOTES), "daily_limit")
    if voting is not None and voting.opens_at <= now:
        opens_at = voting.opens_at  # already open: the start is history
    if closes_at <= opens_at:
        raise Problem(_("结束时间必须晚于开始时间"), "closes_at")
    if closes_at <= now:
        raise Problem(_("结束时间必须晚于现在"), "closes_at")
    if voting is None:
        voting = ExhibitionVoting(exhibition_id=exhibition.id)
        db.session.add(voting)
    voting.opens_at, voting.closes_at, voting.daily_limit = opens_at, closes_at, int(daily_limit)
    db.session.flush()
    record("exhibition.vote_set", target=exhibition, actor=actor, summary=exhibition.title,
           opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(), daily_limit=voting.daily_limit)
    return voting


def close_voting(actor, exhibition: Exhibition) -> ExhibitionVoting:
    """The vote ends now, for good."""
    voting = voting_of(exhibition)
    if voting is None:
        raise Problem(_("本展览没有设置人气奖投票"), "vote")
    if is_closed(voting):
        raise Problem(_("投票已结束"), "vote")
    voting.closed_at = utcnow()
    record("exhibition.vote_closed", target=exhibition, actor=actor, summary=exhibition.title)
    return voting


def show_counts(actor, exhibition: Exhibition, shown: bool = True) -> ExhibitionVoting:
    """The organiser shows (or hides again) the per-work counts to members."""
    voting = voting_of(exhibition)
    if voting is None:
        raise Problem(_("本展览没有设置人气奖投票"), "vote")
    voting.counts_shown_at = utcnow() if shown else None
    record("exhibition.vote_counts_shown" if shown else "exhibition.vote_counts_hidden", target=exhibition,
           actor=actor, summary=exhibition.title)
    return voting


def is_own_work(user, work: Work) -> bool:
    return work.author_id == user.id or any(person.id == user.id for person in work.coauthors)


@dataclass(frozen=True)
class Ballot:
    """What a member may know about their vote for a work: whether they voted, how many votes they
    have left today, and whether they may vote for it (with the reason when not)."""

    voted: bool
    remaining: int
    may_vote: bool
    reason: str = ""


def used_today(voting: ExhibitionVoting, user) -> int:
    return db.session.scalar(sa.select(ExhibitionVoteDay.used).where(
        ExhibitionVoteDay.exhibition_id == voting.exhibition_id, ExhibitionVoteDay.voter_id == user.id,
        ExhibitionVoteDay.day == local_today())) or 0


def ballot(voting: ExhibitionVoting | None, user, work: Work) -> Ballot | None:
    """The member's ballot for `work`, None when the exhibition has no vote."""
    if voting is None:
        return None
    voted = db.session.scalar(sa.select(ExhibitionVote.id).where(
        ExhibitionVote.work_id == work.id, ExhibitionVote.voter_id == user.id)) is not None
    remaining = max(0, voting.daily_limit - used_today(voting, user))
    reason = ""
    if not is_open(voting):
        reason = _("投票尚未开始") if utcnow() < voting.opens_at else _("投票已结束")
    elif work.status != "accepted":
        reason = _("这件作品不在展出中")
    elif is_own_work(user, work):
        reason = _("不能给自己的作品投票")
    elif not voted and remaining == 0:
        reason = _("今天的 %(count)s 票已用完，明天再来", count=voting.daily_limit)
    return Ballot(voted, remaining, not voted and not reason, reason)


def cast_vote(user, work: Work) -> tuple[ExhibitionVote, bool]:
    """A member's vote for an accepted work of an open vote, not their own, within today's limit;
    (the vote, True) when cast now, (the earlier vote, False) when they had already voted for it."""
    voting = voting_of(work.exhibition)
    if voting is None:
        raise Problem(_("本展览没有设置人气奖投票"), "vote")
    if not is_open(voting):
        raise Problem(_("投票尚未开始") if utcnow() < voting.opens_at else _("投票已结束"), "vote")
    if work.status != "accepted":
        raise Problem(_("这件作品不在展出中"), "vote")
    if is_own_work(user, work):
        raise Problem(_("不能给自己的作品投票"), "vote")
    existing = db.session.scalar(sa.select(ExhibitionVote).where(ExhibitionVote.work_id == work.id,
                                                                 ExhibitionVote.voter_id == user.id))
    if existing is not None:
        return existing, False
    day = local_today()
    key = {"exhibition_id": work.exhibition_id, "voter_id": user.id, "day": day}
    try:
        with db.session.begin_nested():
            insert_or_ignore(ExhibitionVoteDay, {**key, "used": 0}, key.keys())
            counted = db.session.execute(
                sa.update(ExhibitionVoteDay)
                .where(ExhibitionVoteDay.exhibition_id == work.exhibition_id, ExhibitionVoteDay.voter_id == user.id,
                       ExhibitionVoteDay.day == day, ExhibitionVoteDay.used < voting.daily_limit)
                .values(used=ExhibitionVoteDay.used + 1).returning(ExhibitionVoteDay.used)
                .execution_options(synchronize_session=False)).first()
            if counted is None:
                raise Problem(_("今天的 %(count)s 票已用完，明天再来", count=voting.daily_limit), "vote")
            vote = ExhibitionVote(exhibition_id=work.exhibition_id, work_id=work.id, voter_id=user.id, day=day)
            db.session.add(vote)
            db.session.flush()
    except sa.exc.IntegrityError:
        # The same member's second tap at the same moment: the first one's vote stands, counted once.
        existing = db.session.scalar(sa.select(ExhibitionVote).where(ExhibitionVote.work_id == work.id,
                                                                     ExhibitionVote.voter_id == user.id))
        if existing is None:
            raise
        return existing, False
    return vote, True


def totals(exhibition: Exhibition) -> tuple[int, int]:
    """(votes cast, members who voted): what the organiser sees before showing the counts."""
    row = db.session.execute(sa.select(sa.func.count(ExhibitionVote.id), sa.func.count(ExhibitionVote.voter_id.distinct()))
                             .where(ExhibitionVote.exhibition_id == exhibition.id)).one()
    return int(row[0]), int(row[1])


def count_for(work: Work) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitionVote)
                             .where(ExhibitionVote.work_id == work.id)) or 0


def standings(exhibition: Exhibition, limit: int = 30) -> list[dict]:
    """The works with the most votes, most first (equal counts share a rank), for when the counts
    are shown: number, title, author, unit, votes, rank."""
    from app.accounts.models import User
    from app.common.ranking import competition_ranks
    from app.units.models import Unit

    rows = db.session.execute(
        sa.select(Work.id, Work.number, Work.title, User.name.label("author"), Unit.name.label("unit"),
                  sa.func.count(ExhibitionVote.id).label("votes"))
        .join(ExhibitionVote, ExhibitionVote.work_id == Work.id).join(User, User.id == Work.author_id)
        .outerjoin(Unit, Unit.id == Work.unit_id)
        .where(Work.exhibition_id == exhibition.id, Work.status == "accepted")
        .group_by(Work.id, Work.number, Work.title, User.name, Unit.name)
        .order_by(sa.func.count(ExhibitionVote.id).desc(), Work.number).limit(limit)).all()
    return [{"work_id": row.id, "number": f"{row.number:04d}", "title": row.title, "author": row.author,
             "unit": row.unit or "", "votes": row.votes, "rank": rank}
            for rank, row in competition_ranks(rows, key=lambda row: (-row.votes,))]
