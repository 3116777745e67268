"""The 'world' the route walk runs in: two units, people in every role, and real objects whose ids
fill the path arguments of every route."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.accounts.models import User
from app.campaigns.models import Campaign, CampaignPhase
from app.common.clock import utcnow
from app.extensions import db
from app.units.models import Unit
from quizzes.services.attempts import question_snapshot


@dataclass
class World:
    unit_a: Unit  # the walking member's unit
    branch_a: Unit
    unit_b: Unit  # another unit: its liaison must not reach unit A's things
    member: User  # a member of unit A (walks the routes)
    other_member: User  # another member of unit A (whose things the member must not reach)
    liaison_b: User  # liaison of unit B
    judge: User
    organiser: User
    admin: User
    campaign: Campaign
    # Path-argument name -> the id of a real object. Arguments not listed get an id that does not exist.
    values: dict = field(default_factory=dict)
    # Path-argument names whose value belongs to unit A: a liaison of unit B must be refused.
    unit_a_arguments: set = field(default_factory=set)
    # Path-argument names whose value belongs to other_member: the walking member must be refused.
    other_member_arguments: set = field(default_factory=set)
    # Ids of further objects for OWNERSHIP_CASES (e.g. other_member's submitted attempt).
    extra: dict = field(default_factory=dict)
    # Endpoint prefix -> path-argument values that differ there (two features both name a `round_id`).
    scoped_values: dict = field(default_factory=dict)

    def values_for(self, endpoint: str) -> dict:
        """The path-argument values for `endpoint`: the feature's own where it names one, else the shared ones."""
        scoped = next((values for prefix, values in self.scoped_values.items() if endpoint.startswith(prefix)), {})
        return {**self.values, **scoped}

    def identities(self) -> dict[str, User | None]:
        return {"anonymous": None, "member": self.member, "liaison_b": self.liaison_b, "judge": self.judge,
                "organiser": self.organiser, "admin": self.admin}


def build_world(make_unit, make_user, make_staff) -> World:
    unit_a = make_unit("甲单位")
    branch_a = make_unit("甲单位第一支部", parent=unit_a)
    unit_b = make_unit("乙单位")
    member = make_user(name="甲成员", unit=unit_a, branch=branch_a)
    other_member = make_user(name="甲另一成员", unit=unit_a, branch=branch_a)
    campaign = Campaign(name="测试专项活动", description="", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    campaign.phases = [CampaignPhase(position=1, name="第一阶段", starts_on=date(2026, 1, 1),
                                     ends_on=date(2026, 6, 30))]
    db.session.add(campaign)
    db.session.commit()
    world = World(
        unit_a=unit_a, branch_a=branch_a, unit_b=unit_b, member=member, other_member=other_member,
        liaison_b=make_staff("liaison", unit=unit_b, name="乙联络员"),
        judge=make_staff("judge", name="评委"),
        organiser=make_staff("organiser", name="组织方"),
        admin=make_staff("admin", name="管理员"),
        campaign=campaign,
    )
    unit_scoped = {"unit_id": unit_a.id, "branch_id": branch_a.id, "user_id": other_member.id,
                   "member_id": other_member.id, "person_id": other_member.id}
    world.values.update(unit_scoped)
    world.unit_a_arguments.update(unit_scoped)
    world.other_member_arguments.update({"user_id", "member_id", "person_id"})
    world.values.update({"campaign_id": campaign.id, "phase_id": campaign.phases[0].id})
    for seed in WORLD_SEEDERS:
        seed(world)
    db.session.commit()
    return world


def seed_quizzes(world: World) -> None:
    """A bank with a question, an open published quiz, other_member's open and submitted attempts and
    a practice answer of theirs: the ids behind quiz routes, two of them not the walking member's."""
    from quizzes.models import Attempt, AttemptItem, PaperRule, PracticeAnswer, Question, QuestionBank, Quiz

    now = utcnow()
    bank = QuestionBank(name="路由巡检题库")
    question = Question(bank=bank, question_type="single", stem="巡检题？", stem_digest="0" * 64,
                        options=["甲", "乙", "丙", "丁"], answer="A", points=1.0)
    quiz = Quiz(campaign=world.campaign, title="路由巡检竞赛", opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=7), time_limit_seconds=1800, attempts_allowed=3,
                is_published=True, banks=[bank])
    quiz.rules = [PaperRule(position=1, question_type="single", count=1, points_each=1.0)]
    db.session.add_all([bank, question, quiz])
    db.session.flush()
    submitted = Attempt(quiz=quiz, user_id=world.other_member.id, number=1, seed=1, started_at=now - timedelta(hours=2),
                        deadline_at=now - timedelta(hours=1, minutes=30), max_score=1.0)
    submitted.items = [AttemptItem(position=1, question_id=question.id, points=1.0, option_order=[0, 1, 2, 3],
                                   response="A", is_correct=True, awarded=1.0,
                                   **question_snapshot(question))]
    attempt = Attempt(quiz=quiz, user_id=world.other_member.id, number=2, seed=2, started_at=now,
                      deadline_at=now + timedelta(minutes=30), max_score=1.0)
    attempt.items = [AttemptItem(position=1, question_id=question.id, points=1.0, option_order=[0, 1, 2, 3],
                                 **question_snapshot(question))]
    answer = PracticeAnswer(user_id=world.other_member.id, bank_id=bank.id, question_id=question.id, response="B",
                            is_correct=False)
    db.session.add(submitted)
    db.session.flush()  # submitted as the app does it: opened first, then closed (open_slot defaults to 1)
    submitted.submitted_at, submitted.open_slot, submitted.submit_reason = now - timedelta(hours=1, minutes=45), None, "member"
    submitted.score, submitted.time_used_seconds = 1.0, 900.0
    db.session.add_all([attempt, answer])
    db.session.flush()
    world.values.update({"bank_id": bank.id, "question_id": question.id, "quiz_id": quiz.id,
                         "attempt_id": attempt.id, "answer_id": answer.id})
    world.extra.update({"submitted_attempt_id": submitted.id})
    world.unit_a_arguments.update({"attempt_id", "answer_id"})
    world.other_member_arguments.update({"attempt_id", "answer_id"})


def seed_jobs(world: World) -> None:
    """A finished job of the organiser's, with its result: only the organiser may see it."""
    from app.common.jobs import Job

    job = Job(owner_id=world.organiser.id, kind="members.import", status="done", params={},
              result={"created": 1, "updated": 0, "unchanged": 0, "total": 1})
    db.session.add(job)
    db.session.flush()
    world.values["job_id"] = job.id


def seed_speech(world: World) -> None:
    """A speech contest in the world's campaign with one live round: other_member's approved entry on
    stage in slot 1, and the world's judge in seat 1. entry_id belongs to unit A and to other_member."""
    from events.speech.models import SpeechContest, SpeechEntry, SpeechJudge, SpeechRound, SpeechSlot

    contest = SpeechContest(campaign_id=world.campaign.id, title="路由巡检演讲比赛", criteria=[], group_weights={},
                            overtime_bands=[], tie_breaks=[], award_tiers=[], criterion_awards=[])
    round_ = SpeechRound(contest=contest, position=1, name="决赛", status="live")
    entry = SpeechEntry(contest=contest, member_id=world.other_member.id, unit_id=world.unit_a.id, unit_seat=1,
                        speech_title="巡检题目", status="approved")
    db.session.add_all([contest, round_, entry])
    db.session.flush()
    slot = SpeechSlot(round_id=round_.id, entry_id=entry.id, position=1, status="on_stage")
    judge = SpeechJudge(round_id=round_.id, user_id=world.judge.id, seat=1, binding_secret="walk-secret")
    db.session.add_all([slot, judge])
    db.session.flush()
    round_.current_slot_id = slot.id
    world.values.update({"contest_id": contest.id, "round_id": round_.id, "entry_id": entry.id,
                         "slot_id": slot.id, "judge_id": judge.id})
    world.unit_a_arguments.add("entry_id")
    world.other_member_arguments.add("entry_id")


def seed_checkin(world: World) -> None:
    """A meeting taking check-ins now, with other_member checked in: the ids behind check-in routes."""
    from events.checkin.models import CheckinEvent, CheckinRecord

    now = utcnow()
    event = CheckinEvent(campaign_id=world.campaign.id, title="路由巡检会议", event_type="assembly",
                         starts_at=now, ends_at=now + timedelta(hours=2), late_at=now + timedelta(minutes=5),
                         closes_at=now + timedelta(hours=1), allow_static_code=True)
    db.session.add(event)
    db.session.flush()
    record = CheckinRecord(event_id=event.id, user_id=world.other_member.id, kind="check_in", method="manual",
                           checked_at=now)
    db.session.add(record)
    db.session.flush()
    world.values.update({"event_id": event.id, "record_id": record.id})


def seed_checkin_attendance(world: World) -> None:
    """A meeting of unit A open now (snapshot taken), other_member's pending leave, an exemption and a
    photo row: the ids behind the attendance-side check-in routes, all unit A's."""
    from events.checkin.models import CheckinEvent, CheckinExemption, CheckinLeave, CheckinPhoto
    from events.checkin.services.invitees import ensure_snapshot

    now = utcnow()
    event = CheckinEvent(campaign_id=world.campaign.id, title="路由巡检会议", event_type="assembly",
                         host_unit_id=world.branch_a.id, starts_at=now - timedelta(minutes=10),
                         ends_at=now + timedelta(hours=2), late_at=now, closes_at=now + timedelta(hours=1),
                         invitee_scope="units", invitee_statuses=[])
    event.target_units = [world.unit_a]
    db.session.add(event)
    db.session.flush()
    ensure_snapshot(event, now=now)
    leave = CheckinLeave(event_id=event.id, user_id=world.other_member.id, kind="leave", reason="出差",
                         status="pending", requested_by_id=world.other_member.id)
    exemption = CheckinExemption(event_id=event.id, user_id=world.other_member.id, reason="病假")
    photo = CheckinPhoto(event_id=event.id, stored_name="route-walk-missing.png", content_type="image/png",
                         size_bytes=1)
    db.session.add_all([leave, exemption, photo])
    db.session.flush()
    world.values.setdefault("event_id", event.id)
    world.extra["attendance_event_id"] = event.id  # unit A's meeting (seed_checkin's invites everyone)
    world.values.update({"leave_id": leave.id, "exemption_id": exemption.id, "photo_id": photo.id})
    world.unit_a_arguments.update({"leave_id", "exemption_id", "photo_id"})
    world.other_member_arguments.update({"leave_id"})


def seed_exhibition(world: World) -> None:
    """An open exhibition with other_member's submitted (not yet accepted) work and its image: the
    walking member and the other unit's liaison must not reach either."""
    from events.exhibition.models import Exhibition, ExhibitionCategory, Work, WorkImage

    now = utcnow()
    exhibition = Exhibition(campaign_id=world.campaign.id, title="路由巡检书画摄影展", opens_at=now - timedelta(days=1),
                            closes_at=now + timedelta(days=7), last_number=1)
    category = ExhibitionCategory(name="摄影", position=1, works_per_member=1, max_images=2, min_long_edge=100,
                                  is_photo=True)
    exhibition.categories = [category]
    db.session.add(exhibition)
    db.session.flush()
    work = Work(exhibition_id=exhibition.id, category_id=category.id, number=1, author_id=world.other_member.id,
                unit_id=world.unit_a.id, slot=1, title="巡检作品", status="submitted", submitted_at=now)
    work.images = [WorkImage(exhibition_id=exhibition.id, position=1, original_file="A" * 32 + ".jpg",
                             extension="jpg", byte_size=1, content_hash="0" * 64, width=200, height=100,
                             status="ready", thumbnail_file="B" * 32 + ".jpg", display_file="C" * 32 + ".jpg")]
    db.session.add(work)
    db.session.flush()
    world.values.update({"exhibition_id": exhibition.id, "category_id": category.id, "work_id": work.id,
                         "image_id": work.images[0].id})
    world.unit_a_arguments.update({"work_id", "image_id"})
    world.other_member_arguments.update({"work_id", "image_id"})


def seed_participation(world: World) -> None:
    """The world campaign's figure settings (the quiz and check-in required, with targets and weights), so
    the participation pages walk with required figures, chase lists and a composite ranking."""
    from decimal import Decimal

    from app.participation.models import ParticipationSetting

    for key, required, target in (("quiz", True, Decimal("70")), ("checkin", True, Decimal("60"))):
        db.session.add(ParticipationSetting(campaign_id=world.campaign.id, key=key, required=required,
                                            target_rate=target, weight=Decimal("1"), counts_for_coverage=True))
    db.session.flush()


def seed_participation_input(world: World) -> None:
    """A pending exemption and a pending offline record of other_member's (unit A), entered by hand:
    the other unit's liaison must reach neither, nor change them."""
    from app.participation.models import OfflineParticipation, ParticipationExemption

    today = world.campaign.starts_on + timedelta(days=10)
    exemption = ParticipationExemption(user_id=world.other_member.id, campaign_id=world.campaign.id, kind="other",
                                       reason="巡检", starts_on=today, status="pending")
    record = OfflineParticipation(campaign_id=world.campaign.id, provider_key="quiz", user_id=world.other_member.id,
                                  unit_id=world.unit_a.id, took_part_on=today, took_part_at=utcnow(),
                                  source="written_quiz", status="pending")
    db.session.add_all([exemption, record])
    db.session.flush()
    world.values.update({"exempt_id": exemption.id, "offline_id": record.id})
    world.unit_a_arguments.update({"exempt_id", "offline_id"})
    world.other_member_arguments.update({"exempt_id", "offline_id"})


def seed_exhibition_rounds(world: World) -> None:
    """An open judging round of the exhibition with the world's judge, who is assigned the work: the
    ids behind the organiser's round pages and the judge's tablet pages."""
    from events.exhibition.round_models import ExhibitionAssignment, ExhibitionRound, ExhibitionRoundJudge

    round_ = ExhibitionRound(exhibition_id=world.values["exhibition_id"], position=1, name="初评", method="score",
                             quorum=1, advance_kind="none", status="open", opened_at=utcnow())
    db.session.add(round_)
    db.session.flush()
    judge = ExhibitionRoundJudge(round_id=round_.id, user_id=world.judge.id)
    db.session.add(judge)
    db.session.flush()
    db.session.add(ExhibitionAssignment(round_id=round_.id, work_id=world.values["work_id"], judge_id=judge.id))
    # speech's seeder names a round_id and a judge_id too: the exhibition's routes get their own
    world.scoped_values["exhibition."] = {"round_id": round_.id, "judge_id": judge.id}


def seed_exhibition_awards(world: World) -> None:
    """The exhibition's award tiers, an open members' vote and a published 公示 version, so the awards
    and vote pages render with content for every identity."""
    from events.exhibition.award_models import ExhibitionAwardTier, ExhibitionResultVersion, ExhibitionVoting

    now = utcnow()
    exhibition_id, category_id = world.values["exhibition_id"], world.values["category_id"]
    db.session.add_all([
        ExhibitionAwardTier(category_id=category_id, position=1, name="一等奖", award_count=1),
        ExhibitionAwardTier(category_id=category_id, position=2, name="优秀奖", award_count=None),
        ExhibitionVoting(exhibition_id=exhibition_id, opens_at=now - timedelta(hours=1),
                         closes_at=now + timedelta(days=2), daily_limit=3),
        ExhibitionResultVersion(exhibition_id=exhibition_id, version=1, status="published", published_at=now,
                                published_by_id=world.organiser.id, notice_until=date.today() + timedelta(days=3),
                                standings=[{"work_id": world.values["work_id"], "category_id": category_id,
                                            "category": "摄影", "number": "0001", "title": "巡检作品",
                                            "author": "甲另一成员", "unit": "甲单位", "rank": 1, "score": "90.00",
                                            "exact": "90", "award": "一等奖", "final": True, "note": ""}]),
    ])
    db.session.flush()


# Functions(world) that add objects of later features (quizzes, events…) and their ids to world.values.
WORLD_SEEDERS: list = [seed_quizzes, seed_jobs, seed_speech, seed_checkin, seed_checkin_attendance,
                       seed_exhibition, seed_exhibition_rounds, seed_exhibition_awards, seed_participation_input,
                       seed_participation]
