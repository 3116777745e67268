#!/usr/bin/env python3
"""Participation statistics at campaign scale: the dashboard and the workbook for 100 units, 20,000
members and 10 activities with their records.

    .venv/bin/python bench/stats.py                    # SQLite file in a temp dir
    .venv/bin/python bench/stats.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/h_stats_pages_bench
    TEST_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/stats.py   # or SAISHI_DATABASE_URL

What it does, in one run:
 1. A fresh database (SQLite file, or the PostgreSQL database named, dropped and created again: its name
    must contain "bench" or "test"), schema by create_all; 100 units with two branches each, 20,000
    members (bulk inserts, one membership period each), a campaign, and the records of its activities:
    quiz attempts (70 %), practice (40 %), speech registrations (3 %, half approved, a third performed),
    exhibition works (5 %, half accepted), two meetings with invitee snapshots and check-ins (60 %), and
    two further activities registered by this script as providers (quizzes outside the campaign):
    10 figures in all, some required, with targets and weights.
 2. Through the app (Flask test client, signed in as an organiser): the dashboard page and the
    workbook, each timed after a warm-up (median of --repeat runs), and a bare Flask endpoint on the same
    app in the same run (median of 50), so that the ratio says how much of the time is the page's own.
    The dashboard eight ways: with no write between views (the figures the worker keeps); the first
    view of a new minute (the finished figures dropped; the parts app/participation/tally/ keeps and
    the attendance stay); the first view after a meeting has started (the attendance dropped too);
    right after a committed quiz submission (the quiz's records read again, three figures here read the
    attempts); right after a member moved to another unit on the roster page (the people's change log
    names the mover: their rows and invitations read again); right after a roster write the log cannot
    key, as an import's (every row of the people read again); cold, with nothing kept; and the first
    view of a worker that ran its warm-up before its first request, as gunicorn.conf.py has each worker
    do (and how long that warm-up took). The workbook as a new minute finds it, and cold.
 3. Prints the load average, the timings, the ratio, the SQL statements per dashboard view and per
    export, and whether each goal was met: dashboard < 300 ms for a running worker (no write, a new
    minute, a meeting started, after a submission, after a move, a warmed worker's first view), export
    < 3 s. Exit status 0 when both are.

The machine may be shared and busy: the bare endpoint's time says how busy.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from quiz_load import prepare_database  # noqa: E402  (bench/ on the path first)

PASSWORD = "Bench2026pass"
DASHBOARD_GOAL_MS = 300
EXPORT_GOAL_S = 3.0


def _extra_provider(key: str, label: str, quiz_id: int):
    """A further activity (as one added later would register itself): submitted attempts of one quiz."""
    import sqlalchemy as sa

    from app.hooks import ParticipationProvider
    from quizzes.models import Attempt

    def participants(_campaign):
        return (sa.select(Attempt.user_id.label("user_id"), Attempt.submitted_at.label("took_part_at"))
                .where(Attempt.quiz_id == quiz_id, Attempt.submitted_at.is_not(None)))

    return ParticipationProvider(key, label, f"{label}：至少交卷一次的人员", participants)


def build_app(url: str, extra_quizzes: list[int]):
    from app import create_app, hooks
    from app.common.access import public

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    for number, quiz_id in enumerate(extra_quizzes, start=1):
        hooks.add_participation_provider(app, _extra_provider(f"bench_extra_{number}", f"专题测试{number}", quiz_id))

    @app.get("/__bare")
    @public
    def bare():
        return "ok"

    return app


def seed(url: str, units: int, members: int) -> tuple[int, list[int]]:
    """The data set; returns the campaign id and the ids of the two extra quizzes."""
    import random

    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from app.accounts.models import RoleGrant, User
    from app.campaigns.models import Campaign
    from app.common.clock import utcnow
    from app.extensions import db
    from app.participation.models import MemberPeriod, ParticipationSetting
    from app.units.models import Unit
    from events.checkin.models import CheckinEvent, CheckinInvitee, CheckinRecord
    from events.exhibition.models import Exhibition, ExhibitionCategory, Work
    from events.speech.models import SpeechContest, SpeechEntry, SpeechRound, SpeechSlot
    from quizzes.models import Attempt, PracticeAnswer, Question, QuestionBank, Quiz, quiz_banks

    rng = random.Random(14)
    app = build_app(url, [])
    with app.app_context():
        db.create_all()
        now = utcnow()
        start = now - timedelta(days=20)
        tops = [Unit(name=f"压测单位{index:03d}", sort_order=index) for index in range(units)]
        db.session.add_all(tops)
        db.session.flush()
        branches = [Unit(name=f"第{number}党支部", parent_id=top.id, sort_order=number)
                    for top in tops for number in (1, 2)]
        db.session.add_all(branches)
        db.session.flush()
        branch_of = {top.id: [b.id for b in branches if b.parent_id == top.id] for top in tops}
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        rows = []
        for index in range(members):
            top = tops[index % units]
            rows.append({"staff_id": f"S{index:06d}", "name": f"压测{index}", "unit_id": top.id,
                         "branch_id": branch_of[top.id][index % 2], "mobile": f"139{index:08d}",
                         "password_hash": password_hash, "must_change_password": False,
                         "active": index % 97 != 0, "created_at": start, "updated_at": start})
        db.session.execute(sa.insert(User), rows)
        users = db.session.execute(sa.select(User.id, User.unit_id, User.branch_id, User.active)
                                   .where(User.staff_id.like("S%")).order_by(User.id)).all()
        db.session.execute(sa.insert(MemberPeriod), [
            {"user_id": u.id, "unit_id": u.unit_id, "branch_id": u.branch_id, "active": u.active,
             "valid_from": start, "valid_to": None} for u in users])
        organiser = User(staff_id="ORG0001", name="组织者", password_hash=password_hash, must_change_password=False)
        organiser.role_grants = [RoleGrant(role="organiser")]
        campaign = Campaign(name="压测专项活动", description="", starts_on=start.date(),
                            ends_on=now.date() + timedelta(days=20))
        other = Campaign(name="压测其他活动", description="", starts_on=start.date(), ends_on=campaign.ends_on)
        db.session.add_all([organiser, campaign, other])
        db.session.flush()

        bank = QuestionBank(name="压测题库")
        db.session.add(bank)
        db.session.flush()
        question = Question(bank_id=bank.id, question_type="single", stem="压测题", stem_digest="0" * 64,
                            options=["甲", "乙"], answer="A", points=1.0)
        db.session.add(question)
        quizzes = [Quiz(campaign_id=campaign.id if number == 0 else other.id, title=f"压测竞赛{number}",
                        opens_at=start, closes_at=now + timedelta(days=5), time_limit_seconds=1800,
                        attempts_allowed=1, is_published=True) for number in range(3)]
        db.session.add_all(quizzes)
        db.session.flush()
        attempts, practice = [], []
        for number, quiz in enumerate(quizzes):
            share = (0.7, 0.3, 0.2)[number]
            for user in users:
                if rng.random() < share:
                    taken = start + timedelta(minutes=rng.randrange(20 * 24 * 60))
                    attempts.append({"quiz_id": quiz.id, "user_id": user.id, "number": 1, "seed": 1,
                                     "started_at": taken, "deadline_at": taken + timedelta(minutes=30),
                                     "submitted_at": taken + timedelta(minutes=10), "open_slot": None,
                                     "submit_reason": "member", "score": float(rng.randrange(40, 101)),
                                     "max_score": 100.0, "time_used_seconds": 600.0})
        for user in users:
            if rng.random() < 0.4:
                practice.append({"user_id": user.id, "bank_id": bank.id, "question_id": question.id,
                                 "response": "A", "is_correct": True,
                                 "answered_at": start + timedelta(minutes=rng.randrange(20 * 24 * 60))})
        db.session.execute(sa.insert(Attempt.__table__), attempts)  # Core: open_slot NULL stays NULL
        db.session.execute(sa.insert(quiz_banks), [{"quiz_id": quizzes[0].id, "bank_id": bank.id}])  # practice counts
        db.session.execute(sa.insert(PracticeAnswer), practice)

        contest = SpeechContest(campaign_id=campaign.id, title="压测演讲比赛", criteria=[], group_weights={},
                                overtime_bands=[], tie_breaks=[], award_tiers=[], criterion_awards=[])
        exhibition = Exhibition(campaign_id=campaign.id, title="压测书画摄影展", opens_at=start,
                                closes_at=now + timedelta(days=5), last_number=0)
        category = ExhibitionCategory(name="摄影", position=1, works_per_member=1, max_images=2,
                                      min_long_edge=100, is_photo=True)
        exhibition.categories = [category]
        db.session.add_all([contest, exhibition])
        db.session.flush()
        entries, works = [], []
        for index, user in enumerate(users):
            if index % 33 == 0:
                entries.append({"contest_id": contest.id, "member_id": user.id, "unit_id": user.unit_id,
                                "speech_title": "压测题目", "status": "approved" if index % 2 else "registered",
                                "created_at": start + timedelta(days=1)})
            if index % 20 == 0:
                works.append({"exhibition_id": exhibition.id, "category_id": category.id, "number": len(works) + 1,
                              "author_id": user.id, "unit_id": user.unit_id, "slot": 1, "title": "压测作品",
                              "status": "accepted" if index % 40 == 0 else "submitted",
                              "submitted_at": start + timedelta(days=2)})
        db.session.execute(sa.insert(SpeechEntry), entries)
        speech_round = SpeechRound(contest_id=contest.id, position=1, name="初赛")
        db.session.add(speech_round)
        db.session.flush()
        approved = db.session.scalars(sa.select(SpeechEntry.id).where(SpeechEntry.contest_id == contest.id,
                                                                      SpeechEntry.status == "approved")
                                      .order_by(SpeechEntry.id)).all()
        db.session.execute(sa.insert(SpeechSlot), [  # a third of the approved have spoken
            {"round_id": speech_round.id, "entry_id": entry_id, "position": position, "is_rehearsal": False,
             "status": "done" if position % 3 == 0 else "waiting",
             "on_stage_at": start + timedelta(days=3) if position % 3 == 0 else None}
            for position, entry_id in enumerate(approved, start=1)])
        db.session.execute(sa.insert(Work), works)

        invitees, records = [], []
        for number in range(2):
            at = start + timedelta(days=5 + 7 * number)
            event = CheckinEvent(campaign_id=campaign.id, title=f"压测党员大会{number}", event_type="assembly",
                                 starts_at=at, ends_at=at + timedelta(hours=2), late_at=at + timedelta(minutes=10),
                                 closes_at=at + timedelta(hours=1), invitee_scope="units", invitee_statuses=[])
            db.session.add(event)
            db.session.flush()
            for user in users:
                invitees.append({"event_id": event.id, "user_id": user.id, "unit_id": user.unit_id,
                                 "branch_id": user.branch_id, "source": "rule", "created_at": at})
                if rng.random() < 0.5:
                    records.append({"event_id": event.id, "user_id": user.id, "kind": "check_in",
                                    "method": "venue_code", "checked_at": at})
        db.session.execute(sa.insert(CheckinInvitee), invitees)
        db.session.execute(sa.insert(CheckinRecord), records)
        settings = {"quiz": (True, 70, 3), "checkin": (True, 60, 2), "speech_registered": (False, None, 1),
                    "exhibition_submitted": (False, None, 1)}
        db.session.execute(sa.insert(ParticipationSetting), [
            {"campaign_id": campaign.id, "key": key, "required": required, "target_rate": target, "weight": weight,
             "counts_for_coverage": True, "updated_at": now}
            for key, (required, target, weight) in settings.items()])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: without statistics the planner guesses a few
            # hundred rows per table, and the timings would be of plans no running server uses.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("ANALYZE"))
        campaign_id, extra = campaign.id, [quizzes[1].id, quizzes[2].id]
        counts = {"members": len(users), "attempts": len(attempts), "practice": len(practice),
                  "speech entries": len(entries), "works": len(works), "invitees": len(invitees),
                  "check-ins": len(records)}
        db.engine.dispose()
    print("data:", ", ".join(f"{name} {count}" for name, count in counts.items()))
    return campaign_id, extra


NEW_MINUTE = ("participation.figures",)  # what a new minute finds gone: the finished figures
# What the first view after a meeting has started finds gone: the attendance too (kept until then).
MEETING_STARTED = (*NEW_MINUTE, "participation.attendance")
COLD = (*MEETING_STARTED, "participation.tally")  # a worker's first view: nothing kept at all


def _drop_kept(app, stores=NEW_MINUTE) -> None:
    """Drop what a worker keeps: by default the finished figures, as the first view of a new minute
    finds them (tally's parts and the attendance stay: they hold until the clock passes what they
    depend on); MEETING_STARTED the attendance too; COLD everything."""
    for store in stores:
        app.extensions.pop(store, None)


CPU: dict[str, float] = {}  # path -> median CPU seconds of this process per GET (SQLite's work included)


def timed(client, path: str, repeat: int, *, drop: tuple[str, ...] = (), label: str | None = None) -> tuple[float, int]:
    """Median seconds of `repeat` GETs of `path` after one warm-up, and the size of the last answer
    (the median CPU seconds of this process go to CPU: on a busy machine they say more than the clock).
    `drop`: the worker memos dropped before each GET (_drop_kept)."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times, cpu = [], []
    for _ in range(repeat):
        if drop:
            _drop_kept(client.application, drop)
        started, used = time.perf_counter(), time.process_time()
        response = client.get(path)
        body = response.get_data()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
        assert response.status_code == 200, (path, response.status_code)
    CPU[label or path] = statistics.median(cpu)
    return statistics.median(times), len(body)


def _view_seconds(client, campaign_id: int) -> float:
    """Seconds of one dashboard view, body read."""
    started = time.perf_counter()
    response = client.get(f"/participation/{campaign_id}")
    response.get_data()
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - started


def _after_roster_writes(client, campaign_id: int, repeat: int, *, keyed: bool = True) -> float:
    """Median seconds of a dashboard view right after each of `repeat` members moved to another unit,
    committed as the roster page writes it (the ORM, then the history for that member: the people's
    change log names the mover, whose rows alone are read again); keyed=False: by a set-based UPDATE
    that the log cannot key, as an import's (every row of the people read again)."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.common.clock import utcnow
    from app.extensions import db
    from app.participation.history import record_membership

    offset = 0 if keyed else repeat
    movers = db.session.scalars(sa.select(User.id).where(User.staff_id.like("S%"))
                                .order_by(User.id.desc()).offset(offset).limit(repeat)).all()
    other = db.session.scalar(sa.select(User.unit_id).where(User.staff_id == "S000000"))
    times = []
    for user_id in movers:
        if keyed:
            member = db.session.get(User, user_id)
            member.unit_id, member.branch_id = other, None
        else:
            db.session.execute(sa.update(User).where(User.id == user_id).values(unit_id=other, branch_id=None))
        record_membership([user_id] if keyed else sa.select(User.id).where(User.id == user_id), now=utcnow())
        db.session.commit()
        times.append(_view_seconds(client, campaign_id))
    return statistics.median(times)


def _after_warm_up(client, campaign_id: int, repeat: int) -> tuple[float, float]:
    """Medians of `repeat` worker starts (nothing kept): the seconds of the warm-up gunicorn.conf.py runs
    before the worker takes a request, and of the first dashboard view after it."""
    from app.common.warm_up import warm_up

    warm_ups, views = [], []
    for _ in range(repeat):
        _drop_kept(client.application, COLD)
        started = time.perf_counter()
        took = warm_up(client.application)
        warm_ups.append(time.perf_counter() - started)
        assert None not in took.values(), took
        views.append(_view_seconds(client, campaign_id))
    return statistics.median(warm_ups), statistics.median(views)


def _after_writes(client, campaign_id: int, repeat: int) -> tuple[float, int]:
    """Median seconds of a dashboard view right after each of `repeat` new submitted attempts of the
    campaign's quiz (committed as a member's submit would be), and how much the quiz figure rose."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.campaigns.models import Campaign
    from app.common.clock import utcnow
    from app.extensions import db
    from app.participation import services
    from quizzes.models import Attempt, Quiz

    def quiz_count() -> int:
        db.session.expire_all()
        return services.campaign_figures(db.session.get(Campaign, campaign_id)).total.figures["quiz"].count

    quiz_id = db.session.scalar(sa.select(Quiz.id).where(Quiz.campaign_id == campaign_id).order_by(Quiz.id))
    done = sa.select(Attempt.user_id).where(Attempt.quiz_id == quiz_id)
    fresh = db.session.scalars(sa.select(User.id).where(User.staff_id.like("S%"), User.active.is_(True),
                                                        User.id.not_in(done)).order_by(User.id).limit(repeat)).all()
    before = quiz_count()
    times = []
    for user_id in fresh:
        now = utcnow()
        db.session.execute(sa.insert(Attempt.__table__).values(
            quiz_id=quiz_id, user_id=user_id, number=1, seed=1, started_at=now, deadline_at=now, submitted_at=now,
            open_slot=None, submit_reason="member", score=80.0, max_score=100.0, time_used_seconds=60.0))
        db.session.commit()
        times.append(_view_seconds(client, campaign_id))
    return statistics.median(times), quiz_count() - before


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL") or os.environ.get(
        "SAISHI_DATABASE_URL"))
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args(argv)
    print("load average at the start", " / ".join(f"{value:.2f}" for value in os.getloadavg()))
    if args.database_url and args.database_url.startswith("postgresql"):
        import sqlalchemy as sa

        target = sa.engine.make_url(args.database_url)
        if "bench" not in (target.database or ""):
            args.database_url = target.set(database=f"{target.database}_bench").render_as_string(hide_password=False)
    os.environ.setdefault("SAISHI_SECRET_KEY", "bench-secret-key")
    with tempfile.TemporaryDirectory(prefix="saishi-stats-") as workdir:
        url, drop = prepare_database(args.database_url, Path(workdir), args.keep)
        try:
            started = time.perf_counter()
            campaign_id, extra = seed(url, args.units, args.members)
            print(f"seeded in {time.perf_counter() - started:.1f} s on {url.split(':', 1)[0]}")
            return measure(url, campaign_id, extra, args.repeat)
        finally:
            drop()


def measure(url: str, campaign_id: int, extra: list[int], repeat: int) -> int:
    import sqlalchemy as sa
    from flask import request_started

    from app.extensions import db

    app = build_app(url, extra)
    with app.app_context():
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
        client = app.test_client()

        def fresh_g(_sender, **_extra):
            from flask import g

            for name in list(g):
                g.pop(name, None)

        request_started.connect(fresh_g, app)
        reply = client.post("/login", data={"login": "ORG0001", "password": PASSWORD})
        assert reply.status_code == 302, reply.status_code
        from app.hooks import hooks_of

        keys = [provider.key for provider in hooks_of(app).participation_providers]
        print(f"figures ({len(keys)}): {', '.join(keys)}")
        bare, _size = timed(client, "/__bare", 50)
        dashboard, size = timed(client, f"/participation/{campaign_id}", repeat)
        statements.clear()
        client.get(f"/participation/{campaign_id}")
        kept_queries = len(statements)
        minute, _size = timed(client, f"/participation/{campaign_id}", repeat, drop=NEW_MINUTE, label="minute")
        statements.clear()
        _drop_kept(client.application)
        client.get(f"/participation/{campaign_id}")
        minute_queries = len(statements)
        meeting, _size = timed(client, f"/participation/{campaign_id}", repeat, drop=MEETING_STARTED, label="meeting")
        after_write, written = _after_writes(client, campaign_id, repeat)
        after_roster = _after_roster_writes(client, campaign_id, repeat)
        after_import = _after_roster_writes(client, campaign_id, repeat, keyed=False)
        cold, _size = timed(client, f"/participation/{campaign_id}", repeat, drop=COLD, label="cold")
        statements.clear()
        _drop_kept(client.application, COLD)
        client.get(f"/participation/{campaign_id}")
        cold_queries = len(statements)
        warmed, first_after_warm_up = _after_warm_up(client, campaign_id, repeat)
        path = f"/participation/{campaign_id}/export.xlsx"
        export, export_size = timed(client, path, max(1, repeat // 2), drop=NEW_MINUTE)
        export_cold, _size = timed(client, path, max(1, repeat // 2), drop=COLD, label="export cold")
        statements.clear()
        _drop_kept(client.application)
        client.get(path)
        export_queries = len(statements)
        with app.test_request_context():  # the figures themselves, to compare SQLite with PostgreSQL
            from app.campaigns.models import Campaign
            from app.participation import services

            total = services.campaign_figures(db.session.get(Campaign, campaign_id)).total
            shown = {"headcount": total.headcount, "coverage": total.coverage, "any_one": total.any_one,
                     **total.figures, "quiz average": total.quiz_average}
        db.engine.dispose()
    print("total:", ", ".join(f"{key} {value.count}/{value.of}" if hasattr(value, "count") else f"{key} {value}"
                              for key, value in shown.items()))
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    views = {"kept": dashboard, "minute": minute, "meeting": meeting, "write": after_write, "move": after_roster,
             "worker start": first_after_warm_up}
    dashboard_met, export_met = max(views.values()) * 1000 < DASHBOARD_GOAL_MS, export < EXPORT_GOAL_S

    def under(seconds: float) -> str:
        return "MET" if seconds * 1000 < DASHBOARD_GOAL_MS else "NOT MET"

    print(f"load average    {load} (1 / 5 / 15 min, at the end; 2 cores)")
    print(f"bare endpoint   {bare * 1000:8.2f} ms (median of 50)")
    print(f"dashboard, each median of {repeat}; goal < {DASHBOARD_GOAL_MS} ms for each view marked MET or NOT MET:")
    print(f"  no write      {dashboard * 1000:8.1f} ms = {dashboard / bare:,.0f} × bare (the figures kept; "
          f"{size // 1024} KiB, {kept_queries} SQL statements; CPU {CPU[f'/participation/{campaign_id}'] * 1000:.0f} ms "
          f"of this process, SQLite's work included)   {under(dashboard)}")
    print(f"  new minute    {minute * 1000:8.1f} ms = {minute / bare:,.0f} × bare (the finished figures dropped, "
          f"the parts and the attendance kept: the first view of a minute; {minute_queries} SQL statements; CPU "
          f"{CPU['minute'] * 1000:.0f} ms)   {under(minute)}")
    print(f"  meeting began {meeting * 1000:8.1f} ms (the first view after a meeting has started: the attendance "
          f"read again too, 40,000 invitations; CPU {CPU['meeting'] * 1000:.0f} ms)   {under(meeting)}")
    print(f"  after a write {after_write * 1000:8.1f} ms = {after_write / bare:,.0f} × bare (each view right after "
          f"one more submitted attempt, committed; the quiz figure went up by {written}, as it should by {repeat})"
          f"   {under(after_write)}")
    print(f"  after a move  {after_roster * 1000:8.1f} ms (each view right after a member moved to another unit "
          f"on the roster page: the mover's rows read again)   {under(after_roster)}")
    print(f"  after import  {after_import * 1000:8.1f} ms (each view right after a set-based roster write the "
          f"people's log cannot key, as an import's: every row of the people read again)   "
          f"{'under' if after_import * 1000 < DASHBOARD_GOAL_MS else 'OVER'} {DASHBOARD_GOAL_MS} ms")
    print(f"  cold          {cold * 1000:8.1f} ms (nothing kept: a worker's first view; {cold_queries} SQL "
          f"statements; CPU {CPU['cold'] * 1000:.0f} ms)   {'under' if cold * 1000 < DASHBOARD_GOAL_MS else 'OVER'} "
          f"{DASHBOARD_GOAL_MS} ms")
    print(f"  worker start  {first_after_warm_up * 1000:8.1f} ms (the first view of a worker that warmed up before "
          f"its first request, as gunicorn.conf.py has it do: {warmed * 1000:.0f} ms before it took one)   "
          f"{under(first_after_warm_up)}")
    print(f"export .xlsx    {export:8.2f} s  (median of {max(1, repeat // 2)}, figures computed for each from the "
          f"kept parts; {export_size // 1024} KiB, {export_queries} SQL statements) = {export / bare:,.0f} × bare   "
          f"goal < {EXPORT_GOAL_S} s: {'MET' if export_met else 'NOT MET'}")
    print(f"  cold          {export_cold:8.2f} s  (nothing kept)   "
          f"{'under' if export_cold < EXPORT_GOAL_S else 'OVER'} {EXPORT_GOAL_S} s")
    met = dashboard_met and export_met
    print("goals met" if met else "goals NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
