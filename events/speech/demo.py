"""The demo speech contest: a contest in the demo campaign with registered contestants, a drawn
running order, three judges (judge1–3, seats 1–3) and the first contestants already scored, so a
newcomer sees the host console, the tablets, the big screen and the results working."""
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.models import User
from app.common.clock import utcnow
from app.extensions import db
from events.judging.sheets import stored_scores
from events.speech.models import (
    SpeechContest,
    SpeechDeduction,
    SpeechEntry,
    SpeechJudge,
    SpeechRound,
    SpeechSheet,
    SpeechSheetVersion,
    SpeechSlot,
)
from events.speech.services.binding import new_binding_secret

DEMO_CONTEST_TITLE = "“解放思想、担当作为”主题演讲比赛"
DEMO_UNITS = ("市委办公室", "市政府办公室", "市委组织部", "市委宣传部", "市发展和改革委员会", "市教育局",
              "市公安局", "市财政局")
DEMO_TITLES = ("在解放思想中勇担使命", "让改革创新成为习惯", "做新时代的答卷人", "敢为人先，实干争先",
               "把群众的事办到心坎上", "以思想之变引领发展之变", "破除“等靠要”，跑出加速度", "青春在担当中闪光")
SCORED = 3  # the first three contestants have spoken and been scored; the fourth is on stage


def _contestants(ctx) -> list[User]:
    """One roster member of each demo unit (not a demo login), the first by staff ID."""
    logins = set(ctx.accounts)
    people = []
    for name in DEMO_UNITS:
        unit = ctx.units.get(name)
        if unit is None:
            continue
        person = db.session.scalar(sa.select(User).where(User.unit_id == unit.id, User.active.is_(True),
                                                         User.staff_id.not_in(logins)).order_by(User.staff_id).limit(1))
        if person is not None:
            people.append(person)
    return people


def _sheet(rng) -> dict[str, Decimal]:
    """A plausible sheet on the default criteria (40/30/10/20), step 0.1."""
    def pick(low, high):
        return Decimal(rng.randint(low * 10, high * 10)) / 10
    return {"演讲内容": pick(31, 38), "语言表达": pick(23, 28), "形象风度": pick(7, 10), "综合印象": pick(15, 19)}


def load_demo_contest(ctx) -> None:
    """The demo contest, once: 8 approved contestants in a drawn order, judge1–3 seated, three
    contestants scored (one with an overtime deduction), the fourth on stage with one sheet to come."""
    if ctx.campaign is None or "judge1" not in ctx.accounts:
        return
    exists = db.session.scalar(sa.select(SpeechContest.id).where(SpeechContest.campaign_id == ctx.campaign.id,
                                                                 SpeechContest.title == DEMO_CONTEST_TITLE))
    if exists is not None:
        return
    now = utcnow()
    organiser = ctx.accounts.get("organiser")
    contest = SpeechContest(
        campaign_id=ctx.campaign.id, title=DEMO_CONTEST_TITLE, venue="市委党校报告厅", held_on=ctx.today,
        description="各单位选派 1–2 名干部参赛，每人演讲不超过 8 分钟，7 分 30 秒响铃提示。",
        registration_opens_at=now - timedelta(days=21), registration_closes_at=now - timedelta(days=3),
        quota_per_unit=2, time_limit_seconds=480, warning_seconds=450,
        criterion_awards=[{"name": "最佳风采奖", "criterion": "形象风度"}],
    )
    db.session.add(contest)
    db.session.flush()
    round_ = SpeechRound(contest_id=contest.id, position=1, name="决赛", status="live", draw_algorithm="manual",
                         drawn_at=now - timedelta(hours=2), drawn_by_id=organiser.id if organiser else None,
                         screen_mode="on_stage", reveal_policy="each")
    db.session.add(round_)
    entries = []
    for index, person in enumerate(_contestants(ctx)):
        entries.append(SpeechEntry(
            contest_id=contest.id, member_id=person.id, unit_id=person.unit_id, unit_seat=1,
            speech_title=DEMO_TITLES[index % len(DEMO_TITLES)], introduction="", status="approved",
            registered_by_id=organiser.id if organiser else None, decided_by_id=organiser.id if organiser else None,
            decided_at=now - timedelta(days=2), created_at=now - timedelta(days=10 - index % 5)))
    db.session.add_all(entries)
    db.session.flush()
    judges = [SpeechJudge(round_id=round_.id, user_id=ctx.accounts[f"judge{seat}"].id, seat=seat,
                          is_chief=seat == 1, binding_secret=new_binding_secret(), last_seen_at=now)
              for seat in (1, 2, 3) if f"judge{seat}" in ctx.accounts]
    db.session.add_all(judges)
    order = list(entries)
    ctx.rng.shuffle(order)  # the resolved order is the record (entered as a 现场抽签)
    slots = []
    for position, entry in enumerate(order, start=1):
        slot = SpeechSlot(round_id=round_.id, entry_id=entry.id, position=position, status="waiting")
        if position <= SCORED:
            spoke = now - timedelta(minutes=12 * (SCORED + 1 - position))
            slot.status, slot.on_stage_at, slot.revealed_at = "done", spoke, spoke + timedelta(minutes=10)
            slot.timing_started_at, slot.spoken_seconds = spoke, Decimal(495 if position == 2 else 455 + position)
        elif position == SCORED + 1:
            slot.status, slot.on_stage_at = "on_stage", now - timedelta(minutes=2)
        slots.append(slot)
    db.session.add_all(slots)
    db.session.flush()
    round_.current_slot_id = slots[SCORED].id if len(slots) > SCORED else None
    for slot in slots[:SCORED + 1]:
        for judge in judges:
            if slot.position == SCORED + 1 and judge.seat == 3:
                continue  # still scoring the contestant on stage
            scores = _sheet(ctx.rng)
            submitted = (slot.on_stage_at or now) + timedelta(minutes=9, seconds=judge.seat * 7)
            sheet = SpeechSheet(slot_id=slot.id, judge_id=judge.id, scores=stored_scores(scores),
                                total=sum(scores.values(), Decimal(0)), source="device", version=1,
                                entered_by_id=judge.user_id, submitted_at=min(submitted, now))
            db.session.add(sheet)
            db.session.flush()
            db.session.add(SpeechSheetVersion(sheet_id=sheet.id, version=1, scores=sheet.scores, total=sheet.total,
                                              source="device", entered_by_id=judge.user_id,
                                              submitted_at=sheet.submitted_at))
    if len(slots) > 1:
        db.session.add(SpeechDeduction(slot_id=slots[1].id, kind="overtime", points=Decimal("0.2"),
                                       reason="超时 15 秒", created_at=slots[1].on_stage_at + timedelta(minutes=9)))
    db.session.flush()
    ctx.note(f"演讲比赛：{DEMO_CONTEST_TITLE}（决赛进行中，{len(slots)} 名选手，前 {SCORED} 名已评分，"
             f"judge1–judge3 为 1–3 号评委，judge1 为总评委）")
