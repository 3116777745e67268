#!/usr/bin/env python3
"""Load benchmark of the speech contest's live hall: 9 judges submit sheets for 30 contestants while 2
big screens and 300 audience phones poll the public live state every second.

    .venv/bin/python bench/speech_live.py                        # SQLite file in a temp dir, ~3 min
    .venv/bin/python bench/speech_live.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_speech
    .venv/bin/python bench/speech_live.py --contestants 10 --audience 100 --seconds-per-contestant 3

What it does, in one run:
 1. A fresh database (SQLite file, or the PostgreSQL database named in --database-url, dropped and created
    again: its name must contain "bench" or "test"), schema by `flask db upgrade`; seeds a contest with
    --contestants approved contestants in a drawn order over 10 units, --judges judges seated on the
    round, and an organiser (the host).
 2. `gunicorn -w 4` (sync workers, the production worker class: the polls are plain short requests, no
    server-sent events) serving wsgi:app plus a bare WSGI app at /__floor in the same workers
    (bench/quiz_load.py's app_with_floor), so the ratio to the bare app is the app's own cost.
 3. The hall, over HTTP as the browsers do it:
      host      — signs in, puts each contestant on stage (POST host/next), waits
                  --seconds-per-contestant, then reveals (POST host/reveal/<slot>) once every sheet is in;
      judges    — each signs in (all before the phones start polling, as tablets are set up before
                  the hall opens), reads the CSRF token from a page, and for the contestant on stage
                  (read from the public state, as the tablet follows the host) submits a sheet to
                  POST /speech/judge/rounds/<round>/slots/<slot>/sheet (X-CSRFToken) at a random moment
                  of the contestant's time; ~10 % of sheets are sent again (a safe retry: 200, same);
      screens   — 2 big screens poll GET /speech/rounds/<round>/state and --audience phones
                  GET /speech/rounds/<round>/watch/state every second with If-None-Match (304 while
                  their view's version is unchanged: a submit changes the screens' progress line,
                  not the phones' view), as the page scripts do — from a process of their own on one
                  asyncio loop (bench/poll_crowd.py), whose CPU is printed with the bench's own;
      probe     — the bare app and /healthz, timed in the same run.
 4. Prints p50/p95/p99 of submit and of the state poll (and its 304 share), the host's actions, errors,
    the ratio to the bare app; then checks the database: exactly one sheet per judge and contestant,
    every score as sent, the round's slots all revealed.

Goals on 2 cores: 0 errors, 0 lost, submit p95 < 100 ms, poll p95 < 50 ms. Exit status 0 when met.
The submit route belongs to the judging area; on a tree without it, run with --no-judges to measure
the polls and the host alone.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "bench")):
    if path not in sys.path:
        sys.path.insert(0, path)

from poll_crowd import PollCrowd  # noqa: E402
from quiz_load import (  # noqa: E402  (the house bench's machinery: database, gunicorn, client, figures)
    FLOOR_PATH,
    PASSWORD,
    Client,
    Recorder,
    create_schema,
    csrf_from,
    free_port,
    machine_speed,
    percentile,
    prepare_database,
    probe,
    start_gunicorn,
    stop,
    wait_ready,
)

CRITERIA = (("演讲内容", 40), ("语言表达", 30), ("形象风度", 10), ("综合印象", 20))


# ---------------------------------------------------------------- seeding

def seed(url: str, contestants: int, judges: int) -> dict:
    """A campaign, a contest with one drawn round, contestants in slots 1..n, seated judges, a host."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from app import create_app
    from app.accounts.models import RoleGrant, User
    from app.campaigns.models import Campaign
    from app.common.clock import utcnow
    from app.extensions import db
    from app.units.models import Unit
    from events.speech.models import SpeechContest, SpeechEntry, SpeechJudge, SpeechRound, SpeechSlot

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        now = utcnow()
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        units = [Unit(name=f"压测单位{index:02d}", sort_order=index) for index in range(10)]
        db.session.add_all(units)
        db.session.flush()
        campaign = Campaign(name="演讲压测活动", description="", starts_on=now.date() - timedelta(days=1),
                            ends_on=now.date() + timedelta(days=30))
        db.session.add(campaign)
        db.session.flush()
        contest = SpeechContest(campaign_id=campaign.id, title="压测演讲比赛", venue="礼堂", time_limit_seconds=480)
        db.session.add(contest)
        db.session.flush()
        round_ = SpeechRound(contest_id=contest.id, position=1, name="决赛", status="drawn",
                             draw_seed="bench", draw_algorithm="sha256-shuffle/v1")
        db.session.add(round_)
        db.session.flush()

        def user(staff_id: str, name: str, unit_id=None, role=None) -> User:
            person = User(staff_id=staff_id, name=name, unit_id=unit_id, password_hash=password_hash,
                          must_change_password=False, active=True)
            if role:
                person.role_grants = [RoleGrant(role=role)]
            db.session.add(person)
            return person

        slot_ids = []
        for index in range(contestants):
            unit = units[index % len(units)]
            member = user(f"S{index:05d}", f"选手{index + 1}", unit.id)
            db.session.flush()
            entry = SpeechEntry(contest_id=contest.id, member_id=member.id, unit_id=unit.id,
                                speech_title=f"压测题目{index + 1}", status="approved")
            db.session.add(entry)
            db.session.flush()
            slot = SpeechSlot(round_id=round_.id, entry_id=entry.id, position=index + 1)
            db.session.add(slot)
            db.session.flush()
            slot_ids.append(slot.id)
        judge_ids = []
        for seat in range(1, judges + 1):
            person = user(f"J{seat:03d}", f"{seat}号评委", role="judge")
            db.session.flush()
            db.session.add(SpeechJudge(round_id=round_.id, user_id=person.id, seat=seat,
                                       binding_secret=secrets.token_hex(8)))
            judge_ids.append(person.staff_id)
        host = user("H001", "主持人", role="organiser")
        db.session.commit()
        figures = {"round_id": round_.id, "slot_ids": slot_ids, "judges": judge_ids, "host": host.staff_id}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSlot)) == contestants
        db.engine.dispose()
    return figures


# ---------------------------------------------------------------- the hall

@dataclass
class Hall:
    """What the host has done, shared by the threads (the bench's own bookkeeping, not the app's)."""

    slot_ids: list[int]
    current: int | None = None
    stage_started: float = 0.0
    finished: bool = False
    revealed: int = 0
    judges_signed_in: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)  # (judge, slot) → scores sent
    submitted: dict[int, set] = field(default_factory=lambda: defaultdict(set))  # slot → judges answered 200


def sign_in(client: Client, staff_id: str, attempts: int = 3) -> str | None:
    """Sign in through the login form (again after a timeout: a loaded server may take long); the CSRF
    token of the signed-in session, from the home page."""
    for attempt in range(attempts):
        token = _sign_in_once(client, staff_id, last=attempt == attempts - 1)
        if token is not None:
            return token
    return None


def _sign_in_once(client: Client, staff_id: str, *, last: bool) -> str | None:
    page = client.request("login_page", "GET", "/login")
    token = csrf_from(page.text) if page is not None and page.status_code == 200 else None
    if token is None:
        if last:
            client.recorder.error("login_page", f"{staff_id}: no sign-in form")
        return None
    response = client.request("login", "POST", "/login", data={"login": staff_id, "password": PASSWORD,
                                                                 "csrf_token": token})
    if response is None or response.status_code != 302 or "/login" in response.headers.get("location", ""):
        if last or response is not None:
            client.recorder.error("login", f"{staff_id}: sign-in refused ({getattr(response, 'status_code', None)})")
        return None
    home = client.request("home", "GET", "/")
    token = csrf_from(home.text) if home is not None and home.status_code == 200 else None
    if token is None and last:
        client.recorder.error("home", f"{staff_id}: no CSRF token on the home page")
    return token


def run_host(base: str, recorder: Recorder, hall: Hall, round_id: int, staff_id: str, options) -> None:
    try:
        _run_host(base, recorder, hall, round_id, staff_id, options)
    except Exception as error:  # a bench bug shows as an error, not as a quiet stop
        recorder.error("bench", f"host: {type(error).__name__}: {error}")
    finally:
        hall.finished = True


def _run_host(base: str, recorder: Recorder, hall: Hall, round_id: int, staff_id: str, options) -> None:
    client = Client(base, recorder)
    token = sign_in(client, staff_id)
    if token is None:
        return
    for slot_id in hall.slot_ids:
        response = client.request("host_next", "POST", f"/speech/rounds/{round_id}/host/next",
                                  data={"csrf_token": token})
        if response is None or response.status_code != 302:
            recorder.error("host_next", f"slot {slot_id}: {getattr(response, 'status_code', None)}")
            return
        with hall.lock:
            hall.current, hall.stage_started = slot_id, time.monotonic()
        deadline = time.monotonic() + options.seconds_per_contestant
        time.sleep(options.seconds_per_contestant)
        if options.no_judges:
            continue
        while len(hall.submitted[slot_id]) < options.judges and time.monotonic() < deadline + 30:
            time.sleep(0.1)
        response = client.request("host_reveal", "POST", f"/speech/rounds/{round_id}/host/reveal/{slot_id}",
                                  data={"csrf_token": token})
        if response is None or response.status_code != 302:
            recorder.error("host_reveal", f"slot {slot_id}: {getattr(response, 'status_code', None)}")
        with hall.lock:
            hall.revealed += 1
            print(f"  contestant {hall.revealed}/{len(hall.slot_ids)} revealed after "
                  f"{time.monotonic() - hall.stage_started:.1f} s on stage", flush=True)
        time.sleep(options.reveal_seconds)


def sheet(rng: random.Random) -> dict[str, str]:
    """A plausible sheet on the 0.1 step, as text (the tablet sends what the judge typed)."""
    return {name: str(Decimal(rng.randint(int(maximum * 6), maximum * 10)) / 10) for name, maximum in CRITERIA}


def run_judge(base: str, recorder: Recorder, hall: Hall, round_id: int, staff_id: str, rng: random.Random,
              options) -> None:
    try:
        _run_judge(base, recorder, hall, round_id, staff_id, rng, options)
    except Exception as error:
        recorder.error("bench", f"{staff_id}: {type(error).__name__}: {error}")


def _run_judge(base: str, recorder: Recorder, hall: Hall, round_id: int, staff_id: str, rng: random.Random,
               options) -> None:
    client = Client(base, recorder)
    token = sign_in(client, staff_id)
    with hall.lock:
        hall.judges_signed_in += 1  # signed in or given up: the hall may open
    if token is None:
        return
    path = f"/speech/judge/rounds/{round_id}/slots/{{slot}}/sheet"
    done: set[int] = set()
    while not hall.finished:
        with hall.lock:
            slot_id, started = hall.current, hall.stage_started
        if slot_id is None or slot_id in done:
            time.sleep(0.05)
            continue
        # each judge submits at their own moment within the contestant's time
        when = started + rng.uniform(0.2, max(0.3, options.seconds_per_contestant - 0.3))
        delay = when - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        scores = sheet(rng)
        body = {"scores": scores, "notes": {}, "confirmed": []}
        sends = 2 if rng.random() < options.resend_ratio else 1
        for attempt in range(sends):
            response = client.request("submit" if attempt == 0 else "resubmit", "POST", path.format(slot=slot_id),
                                      json_body=body, headers={"X-CSRFToken": token, "Accept": "application/json"})
            if response is None:
                continue
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            if response.status_code != 200 or answer.get("status") != "submitted" or answer.get("same") != (attempt > 0):
                recorder.error("submit", f"{staff_id} slot {slot_id}: {response.status_code} {response.text[:120]}")
                continue
            with hall.lock:
                hall.sent[(staff_id, slot_id)] = scores
                hall.submitted[slot_id].add(staff_id)
        done.add(slot_id)


# ---------------------------------------------------------------- checking the database

def verify(url: str, hall: Hall, round_id: int, options) -> dict:
    import sqlalchemy as sa

    from app import create_app
    from app.accounts.models import User
    from app.extensions import db
    from events.speech.models import SpeechJudge, SpeechSheet, SpeechSlot

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        rows = db.session.execute(
            sa.select(SpeechSheet.slot_id, User.staff_id, SpeechSheet.scores, SpeechSheet.total)
            .join(SpeechJudge, SpeechJudge.id == SpeechSheet.judge_id).join(User, User.id == SpeechJudge.user_id)
            .join(SpeechSlot, SpeechSlot.id == SpeechSheet.slot_id).where(SpeechSlot.round_id == round_id)).all()
        revealed = db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSlot).where(
            SpeechSlot.round_id == round_id, SpeechSlot.revealed_at.is_not(None)))
        db.engine.dispose()
    stored = defaultdict(list)
    for row in rows:
        stored[(row.staff_id, row.slot_id)].append(row)
    duplicated = sum(len(found) - 1 for found in stored.values() if len(found) > 1)
    problems, wrong = [], 0
    for key, scores in hall.sent.items():
        found = stored.get(key)
        if not found:
            wrong += 1
            problems.append(f"{key}: sent, not stored")
            continue
        held = {name: Decimal(value) for name, value in found[0].scores.items()}
        if held != {name: Decimal(value) for name, value in scores.items()} or found[0].total != sum(held.values()):
            wrong += 1
            problems.append(f"{key}: stored {found[0].scores}, sent {scores}")
    stray = sum(1 for key in stored if key not in hall.sent)
    expected = 0 if options.no_judges else options.judges * options.contestants
    return {"sheets": len(rows), "expected_sheets": expected, "sheets_sent": len(hall.sent),
            "duplicated": duplicated, "lost_or_wrong": wrong + max(0, expected - len(hall.sent)), "stray": stray,
            "revealed": revealed, "problems": problems[:10]}


# ---------------------------------------------------------------- report

def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def report(recorder: Recorder, wall: float, poll_counts: dict, cpu: dict[str, tuple[int, float]]) -> dict:
    """Latency percentiles per request kind beside the workers' own CPU per request (bench/gunicorn_cpu.py)
    and its ratio to the bare app's: on a busy machine the CPU ratio still compares, latencies do not."""
    order = ["submit", "resubmit", "screen", "audience", "host_next", "host_reveal", "login", "healthz", "bare"]
    kinds = {}

    def cpu_ms(kind: str) -> float | None:
        count, seconds = cpu.get(kind, (0, 0.0))
        return seconds / count * 1000 if count else None

    bare_cpu = cpu_ms("bare")
    print(f"\n{'request':12} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'CPU ms':>8} {'× bare':>7}")
    for kind in order:
        values = recorder.latencies.get(kind, [])
        if not values:
            continue
        row = {"count": len(values), "p50_ms": percentile(values, 0.5) * 1000, "p95_ms": percentile(values, 0.95) * 1000,
               "p99_ms": percentile(values, 0.99) * 1000, "max_ms": max(values) * 1000, "cpu_ms": cpu_ms(kind)}
        row["cpu_x_bare"] = row["cpu_ms"] / bare_cpu if row["cpu_ms"] is not None and bare_cpu else None
        kinds[kind] = row
        cpu_text = f"{row['cpu_ms']:>8.2f} {row['cpu_x_bare']:>6.1f}×" if row["cpu_x_bare"] is not None else ""
        print(f"{kind:12} {row['count']:>7} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} "
              f"{row['max_ms']:>8.1f} {cpu_text}")
    polls = recorder.latencies.get("screen", []) + recorder.latencies.get("audience", [])
    poll = {"count": len(polls), "p50_ms": percentile(polls, 0.5) * 1000, "p95_ms": percentile(polls, 0.95) * 1000,
            "p99_ms": percentile(polls, 0.99) * 1000} if polls else None
    answered = sum(poll_counts.values())
    share_304 = poll_counts.get(304, 0) / answered if answered else None
    bare = kinds.get("bare", {}).get("p50_ms")
    if poll:
        print(f"{'poll (all)':12} {poll['count']:>7} {poll['p50_ms']:>8.1f} {poll['p95_ms']:>8.1f} {poll['p99_ms']:>8.1f}")
        print(f"state polls: {dict(poll_counts)}; 304 share {share_304:.1%}")
    ratios = {}
    for kind, name in (("submit", "submit"), ("audience", "poll")):
        if kind in kinds and bare:
            ratios[name] = kinds[kind]["p50_ms"] / bare
            print(f"{name} p50 / bare WSGI p50 = {ratios[name]:.1f}×")
    errors_by_kind = defaultdict(int)
    for kind, _detail in recorder.errors:
        errors_by_kind[kind] += 1
    print(f"wall {wall:.1f} s; {recorder.requests} requests = {recorder.requests / wall:.0f} req/s; "
          f"errors: {len(recorder.errors)} {dict(errors_by_kind) if errors_by_kind else ''}")
    for kind, detail in recorder.errors[:10]:
        print(f"  ! {kind}: {detail}")
    return {"kinds": kinds, "poll": poll, "poll_counts": {str(k): v for k, v in poll_counts.items()},
            "share_304": share_304, "ratios_to_bare_p50": ratios, "errors": len(recorder.errors),
            "errors_by_kind": dict(errors_by_kind), "wall_seconds": wall}


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contestants", type=int, default=30)
    parser.add_argument("--judges", type=int, default=9)
    parser.add_argument("--screens", type=int, default=2)
    parser.add_argument("--audience", type=int, default=300)
    parser.add_argument("--poll-seconds", type=float, default=1.0)
    parser.add_argument("--seconds-per-contestant", type=float, default=4.0,
                        help="the host's pace: a contestant on stage this long (the judges submit within it)")
    parser.add_argument("--reveal-seconds", type=float, default=1.0, help="the reveal stays this long")
    parser.add_argument("--resend-ratio", type=float, default=0.10, help="sheets sent twice (a safe retry)")
    parser.add_argument("--no-judges", action="store_true", help="no submits (a tree without the judging route)")
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to drop, create and use")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-timeout", type=int, default=120,
                        help="gunicorn --timeout: each worker starts the app on its first request, which on a "
                             "busy machine takes longer than the default 30 s (the watchdog then kills it, again)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))  # stopped: still stop gunicorn, drop the database

    loop, scrypt = machine_speed()
    print(f"machine: 10 M additions {loop:.2f} s, scrypt N=2^14 {scrypt * 1000:.0f} ms")
    workdir = Path(tempfile.mkdtemp(prefix="saishi-speech-bench-"))
    url, drop_database = prepare_database(options.database_url, workdir, options.keep)
    cpu_dir = workdir / "cpu"
    cpu_dir.mkdir()
    env = {**os.environ, "SAISHI_DATABASE_URL": url, "SAISHI_SECRET_KEY": secrets.token_hex(32),
           "SAISHI_ENV": "production", "SAISHI_UPLOAD_FOLDER": str(workdir / "uploads"), "BENCH_CPU_DIR": str(cpu_dir)}
    os.environ.update({key: env[key] for key in ("SAISHI_SECRET_KEY", "SAISHI_UPLOAD_FOLDER")})
    server = None
    try:
        print(f"database: {url.split(':', 1)[0]}; schema by {create_schema(url, env)}")
        seeded = seed(url, options.contestants, options.judges)
        round_id = seeded["round_id"]
        port = free_port()
        server = start_gunicorn("quiz_load:app_with_floor", port, options.workers, env, workdir / "gunicorn.log",
                                extra=("--pythonpath", str(ROOT / "bench"), "-c", str(ROOT / "bench" / "gunicorn_cpu.py"),
                                       "--timeout", str(options.worker_timeout)))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base + "/healthz", server)
            wait_ready(base + FLOOR_PATH, server)
        except SystemExit:
            print((workdir / "gunicorn.log").read_text()[-3000:])
            raise
        print(f"gunicorn -w {options.workers} (sync) on {base}; {options.contestants} contestants × "
              f"{options.judges} judges, {options.screens} screens + {options.audience} phones polling every "
              f"{options.poll_seconds:g} s; {os.cpu_count()} CPUs", flush=True)
        recorder, hall = Recorder(), Hall(list(seeded["slot_ids"]))
        rng = random.Random(options.seed)
        poll_counts: dict = defaultdict(int)
        stop_probe = threading.Event()
        threading.stack_size(512 * 1024)
        # the screens and phones poll from a process of their own (bench/poll_crowd.py), so the judges'
        # submits are not timed behind 300 polling threads' share of this process's GIL
        crowd = PollCrowd("127.0.0.1", port,
                          [("screen" if index < options.screens else "audience",
                            f"/speech/rounds/{round_id}/{'state' if index < options.screens else 'watch/state'}?lang=zh")
                           for index in range(options.screens + options.audience)],
                          interval=options.poll_seconds, seed=options.seed)
        threads = []
        if not options.no_judges:
            threads += [threading.Thread(target=run_judge, args=(base, recorder, hall, round_id, staff_id,
                                                                 random.Random(rng.random()), options), daemon=True)
                        for staff_id in seeded["judges"]]
        host = threading.Thread(target=run_host, args=(base, recorder, hall, round_id, seeded["host"], options),
                                daemon=True)
        prober = threading.Thread(target=probe, args=(base, recorder, stop_probe, 0.5), daemon=True)
        started = time.perf_counter()
        own_cpu = _cpu_seconds()
        for thread in (*threads, prober):
            thread.start()
        # As in a hall: the judges' tablets are signed in before the audience opens the watch page.
        while hall.judges_signed_in < len(threads) and time.perf_counter() - started < 120:
            time.sleep(0.1)
        crowd.start()
        time.sleep(2.0)  # phones polling before the first contestant
        host.start()
        while host.is_alive():  # short joins, so a SIGTERM is handled (and gunicorn stopped) at once
            host.join(0.5)
        for thread in threads:
            thread.join(timeout=30)
        stop_probe.set()
        prober.join()
        crowded = crowd.stop()
        wall = time.perf_counter() - started
        for kind, values in crowded.latencies.items():
            recorder.latencies[kind].extend(values)
        recorder.requests += crowded.requests
        recorder.errors.extend(crowded.errors)
        for status, count in crowded.statuses.items():
            poll_counts[status] += count
        print(f"bench client CPU: {_cpu_seconds() - own_cpu:.1f} s (host, judges, probe) + "
              f"{crowded.cpu_seconds:.1f} s (poll crowd) in {wall:.0f} s of wall time")
        stop(server)
        server = None
        from gunicorn_cpu import read_totals

        figures = report(recorder, wall, poll_counts, read_totals(cpu_dir))
        check = verify(url, hall, round_id, options)
        figures["database"] = check
        print(f"database: {check['sheets']} sheets (expected {check['expected_sheets']}), "
              f"duplicated {check['duplicated']}, lost or wrong {check['lost_or_wrong']}, stray {check['stray']}, "
              f"revealed {check['revealed']} / {options.contestants}")
        for problem in check["problems"]:
            print(f"  ! {problem}")
        submit_p95 = figures["kinds"].get("submit", {}).get("p95_ms")
        poll_p95 = (figures["poll"] or {}).get("p95_ms")
        goals = (figures["errors"] == 0 and check["duplicated"] == 0 and check["lost_or_wrong"] == 0
                 and check["stray"] == 0 and (options.no_judges or (submit_p95 is not None and submit_p95 < 100))
                 and poll_p95 is not None and poll_p95 < 50)
        print(f"goals (0 errors, 0 lost, submit p95 < 100 ms, poll p95 < 50 ms): {'MET' if goals else 'NOT MET'}")
        if options.json:
            import json

            Path(options.json).write_text(json.dumps(figures, indent=2, default=str))
        return 0 if goals else 1
    finally:
        stop(server)
        drop_database()


if __name__ == "__main__":
    sys.exit(main())
