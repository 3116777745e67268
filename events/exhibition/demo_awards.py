"""Demo additions on top of the demo exhibition and its judging rounds: award tiers in every
category, the awards published for 公示 wherever a scoring round has closed, and a members' vote in
progress with a few votes (left alone when the vote is already there)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.common.clock import to_local, utcnow
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.award_models import ExhibitionVoting
from events.exhibition.demo import DEMO_TITLE
from events.exhibition.models import Exhibition, Work
from events.exhibition.services import awards, votes

DEMO_TIERS = (("一等奖", 1), ("二等奖", 1), ("三等奖", 1), ("优秀奖", None))


def load_demo_awards(ctx=None) -> None:
    exhibition = db.session.scalar(sa.select(Exhibition).where(Exhibition.title == DEMO_TITLE))
    if exhibition is None:
        return
    if db.session.scalar(sa.select(ExhibitionVoting.id).where(ExhibitionVoting.exhibition_id == exhibition.id)):
        if ctx is not None:
            ctx.note("书画摄影展：奖项与人气奖投票已存在，未改动")
        return
    organiser = db.session.scalar(sa.select(User).where(User.staff_id == "organiser"))
    if organiser is None:
        return
    for category in exhibition.categories:
        awards.set_tiers(organiser, category, DEMO_TIERS)
    published = ""
    try:
        today = ctx.today if ctx is not None else to_local(utcnow()).date()
        version = awards.publish_awards(exhibition, organiser, today + timedelta(days=5))
        published = f"，评选结果第 {version.version} 版公示至 {version.notice_until.isoformat()}"
    except Problem as problem:  # no scoring round has closed in this demo yet
        published = f"，评选结果未发布（{problem.message}）"
    now = utcnow()
    local_now = to_local(now).replace(tzinfo=None)
    votes.set_voting(organiser, exhibition, local_now - timedelta(days=1),
                     datetime.combine(local_now.date() + timedelta(days=7), time(18, 0)), 3)
    accepted = list(db.session.scalars(sa.select(Work).where(Work.exhibition_id == exhibition.id,
                                                             Work.status == "accepted").order_by(Work.number)))
    voters = list(db.session.scalars(sa.select(User).where(User.unit_id.is_not(None)).order_by(User.id).limit(8)))
    cast = 0
    for index, voter in enumerate(voters):
        for work in accepted[index % 3: index % 3 + 2]:
            if votes.is_own_work(voter, work):
                continue
            try:
                _vote, made = votes.cast_vote(voter, work)
            except Problem:
                continue
            cast += made
    db.session.flush()
    if ctx is not None:
        ctx.note(f"书画摄影展：各类别已设奖项{published}；人气奖投票进行中（每人每天 3 票，已有 {cast} 票，票数未公布）")
