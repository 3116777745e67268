"""A campaign with `units` units (two branches each), `members` members and every real activity's
records, written with Core bulk inserts: for the query-count test and the timings (real providers)."""
from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.common.clock import from_local
from app.extensions import db
from app.participation.history import record_membership
from app.participation.models import OfflineParticipation, ParticipationExemption
from app.units.models import Unit

START = date(2026, 3, 1)


def _insert(model, rows, chunk=2000):
    table = model.__table__ if hasattr(model, "__table__") else model
    for index in range(0, len(rows), chunk):
        db.session.execute(sa.insert(table), rows[index:index + chunk])


def build_campaign(*, units: int, members: int, seed: int = 7, prefix: str = "B") -> Campaign:
    """Build and commit the data set; return the campaign (as-of: 20 March 2026)."""
    from events.checkin.models import CheckinEvent, CheckinInvitee, CheckinRecord
    from events.exhibition.models import Exhibition, ExhibitionCategory, Work
    from events.speech.models import SpeechContest, SpeechEntry
    from quizzes.models import Attempt, PracticeAnswer, Question, QuestionBank, Quiz

    rng = random.Random(seed)
    base = from_local(__import__("datetime").datetime(2026, 3, 1, 9))
    campaign = Campaign(name=f"{prefix}全覆盖", description="", starts_on=START, ends_on=START + timedelta(days=60))
    db.session.add(campaign)
    tops = [Unit(name=f"{prefix}单位{index:03d}", sort_order=index) for index in range(units)]
    db.session.add_all(tops)
    db.session.flush()
    branches = {top.id: [Unit(name=f"{prefix}{top.name}第{n}支部", parent_id=top.id, sort_order=n) for n in (1, 2)]
                for top in tops}
    db.session.add_all([branch for items in branches.values() for branch in items])
    db.session.flush()
    created = base - timedelta(days=30)
    people = []
    for index in range(members):
        top = tops[index % units]
        branch = branches[top.id][index % 2] if index % 5 else None
        people.append({"staff_id": f"{prefix}{index:06d}", "name": f"成员{index}", "unit_id": top.id,
                       "branch_id": branch.id if branch else None, "active": index % 97 != 0,
                       "password_hash": "x", "must_change_password": False, "created_at": created,
                       "updated_at": created, "is_branch_committee": False})
    _insert(User, people)
    record_membership(None)
    users = db.session.execute(sa.select(User.id, User.unit_id).where(User.staff_id.like(f"{prefix}%"))).all()

    bank = QuestionBank(name=f"{prefix}题库")
    question = Question(bank=bank, question_type="single", stem="题？", stem_digest="1" * 64,
                        options=["甲", "乙"], answer="A", points=1.0)
    quizzes = [Quiz(campaign=campaign, title=f"{prefix}竞赛{n}", opens_at=base, closes_at=base + timedelta(days=30),
                    banks=[bank]) for n in (1, 2)]
    contest = SpeechContest(campaign=campaign, title=f"{prefix}演讲", criteria=[], group_weights={},
                            overtime_bands=[], tie_breaks=[], award_tiers=[], criterion_awards=[])
    exhibition = Exhibition(campaign=campaign, title=f"{prefix}书画展", opens_at=base,
                            closes_at=base + timedelta(days=30), last_number=0)
    category = ExhibitionCategory(name="书法", position=1, works_per_member=1, max_images=2, min_long_edge=100)
    exhibition.categories = [category]
    events = [CheckinEvent(campaign=campaign, title=f"{prefix}会议{n}", event_type="assembly",
                           starts_at=base + timedelta(days=n), ends_at=base + timedelta(days=n, hours=2),
                           late_at=base + timedelta(days=n, minutes=5), closes_at=base + timedelta(days=n, hours=1))
              for n in (1, 2, 3)]
    db.session.add_all([bank, question, *quizzes, contest, exhibition, *events])
    db.session.flush()

    attempts, practice, entries, works, invitees, records = [], [], [], [], [], []
    for user_id, unit_id in users:
        when = base + timedelta(hours=rng.randrange(0, 24 * 18))
        for number, quiz in enumerate(quizzes):
            if rng.random() < 0.6:
                attempts.append({"quiz_id": quiz.id, "user_id": user_id, "number": 1, "seed": 1,
                                 "started_at": when, "deadline_at": when + timedelta(minutes=30),
                                 "submitted_at": when + timedelta(minutes=20 + number), "open_slot": None,
                                 "score": float(rng.randrange(40, 101)), "max_score": 100.0, "leave_count": 0,
                                 "mistakes_booked": False})
        if rng.random() < 0.3:
            practice.append({"user_id": user_id, "bank_id": bank.id, "question_id": question.id,
                             "is_correct": True, "answered_at": when})
        if rng.random() < 0.15:
            status = rng.choice(("registered", "approved", "approved"))
            entries.append({"contest_id": contest.id, "member_id": user_id, "unit_id": unit_id,
                            "speech_title": "题目", "status": status, "created_at": when, "updated_at": when,
                            "introduction": "", "self_applied": False,
                            "decided_at": when if status == "approved" else None})
        if rng.random() < 0.1:
            status = rng.choice(("submitted", "accepted"))
            works.append({"exhibition_id": exhibition.id, "category_id": category.id, "number": len(works) + 1,
                          "author_id": user_id, "unit_id": unit_id, "slot": 1, "title": "作品", "status": status,
                          "submitted_at": when, "reviewed_at": when if status == "accepted" else None,
                          "statement": "", "medium": "", "reject_reason": "", "processing": False,
                          "created_at": when, "updated_at": when})
        for event in events:
            invitees.append({"event_id": event.id, "user_id": user_id, "unit_id": unit_id, "source": "rule",
                             "is_branch_committee": False, "created_at": base})
            if rng.random() < 0.7:
                records.append({"event_id": event.id, "user_id": user_id, "kind": "check_in", "method": "manual",
                                "checked_at": event.starts_at, "note": "", "flag_shared_device": False,
                                "flag_token_tail": False})
    for model, rows in ((Attempt, attempts), (PracticeAnswer, practice), (SpeechEntry, entries), (Work, works),
                        (CheckinInvitee, invitees), (CheckinRecord, records)):
        _insert(model, rows)
    exempt = [{"user_id": user_id, "campaign_id": campaign.id, "kind": "sick_leave", "reason": "病休",
               "starts_on": START, "status": "approved"} for user_id, _unit in users[::150]]
    offline = [{"campaign_id": campaign.id, "provider_key": "quiz", "user_id": user_id, "unit_id": unit_id,
                "took_part_on": START + timedelta(days=3), "took_part_at": base + timedelta(days=3),
                "source": "written_quiz", "status": "approved"} for user_id, unit_id in users[5::120]]
    _insert(ParticipationExemption, exempt)
    _insert(OfflineParticipation, offline)
    db.session.commit()
    return campaign
