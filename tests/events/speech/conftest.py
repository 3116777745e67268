"""Speech contest fixtures: make_contest builds a contest with a round, approved contestants in a
drawn order and a seated panel, so each test starts from the hall it needs."""
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from app.extensions import db
from events.judging.sheets import stored_scores
from events.speech.models import SpeechContest, SpeechEntry, SpeechJudge, SpeechRound, SpeechSheet, SpeechSlot


@dataclass
class Hall:
    """What make_contest built: the contest, its first round, entries and slots in running order,
    judges (SpeechJudge rows, seat 1 first) and their users, and the units the contestants come from."""

    contest: SpeechContest
    round: SpeechRound
    entries: list[SpeechEntry]
    slots: list[SpeechSlot]
    judges: list[SpeechJudge]
    units: list = field(default_factory=list)

    def submit(self, slot: SpeechSlot, judge: SpeechJudge, scores: dict[str, str | Decimal]) -> SpeechSheet:
        """Store a submitted, locked sheet directly (no rules): for tests that need scores in place."""
        values = {name: Decimal(str(value)) for name, value in scores.items()}
        sheet = SpeechSheet(slot_id=slot.id, judge_id=judge.id, scores=stored_scores(values),
                            total=sum(values.values(), Decimal(0)), entered_by_id=judge.user_id)
        db.session.add(sheet)
        db.session.flush()
        return sheet


@pytest.fixture
def make_contest(app, make_campaign, make_unit, make_member, make_staff):
    """make_contest(contestants=5, judges=5, units=3, campaign=None, **contest_fields) -> Hall.

    Contestants are approved, spread over `units` units round-robin, in slots 1..n; judges are users
    with the judge role seated 1..m on the first round (named 1号评委…). Nothing is committed."""
    counter = itertools.count(1)

    def factory(contestants: int = 5, judges: int = 5, units: int = 3, campaign=None, **fields) -> Hall:
        number = next(counter)
        campaign = campaign or make_campaign()
        contest = SpeechContest(campaign_id=campaign.id, title=fields.pop("title", f"演讲比赛{number}"), **fields)
        db.session.add(contest)
        db.session.flush()
        round_ = SpeechRound(contest_id=contest.id, position=1, name="决赛")
        db.session.add(round_)
        made_units = [make_unit(f"参赛单位{number}-{index + 1}") for index in range(units)]
        entries, slots = [], []
        db.session.flush()
        for index in range(contestants):
            unit = made_units[index % units]
            member = make_member(unit=unit, name=f"选手{number}-{index + 1}")
            entry = SpeechEntry(contest_id=contest.id, member_id=member.id, unit_id=unit.id, unit_seat=None,
                                speech_title=f"题目{index + 1}", status="approved")
            db.session.add(entry)
            db.session.flush()
            slot = SpeechSlot(round_id=round_.id, entry_id=entry.id, position=index + 1)
            db.session.add(slot)
            entries.append(entry)
            slots.append(slot)
        seated = []
        for seat in range(1, judges + 1):
            user = make_staff("judge", name=f"{seat}号评委-{number}")
            judge = SpeechJudge(round_id=round_.id, user_id=user.id, seat=seat, binding_secret=f"secret{number}-{seat}")
            db.session.add(judge)
            seated.append(judge)
        round_.status = "drawn"
        db.session.flush()
        return Hall(contest, round_, entries, slots, seated, made_units)

    return factory
