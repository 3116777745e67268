#!/usr/bin/env python3
"""Check-in rush: N members (default 300) check in to one meeting within two minutes from one address,
half of them signing in after the scan, while the venue display polls its state.

    .venv/bin/python bench/checkin_rush.py                     # SQLite file in a temp dir, 300 members, ~2.5 min
    .venv/bin/python bench/checkin_rush.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_bench
    .venv/bin/python bench/checkin_rush.py --members 100 --rush-seconds 30

What it does, in one run (the helpers are bench/quiz_load.py's):
 1. A fresh database (SQLite file, or the PostgreSQL database named, dropped and created again: its name
    must contain "bench" or "test"), schema by `flask db upgrade`; N members of one unit sharing one
    password hash, an organiser, a campaign and a 党员大会 whose check-in window is open now (venue
    code rotating every 30 s).
 2. gunicorn -w 4 serving wsgi:app plus a bare WSGI app at /__floor (quiz_load:app_with_floor), with
    bench/gunicorn_cpu.py counting each worker's CPU per request kind.
 3. The venue display: the organiser's browser polls /display/state every 2 s with If-None-Match (as
    checkin-display.js does) and fetches the QR SVG whenever the slot changes. The URL the QR holds is
    built in the bench process with the same secret key (codes.venue_token), as a phone's camera would
    read it off the screen: decoding images here would take CPU from the server under test.
 4. One thread per member, each starting at a random moment within --rush-seconds, all from 127.0.0.1:
      signed in already (half): GET the scanned URL → the confirmation page;
      not signed in (the other half): GET the scanned URL → 302 to the login page → GET it → POST the
        login → 302 to /checkin/pending → GET it → the confirmation page (the code may have rotated
        meanwhile: the pending check-in survives it).
    Members signed in already did so before the rush (four at a time, not timed: that is the morning,
    not the hall).
 5. Prints p50/p95/p99 per request kind with the workers' CPU per request and its ratio to the bare
    app's, errors, then checks the database: exactly one check-in per member, none refused.

Goals: 0 errors, N check-in rows, 0 refusals, scan p95 < 100 ms. Exit status 0 when met.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import secrets
import shutil
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from quiz_load import (  # noqa: E402  (bench/ on the path first)
    FLOOR_PATH,
    Client,
    Recorder,
    _cpu_seconds,
    _database_cpu_seconds,
    _server_cpu_seconds,
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

PASSWORD = "Bench2026pass"
POLL_SECONDS = 2.0
CONFIRMED = re.compile(r"checkin-ok")


def seed(url: str, members: int, hash_method: str | None) -> tuple[int, list[str], str]:
    """Members of one unit, an organiser, a campaign and an assembly open for check-in now; returns the
    event id, the members' staff IDs and the organiser's."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from app import create_app
    from app.accounts.models import RoleGrant, User
    from app.campaigns.models import Campaign
    from app.common.clock import utcnow
    from app.extensions import db
    from app.units.models import Unit
    from events.checkin.models import CheckinEvent

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        now = utcnow()
        unit = Unit(name="压测单位")
        db.session.add(unit)
        db.session.flush()
        password_hash = generate_password_hash(PASSWORD, method=hash_method or app.config["PASSWORD_HASH_METHOD"])
        staff_ids = [f"C{index:06d}" for index in range(members)]
        db.session.execute(sa.insert(User), [
            {"staff_id": staff_id, "name": f"签到{index}", "unit_id": unit.id, "political_status": "中共党员",
             "password_hash": password_hash, "must_change_password": False, "active": True,
             "is_branch_committee": False, "created_at": now, "updated_at": now}
            for index, staff_id in enumerate(staff_ids)
        ])
        organiser = User(staff_id="ORG0001", name="组织者", password_hash=password_hash, must_change_password=False)
        organiser.role_grants = [RoleGrant(role="organiser")]
        campaign = Campaign(name="压测活动", description="", starts_on=now.date() - timedelta(days=1),
                            ends_on=now.date() + timedelta(days=30))
        db.session.add_all([organiser, campaign])
        db.session.flush()
        event = CheckinEvent(campaign_id=campaign.id, title="压测党员大会", event_type="assembly", place="礼堂",
                             starts_at=now + timedelta(minutes=10), ends_at=now + timedelta(hours=2),
                             opens_minutes_before=30, late_at=now + timedelta(minutes=40),
                             closes_at=now + timedelta(hours=1), invitee_scope="units", invitee_statuses=[],
                             rotation_seconds=30, created_by_id=organiser.id)
        event.target_units = [unit]
        db.session.add(event)
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id, staff_ids, "ORG0001"


class Codes:
    """The URL the display's QR code holds now, as a phone camera reads it (built with the app's key)."""

    def __init__(self, url: str, event_id: int, base: str):
        from app import create_app

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": base.split("//", 1)[1],
                               "PREFERRED_URL_SCHEME": "http"})
        self.event_id = event_id
        self.lock = threading.Lock()
        with self.app.app_context():
            from app.extensions import db
            from events.checkin.models import CheckinEvent

            self.event = db.session.get(CheckinEvent, event_id)
            db.session.expunge(self.event)
            db.engine.dispose()

    def path(self) -> str:
        from app.common.clock import utcnow
        from events.checkin.services import codes

        with self.lock, self.app.app_context():
            slot = codes.current_slot(self.event, utcnow())
            return f"/checkin/e/{self.event_id}/{codes.venue_token(self.event, 'check_in', slot)}"


def log_in(client: Client, staff_id: str, *, next_path: str | None = None) -> bool:
    """The login page, then the form; True when signed in (302 onwards)."""
    path = "/login" + (f"?next={next_path}" if next_path else "")
    page = client.request("login_page", "GET", path)
    token = csrf_from(page.text) if page is not None else None
    if token is None:
        client.recorder.error("login_page", f"no CSRF token ({getattr(page, 'status_code', None)})")
        return False
    reply = client.request("login", "POST", path, data={"login": staff_id, "password": PASSWORD, "csrf_token": token})
    if reply is None or reply.status_code != 302:
        client.recorder.error("login", f"{staff_id}: {getattr(reply, 'status_code', None)}")
        return False
    return True


def sign_in_before(base: str, staff_ids: list[str], recorder: Recorder) -> dict[str, dict]:
    """Cookies of the members already signed in when the rush begins (their sign-ins are not timed)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(staff_id):
        quiet = Client(base, Recorder())
        if not log_in(quiet, staff_id):
            recorder.error("login_before", staff_id)
        return staff_id, quiet.cookies

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, staff_ids))


def run_member(staff_id: str, cookies: dict | None, start_at: float, base: str, codes: Codes, recorder: Recorder,
               done: list) -> None:
    signed_in = cookies is not None
    try:
        client = Client(base, recorder)
        if signed_in:
            client.cookies = dict(cookies)
        delay = start_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        reply = client.request("scan", "GET", codes.path())
        if reply is None:
            return
        if not signed_in:
            if reply.status_code != 302 or "/login" not in reply.headers.get("location", ""):
                recorder.error("scan", f"{staff_id}: expected the login redirect, got {reply.status_code}")
                return
            time.sleep(random.uniform(3, 20))  # typing the staff ID and password while the code rotates
            if not log_in(client, staff_id, next_path="/checkin/pending"):
                return
            reply = client.request("complete", "GET", "/checkin/pending")
            if reply is None:
                return
            kind = "complete"
        else:
            kind = "scan"
        if reply.status_code != 200 or not CONFIRMED.search(reply.text):
            recorder.error(kind, f"{staff_id}: {reply.status_code} {reply.text[:120]!r}")
            return
        client.assets(reply.text)
        done.append(staff_id)
    except Exception as error:  # a bench bug must show up as an error, not as a silent thread death
        recorder.error("member", f"{staff_id}: {type(error).__name__}: {error}")


def run_display(base: str, event_id: int, organiser: str, recorder: Recorder, stop_event: threading.Event) -> None:
    client = Client(base, recorder)
    if not log_in(client, organiser):
        return
    page = client.request("display_page", "GET", f"/checkin/events/{event_id}/display")
    if page is None or page.status_code != 200:
        recorder.error("display_page", str(getattr(page, "status_code", None)))
        return
    client.assets(page.text)
    etag, slot = None, None
    while not stop_event.is_set():
        reply = client.request("state", "GET", f"/checkin/events/{event_id}/display/state",
                               headers={"If-None-Match": etag} if etag else None)
        if reply is None:
            stop_event.wait(POLL_SECONDS)
            continue
        if reply.status_code == 200:
            etag = reply.headers.get("etag")
            state = reply.json()
            if state.get("qr") and state.get("slot") != slot:
                slot = state["slot"]
                image = client.request("qr", "GET", state["qr"])
                if image is None or image.status_code != 200:
                    recorder.error("qr", str(getattr(image, "status_code", None)))
        elif reply.status_code != 304:
            recorder.error("state", str(reply.status_code))
        stop_event.wait(POLL_SECONDS)


def verify(url: str, event_id: int, staff_ids: list[str]) -> dict:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT u.staff_id, COUNT(*) FROM checkin_records r JOIN users u ON u.id = r.user_id "
            "WHERE r.event_id = :event AND r.kind = 'check_in' GROUP BY u.staff_id"), {"event": event_id}).all()
        failures = connection.execute(sa.text(
            "SELECT reason, COUNT(*) FROM checkin_failures GROUP BY reason")).all()
        pending_left = connection.scalar(sa.text(
            "SELECT COUNT(*) FROM checkin_pending WHERE completed_at IS NULL"))
        invitees = connection.scalar(sa.text("SELECT COUNT(*) FROM checkin_invitees WHERE event_id = :event"),
                                     {"event": event_id})
    engine.dispose()
    counted = dict(rows)
    return {"check_in_rows": sum(counted.values()), "members_checked_in": len(counted),
            "missing": len(set(staff_ids) - set(counted)), "duplicated": sum(1 for n in counted.values() if n > 1),
            "refusals": dict(failures), "pending_not_completed": pending_left, "invitees": invitees}


def report(recorder: Recorder, cpu: dict) -> dict:
    order = ["scan", "login_page", "login", "complete", "static", "state", "qr", "display_page", "healthz", "bare"]

    def cpu_ms(kind):
        count, seconds = cpu.get(kind, (0, 0.0))
        return seconds / count * 1000 if count else None

    bare_cpu = cpu_ms("bare")
    kinds = {}
    print(f"\n{'request':12} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'CPU ms':>8} {'× bare':>7}")
    for kind in order:
        values = recorder.latencies.get(kind, [])
        if not values:
            continue
        row = {"count": len(values), "p50_ms": percentile(values, 0.50) * 1000,
               "p95_ms": percentile(values, 0.95) * 1000, "p99_ms": percentile(values, 0.99) * 1000,
               "max_ms": max(values) * 1000, "cpu_ms": cpu_ms(kind)}
        row["cpu_x_bare"] = row["cpu_ms"] / bare_cpu if row["cpu_ms"] is not None and bare_cpu else None
        kinds[kind] = row
        cpu_text = f"{row['cpu_ms']:>8.2f} {row['cpu_x_bare']:>6.1f}×" if row["cpu_x_bare"] is not None else ""
        print(f"{kind:12} {row['count']:>7} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} "
              f"{row['max_ms']:>8.1f} {cpu_text}")
    member_kinds = ("scan", "login_page", "login", "complete", "static")
    everything = [value for kind in member_kinds for value in recorder.latencies.get(kind, [])]
    if everything:
        kinds["all_member_requests"] = {"count": len(everything), "p50_ms": percentile(everything, 0.5) * 1000,
                                        "p95_ms": percentile(everything, 0.95) * 1000,
                                        "p99_ms": percentile(everything, 0.99) * 1000}
        row = kinds["all_member_requests"]
        print(f"{'all members':12} {row['count']:>7} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f}")
    print(f"\nerrors: {len(recorder.errors)}")
    for kind, detail in recorder.errors[:10]:
        print(f"  ! {kind}: {detail}")
    return {"kinds": kinds, "errors": len(recorder.errors)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--rush-seconds", type=float, default=120.0, help="every member scans within this")
    parser.add_argument("--login-share", type=float, default=0.5, help="share signing in after the scan")
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to drop, create and use")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--hash-method", default=None,
                        help="password hash of the bench members (default: the app's, scrypt)")
    parser.add_argument("--probe-interval", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)

    loop, scrypt = machine_speed()
    print(f"machine: 10 M additions {loop:.2f} s, scrypt N=2^14 {scrypt * 1000:.0f} ms")
    workdir = Path(tempfile.mkdtemp(prefix="saishi-checkin-bench-"))
    url, drop_database = prepare_database(options.database_url, workdir, options.keep)
    cpu_dir = workdir / "cpu"
    cpu_dir.mkdir()
    env = {**os.environ, "SAISHI_DATABASE_URL": url, "SAISHI_SECRET_KEY": secrets.token_hex(32),
           "SAISHI_ENV": "production", "SAISHI_UPLOAD_FOLDER": str(workdir / "uploads"), "BENCH_CPU_DIR": str(cpu_dir)}
    os.environ.update({key: env[key] for key in ("SAISHI_SECRET_KEY", "SAISHI_UPLOAD_FOLDER", "SAISHI_ENV")})
    app_server = None
    try:
        dialect = url.split(":", 1)[0]
        print(f"database: {dialect}")
        schema = create_schema(url, env)
        event_id, staff_ids, organiser = seed(url, options.members, options.hash_method)
        print(f"schema by {schema}; {options.members} members, event {event_id} open for check-in")
        port = free_port()
        app_server = start_gunicorn("quiz_load:app_with_floor", port, options.workers, env, workdir / "gunicorn.log",
                                    extra=("--pythonpath", str(ROOT / "bench"),
                                           "-c", str(ROOT / "bench" / "gunicorn_cpu.py")))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base + "/healthz", app_server)
            wait_ready(base + FLOOR_PATH, app_server)
        except SystemExit:
            print((workdir / "gunicorn.log").read_text()[-3000:])
            raise
        codes = Codes(url, event_id, base)
        rng = random.Random(options.seed)
        recorder, stop_event, done = Recorder(), threading.Event(), []
        signed_in = set(rng.sample(range(options.members), round(options.members * (1 - options.login_share))))
        t0 = time.perf_counter()
        cookies = sign_in_before(base, [staff_ids[index] for index in sorted(signed_in)], recorder)
        print(f"{len(cookies)} members signed in before the rush ({time.perf_counter() - t0:.0f} s, not timed)")
        origin = time.monotonic() + 2.0
        threads = [threading.Thread(target=run_member, args=(
            staff_id, cookies.get(staff_id) if index in signed_in else None,
            origin + rng.uniform(0, options.rush_seconds), base, codes, recorder, done),
            daemon=True) for index, staff_id in enumerate(staff_ids)]
        display = threading.Thread(target=run_display, args=(base, event_id, organiser, recorder, stop_event),
                                   daemon=True)
        prober = threading.Thread(target=probe, args=(base, recorder, stop_event, options.probe_interval), daemon=True)
        print(f"running: {options.members} members within {options.rush_seconds:g} s from 127.0.0.1, "
              f"{options.members - len(signed_in)} signing in after the scan; display polling every {POLL_SECONDS:g} s …",
              flush=True)
        threading.stack_size(512 * 1024)
        client_before = _cpu_seconds(resource.RUSAGE_SELF)
        server_before = _server_cpu_seconds(app_server.pid)
        database_before = _database_cpu_seconds()
        started = time.perf_counter()
        display.start()
        prober.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        stop_event.set()
        display.join()
        prober.join()
        server_cpu = _server_cpu_seconds(app_server.pid) - server_before
        client_cpu = _cpu_seconds(resource.RUSAGE_SELF) - client_before
        database_cpu = _database_cpu_seconds() - database_before
        stop(app_server)
        app_server = None

        from gunicorn_cpu import read_totals

        figures = report(recorder, read_totals(cpu_dir))
        print(f"confirmed on the page: {len(done)} / {options.members}; wall {wall:.0f} s; CPU gunicorn "
              f"{server_cpu:.1f} s, bench client {client_cpu:.1f} s, local PostgreSQL {database_cpu:.1f} s")
        checked = verify(url, event_id, staff_ids)
        print("\ndatabase check:")
        for key, value in checked.items():
            print(f"  {key:24} {value}")
        scan_p95 = figures["kinds"].get("scan", {}).get("p95_ms", 1e9)
        ok = (figures["errors"] == 0 and checked["check_in_rows"] == options.members
              and checked["members_checked_in"] == options.members and checked["duplicated"] == 0
              and not checked["refusals"] and scan_p95 < 100)
        print(f"\ngoals (0 errors, {options.members} rows, 0 refusals, scan p95 < 100 ms): {'MET' if ok else 'NOT MET'}")
        figures.update(database=checked, wall_seconds=wall, server_cpu_seconds=server_cpu, goals_met=ok)
        if options.json:
            Path(options.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
        return 0 if ok else 1
    finally:
        stop(app_server)
        drop_database()
        if options.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
