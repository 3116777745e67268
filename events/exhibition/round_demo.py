"""Demo judging rounds for the demo exhibition: a closed 初评 (every sheet in, the best two per
category advance) and an open 复评 with some sheets, judged by the demo judges (judge1–judge3)."""
import random
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.models import User
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.demo import DEMO_TITLE
from events.exhibition.models import Exhibition
from events.exhibition.round_models import ExhibitionRound
from events.exhibition.services import assignments, round_sheets, rounds

JUDGES = ("judge1", "judge2", "judge3")


def _score_all(round_, rng: random.Random, *, share: float = 1.0) -> int:
    given = 0
    for judge in round_.judges:
        for item in round_sheets.my_works(round_, judge):
            if rng.random() > share:
                continue
            value = Decimal(rng.randrange(700, 980)) / 10
            round_sheets.submit_work_sheet(round_, judge, item.work, {"scores": {rounds.SCORE: str(value)}},
                                           actor=judge.user)
            given += 1
    return given


def load_demo_rounds(ctx=None) -> None:
    """初评 closed and 复评 open on the demo exhibition (left alone when it already has rounds)."""
    exhibition = db.session.scalar(sa.select(Exhibition).where(Exhibition.title == DEMO_TITLE))
    if exhibition is None:
        return
    if db.session.scalar(sa.select(ExhibitionRound.id).where(ExhibitionRound.exhibition_id == exhibition.id)):
        if ctx is not None:
            ctx.note("书画摄影展评审轮次已存在，未改动")
        return
    judges = list(db.session.scalars(sa.select(User).where(User.staff_id.in_(JUDGES)).order_by(User.staff_id)))
    if len(judges) < 2:
        return
    categories = list(exhibition.categories)
    rng = random.Random(40)
    first = rounds.create_round(None, exhibition, rounds.RoundSettings(
        name="初评", method="score", category_ids=[c.id for c in categories], quorum=2, advance_kind="top",
        advance_value=Decimal(2), step=Decimal("0.1")))
    second = rounds.create_round(None, exhibition, rounds.RoundSettings(
        name="复评", method="score", category_ids=[c.id for c in categories], quorum=len(judges),
        advance_kind="none", step=Decimal("0.1"), shows_description=True))
    for round_ in (first, second):
        for user in judges:
            assignments.add_judge(None, round_, user)
    try:
        assignments.open_round(None, first)
    except Problem:  # a demo without accepted works keeps its rounds as drafts
        return
    _score_all(first, rng)
    rounds.close_round(None, first)
    assignments.open_round(None, second)
    given = _score_all(second, rng, share=0.4)
    db.session.commit()
    if ctx is not None:
        ctx.note(f"书画摄影展评审：初评已结束，复评进行中（已交 {given} 份评分；评委 judge1–judge3）")
