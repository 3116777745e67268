#!/usr/bin/env python3
"""Load benchmark of the quiz answering path: N members log in, start, autosave 20 answers, submit.

    .venv/bin/python bench/quiz_load.py                      # SQLite file in a temp dir, 1,000 members, ~13 min
    .venv/bin/python bench/quiz_load.py --answer-seconds 60  # the stress variant: the paper answered in a minute
    .venv/bin/python bench/quiz_load.py --signed-in-before 0.7  # 70 % signed in earlier (a day of practice)
    .venv/bin/python bench/quiz_load.py --members 200 --rush-seconds 20 --answer-seconds 20
    .venv/bin/python bench/quiz_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_bench

What it does, in one run:
 1. Creates a fresh database: a SQLite file under a temp dir, or the PostgreSQL database named in
    --database-url, dropped and created again (its name must contain "bench" or "test"; it is dropped
    at the end unless --keep). Schema by `flask db upgrade` when migrations exist, else create_all.
 2. Seeds N active members over N/50 units in one bulk insert sharing one precomputed password hash
    (must_change_password off), a bank of 40 questions and a published quiz drawing 20 of them
    (8 single, 4 multiple, 4 judge, 4 fill; questions and options shuffled).
 3. Starts `gunicorn -w 4 -b 127.0.0.1:<free port> quiz_load:app_with_floor` with SAISHI_DATABASE_URL set:
    that is wsgi:app, plus a bare WSGI app (returns a constant) at /__floor in the same workers, so the
    floor waits in the same queue as the autosaves and the ratio between them is the app's own cost.
    As the README deploys it, sign-ins (POST /login, POST /account/password: the password hashing) go
    to a second, smaller pool (`gunicorn -w 2`, --sign-in-workers; 0 serves everything from one pool),
    at normal priority: the server hashes at most SAISHI_HASHING_SLOTS passwords at once (half its
    cores), so hashing keeps its share of the CPU and never more. The phones send those requests
    there, as nginx would.
 4. One thread per member (a light http.client browser with cookies, CSRF tokens read from the pages):
      earlier     — with --signed-in-before SHARE, that share of the members signs in before the rush
                    (as members who practised during the day still are: a sign-in lasts 7 days unused),
                    paced so that the hashing keeps up; timed apart (kinds earlier_login*);
      start rush  — every member starts within the first --rush-seconds, signing in first unless signed
                    in earlier;
      answering   — 20 autosaves spread until the member's submit time; ~10 % of answers changed later
                    (seq 2), ~10 % of saves resent as flaky phones do: the same save again, the same save
                    twice at once, or the older save arriving late (stale seq);
      submit rush — every member submits within the last --rush-seconds.
    Each phone fetches the CSS and JS a page links the first time it sees them, then keeps them (the
    URLs are versioned and cached for a year), as a browser does.
    A probe thread meanwhile times the bare app and /healthz (same run, same server, same load).
 5. Prints the machine's speed; p50/p95/p99 per request kind beside the workers' own CPU per request
    (bench/gunicorn_cpu.py) and its ratio to the bare app's; autosave percentiles within each phase,
    requests per second, errors, the autosave p50 over the bare p50; then checks the database: one attempt per member, submitted, 20 items each, every answered
    item holding the last seq sent and its answer, nothing else answered.

Goals: 0 errors, 0 lost or duplicated answers, autosave p95 under 100 ms overall and within each rush
(saves sent during the first and the last --rush-seconds). Exit status 0 when met.
Logins are successful ones only, so the per-address throttle (which counts failures) never trips.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "Bench2026pass"
LETTERS = "ABCDEFGH"
PAPER = (("single", 8, 5.0), ("multiple", 4, 5.0), ("judge", 4, 5.0), ("fill", 4, 5.0))  # 20 questions
BANK_FACTOR = 2  # the bank holds twice what the paper draws
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"|value="([^"]+)"[^>]*?name="csrf_token"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
ATTEMPT_URL = re.compile(r"/quizzes/attempts/(\d+)")
ASSET_URL = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"')
# Served by the sign-in pool when there is one (the README's nginx `map $request_method$uri`).
SIGN_IN_PATHS = frozenset({"/login", "/account/password"})
SIGN_IN_NICENESS = 0  # the sign-in pool at the app's own priority (niced, a busy server starved it)


FLOOR_PATH = "/__floor"


def bare_app(environ, start_response):
    """The floor: a WSGI app that does nothing."""
    body = b'{"status": "ok"}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class AppWithFloor:
    """wsgi:app, plus the bare app at FLOOR_PATH served by the same gunicorn workers: a request there
    waits in the same queue and worker as an autosave, but does no application work at all."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == FLOOR_PATH:
            return bare_app(environ, start_response)
        if self.app is None:  # imported in each worker, after the fork, with the bench's environment
            from wsgi import app

            self.app = app
        return self.app(environ, start_response)


app_with_floor = AppWithFloor()


def machine_speed() -> tuple[float, float]:
    """Seconds for a pure-Python loop of 10 M additions, and for one scrypt N=2^14, r=8, p=1 hash."""
    import hashlib

    started = time.perf_counter()
    total = 0
    for value in range(10_000_000):
        total += value
    loop = time.perf_counter() - started
    started = time.perf_counter()
    hashlib.scrypt(b"machine speed", salt=b"s" * 16, n=2 ** 14, r=8, p=1, maxmem=64 * 1024 * 1024)
    return loop, time.perf_counter() - started


# ---------------------------------------------------------------- database

def prepare_database(url: str | None, workdir: Path, keep: bool):
    """The database URL to use and a function that removes it afterwards."""
    import sqlalchemy as sa

    if not url:
        return f"sqlite:///{workdir / 'bench.db'}", (lambda: None)
    target = sa.engine.make_url(url)
    name = target.database or ""
    if not re.search(r"bench|test", name):
        raise SystemExit(f"refusing to drop and recreate database {name!r}: its name must contain 'bench' or 'test'")
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))

    drop()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return target.render_as_string(hide_password=False), (lambda: None) if keep else drop


def create_schema(url: str, env: dict) -> str:
    """Migrate when migrations exist, else create_all; returns which."""
    if any((ROOT / "migrations" / "versions").glob("*.py")):
        subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        return "flask db upgrade"
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return "create_all"


def seed(url: str, members: int, hash_method: str | None) -> tuple[int, list[str]]:
    """Members, units, a bank and a published quiz; returns the quiz id and the members' staff IDs."""
    import hashlib

    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from app import create_app
    from app.accounts.models import User
    from app.campaigns.models import Campaign
    from app.common.clock import utcnow
    from app.common.text import fold
    from app.extensions import db
    from app.units.models import Unit
    from quizzes.models import PaperRule, Question, QuestionBank, Quiz

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        now = utcnow()
        units = [Unit(name=f"压测单位{index:03d}", sort_order=index) for index in range(max(1, members // 50))]
        db.session.add_all(units)
        db.session.flush()
        password_hash = generate_password_hash(PASSWORD, method=hash_method or app.config["PASSWORD_HASH_METHOD"])
        staff_ids = [f"B{index:06d}" for index in range(members)]
        db.session.execute(sa.insert(User), [
            {"staff_id": staff_id, "name": f"压测{index}", "unit_id": units[index % len(units)].id,
             "password_hash": password_hash, "must_change_password": False, "active": True,
             "created_at": now, "updated_at": now}
            for index, staff_id in enumerate(staff_ids)
        ])
        bank = QuestionBank(name="压测题库")
        db.session.add(bank)
        db.session.flush()
        questions = []
        for question_type, count, _points in PAPER:
            for number in range(count * BANK_FACTOR):
                stem = f"{question_type} 压测题 {number}：请作答"
                options, answer = [], None
                if question_type == "single":
                    options, answer = ["选项甲", "选项乙", "选项丙", "选项丁"], "B"
                elif question_type == "multiple":
                    options, answer = ["选项甲", "选项乙", "选项丙", "选项丁", "选项戊"], ["A", "C", "E"]
                elif question_type == "judge":
                    answer = number % 2 == 0
                else:
                    answer = [["四十", "40"], ["高质量"]]
                questions.append(Question(
                    bank_id=bank.id, question_type=question_type, stem=stem,
                    stem_digest=hashlib.sha256(fold(stem).encode()).hexdigest(), options=options, answer=answer,
                    points=1.0))
        db.session.add_all(questions)
        campaign = Campaign(name="压测活动", description="", starts_on=now.date() - timedelta(days=1),
                            ends_on=now.date() + timedelta(days=30))
        db.session.add(campaign)
        db.session.flush()
        quiz = Quiz(campaign_id=campaign.id, title="压测知识竞赛", opens_at=now - timedelta(minutes=5),
                    closes_at=now + timedelta(days=1), time_limit_seconds=3 * 3600, attempts_allowed=1,
                    counting="best", shuffle_questions=True, shuffle_options=True, review_policy="after_submit",
                    paper_mode="random", is_published=True)
        quiz.banks = [bank]
        quiz.rules = [PaperRule(position=index, question_type=kind, count=count, points_each=points)
                      for index, (kind, count, points) in enumerate(PAPER, start=1)]
        db.session.add(quiz)
        db.session.commit()
        quiz_id = quiz.id
        db.engine.dispose()
    return quiz_id, staff_ids


# ---------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app_spec: str, port: int, workers: int, env: dict, log_path: Path,
                   extra: tuple[str, ...] = (), niceness: int = 0) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", *extra, app_spec]
    if niceness:
        command = ["nice", "-n", str(niceness), *command]
    log = log_path.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited early ({process.returncode}) serving {url}")
        try:
            if requests.get(url, timeout=15).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # the master stops its own workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------- measuring

def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _server_cpu_seconds(master_pid: int) -> float:
    """CPU time so far of the gunicorn master and its workers (Linux /proc; 0 elsewhere)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in [str(master_pid), *children]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _database_cpu_seconds() -> float:
    """CPU time so far of local PostgreSQL server processes (0 when there are none, as with SQLite)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, IndexError, ValueError):
            continue
        if name == "postgres":
            values = fields.split()
            total += (int(values[11]) + int(values[12])) / ticks
    return total


class Recorder:
    """Latencies per request kind, and every error with what it was."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.timeline: dict[str, list[tuple[float, float]]] = defaultdict(list)  # (monotonic sent at, seconds)
        self.errors: list[tuple[str, str]] = []
        self.requests = 0

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.timeline[kind].append((time.monotonic() - seconds, seconds))
            self.requests += 1

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors.append((kind, detail[:300]))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Sent:
    """What the client last sent for one position (the database must hold exactly this)."""

    seq: int
    response: object


@dataclass
class Member:
    staff_id: str
    start_at: float
    submit_at: float
    signed_in_at: float | None = None  # when a member signed in earlier (--signed-in-before) signs in
    attempt_id: int | None = None
    sent: dict[int, Sent] = field(default_factory=dict)
    done: bool = False


@dataclass
class Reply:
    status_code: int
    headers: dict  # lower-case names
    text: str

    def json(self):
        return json.loads(self.text)


class Client:
    """One member's browser: cookies, and every request timed.

    Plain http.client rather than requests: the bench shares the server's two cores, and requests
    costs about three times the CPU per call, which would be taken from the server under test.
    Like a sync gunicorn worker, each request uses its own connection (no keep-alive). Sign-ins go to
    `sign_in_port` when given, as nginx sends them to the sign-in pool.
    """

    def __init__(self, base: str, recorder: Recorder, sign_in_port: int | None = None):
        parsed = urllib.parse.urlsplit(base)
        self.base, self.host, self.port = base, parsed.hostname, parsed.port
        self.sign_in_port = sign_in_port
        self.cookies: dict[str, str] = {}
        self.recorder = recorder
        self.cached: set[str] = set()  # static URLs this browser already holds (versioned, cached a year)

    def assets(self, html: str) -> None:
        """Fetch the page's CSS and JS the first time a page links them, as a browser does."""
        for url in ASSET_URL.findall(html):
            url = url.replace("&amp;", "&")
            if url not in self.cached:
                self.cached.add(url)
                reply = self.request("static", "GET", url)
                if reply is not None and reply.status_code != 200:
                    self.recorder.error("static", f"{url}: {reply.status_code}")

    def request(self, kind: str, method: str, path: str, *, data: dict | None = None, json_body=None,
                headers: dict | None = None) -> Reply | None:
        send = {"Host": f"{self.host}:{self.port}", "Connection": "close", "X-Bench-Kind": kind, **(headers or {})}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            send["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            send["Content-Type"] = "application/json"
        if self.cookies:
            send["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        port = self.port
        if self.sign_in_port and method == "POST" and path.split("?", 1)[0] in SIGN_IN_PATHS:
            port = self.sign_in_port
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=send)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except Exception as error:  # connection refused/reset, timeout
            self.recorder.error(kind, f"{type(error).__name__}: {error}")
            return None
        finally:
            connection.close()
        self.recorder.add(kind, time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Reply(response.status, {name.lower(): value for name, value in response.getheaders()}, text)


def csrf_from(html: str) -> str | None:
    match = CSRF_META.search(html) or CSRF_INPUT.search(html)
    if match is None:
        return None
    return next(group for group in match.groups() if group)


QUESTION_SECTION = re.compile(r'<section class="quiz-q"[^>]*?data-position="(\d+)" data-type="(\w+)"'
                              r'[^>]*?data-blanks="(\d+)"(.*?)</section>', re.S)


def paper_from(html: str) -> list[dict]:
    """The questions of the answering page: position, type, option letters shown, number of blanks."""
    items = []
    for position, kind, blanks, body in QUESTION_SECTION.findall(html):
        letters = re.findall(rf'name="q{position}" value="([A-H])"', body)
        items.append({"position": int(position), "type": kind, "options": letters, "blanks": int(blanks)})
    return items


def choose(item: dict, rng: random.Random):
    """A plausible answer in displayed letters for one item of the paper."""
    kind = item["type"]
    if kind == "single":
        return LETTERS[rng.randrange(len(item["options"]))]
    if kind == "multiple":
        count = len(item["options"])
        return sorted(rng.sample(LETTERS[:count], rng.randint(1, count)))
    if kind == "judge":
        return rng.random() < 0.5
    return [rng.choice(["40", "四十", "30", " 高质量 ", "高质量发展"]) for _ in range(item.get("blanks") or 1)]


def sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def run_member(member: Member, base: str, quiz_id: int, recorder: Recorder, rng: random.Random,
               options: argparse.Namespace) -> None:
    try:
        _run_member(member, base, quiz_id, recorder, rng, options)
    except Exception as error:  # a bug in the bench must show as an error, not as a quietly missing member
        recorder.error("bench", f"{member.staff_id}: {type(error).__name__}: {error}")


def _run_member(member: Member, base: str, quiz_id: int, recorder: Recorder, rng: random.Random,
                options: argparse.Namespace) -> None:
    client = Client(base, recorder, options.sign_in_port)

    def fail(kind: str, response, expected: str) -> None:
        if response is None:
            return  # already counted by Client.request (timeout, connection reset)
        detail = re.sub(r"\s+", " ", response.text[:160])
        recorder.error(kind, f"{member.staff_id}: expected {expected}, got {response.status_code} {detail!r}")

    def sign_in(prefix: str) -> bool:
        page = client.request(prefix + "login_page", "GET", "/login")
        token = csrf_from(page.text) if page is not None and page.status_code == 200 else None
        if token is None:
            fail(prefix + "login_page", page, "a sign-in form")
            return False
        client.assets(page.text)
        response = client.request(prefix + "login", "POST", "/login",
                                  data={"login": member.staff_id, "password": PASSWORD, "csrf_token": token})
        if response is None or response.status_code != 302 or "/login" in response.headers.get("location", ""):
            fail(prefix + "login", response, "302 away from /login")
            return False
        return True

    if member.signed_in_at is not None:  # signed in during the day; the session is still there at the rush
        sleep_until(member.signed_in_at)
        if not sign_in("earlier_"):
            return
        sleep_until(member.start_at)
    else:
        sleep_until(member.start_at)
        if not sign_in(""):
            return

    page = client.request("start_page", "GET", f"/quizzes/{quiz_id}")
    token = csrf_from(page.text) if page is not None and page.status_code == 200 else None
    if token is None:
        return fail("start_page", page, "the start page with a form")
    client.assets(page.text)
    response = client.request("start", "POST", f"/quizzes/{quiz_id}/start", data={"csrf_token": token})
    match = ATTEMPT_URL.search(response.headers.get("location", "")) if response is not None else None
    if response is None or response.status_code != 302 or match is None:
        return fail("start", response, "302 to /quizzes/attempts/<id>")
    member.attempt_id = int(match.group(1))
    attempt_path = f"/quizzes/attempts/{member.attempt_id}"

    page = client.request("paper", "GET", attempt_path)
    token = csrf_from(page.text) if page is not None and page.status_code == 200 else None
    if token is None:
        return fail("paper", page, "the answering page with a csrf-token meta")
    client.assets(page.text)
    items = paper_from(page.text)  # as the page's script does: the paper is in the HTML, no /state call
    if len(items) != options.questions:
        recorder.error("paper", f"{member.staff_id}: paper has {len(items)} items, not {options.questions}")
    headers = {"X-CSRFToken": token}

    # The answering plan: each question answered once, some changed later, ~resend_ratio of the saves
    # resent: the same save again (no answer heard), the same save twice at once, or an older save
    # arriving after a newer one. Sequence numbers are given as the saves are sent, as the page does.
    ready = time.monotonic()
    window_end = max(ready + 0.5, member.submit_at - 1.0)
    plan: list[tuple[float, str, int, object]] = []  # (when, how, position, response)
    for item in items:
        first_at = rng.uniform(ready, window_end)
        plan.append((first_at, "save", item["position"], choose(item, rng)))
        if rng.random() < options.change_ratio:
            plan.append((rng.uniform(first_at, window_end), "save", item["position"], choose(item, rng)))
    resent = []
    for when, _how, position, response in plan:
        if rng.random() < options.resend_ratio:
            resent.append((when + rng.uniform(0.02, 0.3), rng.choice(("again", "twice", "late")), position, response))
    plan = sorted(plan + resent, key=lambda event: event[0])
    history: dict[int, list[Sent]] = defaultdict(list)

    def save(position: int, seq: int, response, session=None) -> dict | None:
        result = (session or client).request("autosave", "POST", attempt_path + "/answers", headers=headers,
                                             json_body={"position": position, "response": response, "seq": seq})
        if result is None:
            return None
        if result.status_code != 200:
            fail("autosave", result, "200")
            return None
        return result.json()

    for when, how, position, response in plan:
        sleep_until(when)
        sent = history[position]
        if how == "late" and len(sent) < 2:
            how = "again"
        if how == "again" and not sent:
            how = "save"
        if how == "save":
            seq = len(sent) + 1
            body = save(position, seq, response)
            if body is not None and not body.get("saved"):
                recorder.error("autosave", f"{member.staff_id}: fresh save of {position} seq {seq} not saved: {body}")
            sent.append(Sent(seq, response))
        elif how == "again":  # the phone never heard back and sends its last save again
            body = save(position, sent[-1].seq, sent[-1].response)
            if body is not None and (body.get("saved") or body.get("seq") != sent[-1].seq):
                recorder.error("autosave", f"{member.staff_id}: repeated save of {position}: {body}")
        elif how == "late":  # an older save, overtaken on the network, arrives last
            old = sent[-2]
            body = save(position, old.seq, old.response)
            if body is not None and (body.get("saved") or body.get("seq") != sent[-1].seq):
                recorder.error("autosave", f"{member.staff_id}: late seq {old.seq} < {sent[-1].seq} of {position}: {body}")
        else:  # "twice": a new save sent twice at once (double tap, retry racing the original)
            seq = len(sent) + 1
            twin_client = Client(client.base, recorder, client.sign_in_port)
            twin_client.cookies.update(client.cookies)
            results: list = []
            twin = threading.Thread(target=lambda p=position, q=seq, r=response, c=twin_client, out=results:
                                    out.append(save(p, q, r, c)))
            twin.start()
            results.append(save(position, seq, response))
            twin.join()
            sent.append(Sent(seq, response))
            saved = [body.get("saved") for body in results if body is not None]
            if len(saved) == 2 and saved.count(True) != 1:
                recorder.error("autosave", f"{member.staff_id}: twin saves of {position} seq {seq}: {results}")
    member.sent = {position: sent[-1] for position, sent in history.items() if sent}

    sleep_until(member.submit_at)
    response = client.request("submit", "POST", attempt_path + "/submit", headers=headers, json_body={})
    if response is None or response.status_code != 200 or not response.json().get("submitted"):
        return fail("submit", response, "200 {submitted: true}")
    member.done = True


def probe(base: str, recorder: Recorder, stop_event: threading.Event, interval: float) -> None:
    import requests

    session = requests.Session()
    while not stop_event.is_set():
        for kind, url in (("bare", base + FLOOR_PATH), ("healthz", base + "/healthz")):
            started = time.perf_counter()
            try:
                response = session.get(url, timeout=30, headers={"X-Bench-Kind": kind})
            except requests.RequestException as error:
                recorder.error(kind, str(error))
                continue
            if response.status_code == 200:
                recorder.add(kind, time.perf_counter() - started)
            else:
                recorder.error(kind, f"status {response.status_code}")
        stop_event.wait(interval)


# ---------------------------------------------------------------- checking the database

def to_original(kind: str, response, order: list[int]):
    """Displayed letters to bank letters (independent of the app's own conversion)."""
    if response is None:
        return None
    if kind == "single":
        return LETTERS[order[LETTERS.index(response)]] if order else response
    if kind == "multiple":
        return sorted(LETTERS[order[LETTERS.index(letter)]] if order else letter for letter in response)
    if kind == "fill":
        parts = [part.strip() for part in response]
        return parts if any(parts) else None
    return response


def verify(url: str, quiz_id: int, members: list[Member], questions: int) -> dict:
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from quizzes.models import Attempt, AttemptItem, Question

    problems: list[str] = []
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        attempts = db.session.execute(
            sa.select(Attempt.id, Attempt.user_id, Attempt.submitted_at, Attempt.score).where(Attempt.quiz_id == quiz_id)
        ).all()
        per_user = defaultdict(list)
        for attempt in attempts:
            per_user[attempt.user_id].append(attempt)
        duplicated_attempts = sum(len(rows) - 1 for rows in per_user.values() if len(rows) > 1)
        unsubmitted = sum(1 for attempt in attempts if attempt.submitted_at is None or attempt.score is None)
        items = defaultdict(dict)
        for row in db.session.execute(
            sa.select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.response, AttemptItem.response_seq,
                      AttemptItem.option_order, Question.question_type)
            .join(Question, Question.id == AttemptItem.question_id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id).where(Attempt.quiz_id == quiz_id)
        ):
            items[row.attempt_id][row.position] = row
        db.engine.dispose()
    wrong_size = sum(1 for attempt in attempts if len(items.get(attempt.id, {})) != questions)
    answers_sent = lost = stray = 0
    for member in members:
        if member.attempt_id is None:
            continue
        stored = items.get(member.attempt_id, {})
        for position, row in stored.items():
            sent = member.sent.get(position)
            if sent is None:
                if row.response is not None or row.response_seq:
                    stray += 1
                    problems.append(f"attempt {member.attempt_id} #{position}: stored {row.response!r} never sent")
                continue
            answers_sent += 1
            expected = to_original(row.question_type, sent.response, row.option_order or [])
            if row.response_seq != sent.seq or row.response != expected:
                lost += 1
                if len(problems) < 20:
                    problems.append(f"attempt {member.attempt_id} #{position}: stored seq {row.response_seq} "
                                    f"{row.response!r}, last sent seq {sent.seq} {expected!r}")
        lost += sum(1 for position in member.sent if position not in stored)
    return {"attempts": len(attempts), "members_with_attempt": len(per_user), "duplicated_attempts": duplicated_attempts,
            "unsubmitted": unsubmitted, f"attempts_without_{questions}_items": wrong_size,
            "answers_checked": answers_sent, "lost_or_overwritten": lost, "stray": stray, "problems": problems[:20]}


def time_export(url: str, quiz_id: int) -> dict:
    """Build the organiser's results workbook of the quiz just played, in-process, and time it."""
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from quizzes.exports import results_workbook
    from quizzes.models import Attempt, AttemptItem, Quiz

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(AttemptItem).join(Attempt)
                                 .where(Attempt.quiz_id == quiz_id, Attempt.submitted_at.is_not(None)))
        started = time.perf_counter()
        content = results_workbook(quiz)
        seconds = time.perf_counter() - started
        db.session.rollback()
        db.engine.dispose()
    return {"answer_rows": rows, "seconds": seconds, "kib": len(content) // 1024}


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to drop, create and use")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker (default 1: sync workers, as the README deploys)")
    parser.add_argument("--sign-in-workers", type=int, default=2,
                        help="workers of the sign-in pool (POST /login, /account/password), as the "
                             "README deploys (default 2; 0: one pool serves everything)")
    parser.add_argument("--rush-seconds", type=float, default=60.0,
                        help="everyone starts within this many seconds, and submits within the last as many")
    parser.add_argument("--answer-seconds", type=float, default=600.0,
                        help="answering time between the two rushes (default 600: 20 questions at about 30 s "
                             "each; 60 compresses the paper into a stress test with ten times the autosaves)")
    parser.add_argument("--signed-in-before", type=float, default=0.0, metavar="SHARE",
                        help="share of the members signed in before the rush (0–1; default 0: everyone signs "
                             "in during the start rush)")
    parser.add_argument("--resend-ratio", type=float, default=0.10)
    parser.add_argument("--change-ratio", type=float, default=0.10)
    parser.add_argument("--hash-method", default=None,
                        help="password hash for the bench members (werkzeug method; default: the app's "
                             "PASSWORD_HASH_METHOD, as members who chose their own password have)")
    parser.add_argument("--probe-interval", type=float, default=0.5, help="seconds between probe pairs")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database and the temp dir")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)
    options.questions = sum(count for _kind, count, _points in PAPER)

    import requests  # noqa: F401  (fail early when the test extras are missing)

    loop, scrypt = machine_speed()
    print(f"machine: 10 M additions {loop:.2f} s, scrypt N=2^14 {scrypt * 1000:.0f} ms (figures from machines "
          f"of other speeds compare by the × bare column)")

    workdir = Path(tempfile.mkdtemp(prefix="saishi-bench-"))
    url, drop_database = prepare_database(options.database_url, workdir, options.keep)
    cpu_dir = workdir / "cpu"
    cpu_dir.mkdir()
    env = {**os.environ, "SAISHI_DATABASE_URL": url, "SAISHI_SECRET_KEY": secrets.token_hex(32),
           "SAISHI_ENV": "production", "SAISHI_UPLOAD_FOLDER": str(workdir / "uploads"), "BENCH_CPU_DIR": str(cpu_dir)}
    os.environ.update({key: env[key] for key in ("SAISHI_SECRET_KEY", "SAISHI_UPLOAD_FOLDER")})
    app_server = sign_in_server = None
    options.sign_in_port = None
    try:
        dialect = url.split(":", 1)[0]
        print(f"database: {dialect} ({'fresh file ' + str(workdir / 'bench.db') if dialect == 'sqlite' else url})")
        t0 = time.perf_counter()
        schema = create_schema(url, env)
        quiz_id, staff_ids = seed(url, options.members, options.hash_method)
        print(f"schema by {schema}; seeded {options.members} members, 40 questions, quiz {quiz_id} "
              f"in {time.perf_counter() - t0:.1f} s")

        port = free_port()
        app_server = start_gunicorn("quiz_load:app_with_floor", port, options.workers, env,
                                    workdir / "gunicorn.log",
                                    extra=("--pythonpath", str(ROOT / "bench"), "--threads", str(options.threads),
                                           "-c", str(ROOT / "bench" / "gunicorn_cpu.py")))
        base = f"http://127.0.0.1:{port}"
        if options.sign_in_workers:
            options.sign_in_port = free_port()
            sign_in_server = start_gunicorn("quiz_load:app_with_floor", options.sign_in_port,
                                            options.sign_in_workers, env, workdir / "gunicorn-sign-in.log",
                                            extra=("--pythonpath", str(ROOT / "bench"),
                                                   "-c", str(ROOT / "bench" / "gunicorn_cpu.py")),
                                            niceness=SIGN_IN_NICENESS)
        try:
            wait_ready(base + "/healthz", app_server)
            wait_ready(base + FLOOR_PATH, app_server)
            if sign_in_server is not None:
                wait_ready(f"http://127.0.0.1:{options.sign_in_port}/healthz", sign_in_server)
        except SystemExit:
            for log in workdir.glob("gunicorn*.log"):
                print(log.read_text()[-3000:])
            raise
        print(f"gunicorn -w {options.workers} --threads {options.threads} -b 127.0.0.1:{port}: wsgi:app, "
              f"and a bare WSGI app at {FLOOR_PATH}")
        if sign_in_server is not None:
            print(f"sign-in pool: gunicorn -w {options.sign_in_workers} -b 127.0.0.1:{options.sign_in_port} "
                  f"for POST {', '.join(sorted(SIGN_IN_PATHS))}; hashing slots per server: "
                  f"{env.get('SAISHI_HASHING_SLOTS') or 'half the cores'}")

        rng = random.Random(options.seed)
        rush, answering = options.rush_seconds, options.answer_seconds
        earlier = round(min(1.0, max(0.0, options.signed_in_before)) * len(staff_ids))
        # Paced at the hashing's pace on one slot (one scrypt hash at a time, plus headroom), so the
        # earlier sign-ins are done before the rush begins.
        earlier_seconds = earlier * scrypt * 1.5
        now = time.monotonic()
        origin = now + 1.0 + (earlier_seconds + 5.0 if earlier else 0.0)
        members = [Member(staff_id, start_at=origin + rng.uniform(0, rush),
                          submit_at=origin + rush + answering + rng.uniform(0, rush)) for staff_id in staff_ids]
        for member in rng.sample(members, earlier):
            member.signed_in_at = now + 1.0 + rng.uniform(0, earlier_seconds)
        recorder = Recorder()
        stop_event = threading.Event()
        prober = threading.Thread(target=probe, args=(base, recorder, stop_event, options.probe_interval),
                                  daemon=True)
        threads = [threading.Thread(target=run_member, args=(member, base, quiz_id, recorder,
                                                               random.Random(rng.random()), options), daemon=True)
                   for member in members]
        if earlier:
            print(f"signed in earlier: {earlier} members, within {earlier_seconds:.0f} s before the rush")
        print(f"running: {len(members)} members, start rush {rush:g} s, answering {answering:g} s, "
              f"submit rush {rush:g} s; {os.cpu_count()} CPUs, load average before "
              f"{'/'.join(f'{value:.1f}' for value in os.getloadavg())} …", flush=True)
        threading.stack_size(512 * 1024)
        client_cpu_before = _cpu_seconds(resource.RUSAGE_SELF)
        servers = [server for server in (app_server, sign_in_server) if server is not None]
        server_cpu_before = sum(_server_cpu_seconds(server.pid) for server in servers)
        database_cpu_before = _database_cpu_seconds()
        started = time.perf_counter()
        prober.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        rush_wall = time.monotonic() - origin  # from the start rush on (the earlier sign-ins are before it)
        load_after = os.getloadavg()
        stop_event.set()
        prober.join()
        client_cpu = _cpu_seconds(resource.RUSAGE_SELF) - client_cpu_before
        server_cpu = sum(_server_cpu_seconds(server.pid) for server in servers) - server_cpu_before
        database_cpu = _database_cpu_seconds() - database_cpu_before
        stop(app_server)
        stop(sign_in_server)
        app_server = sign_in_server = None

        from gunicorn_cpu import read_totals

        figures = report(recorder, rush_wall, members, read_totals(cpu_dir))
        figures["phases"] = report_phases(recorder, origin, rush, answering)
        served = recorder.requests
        print(f"CPU during the run: gunicorn {server_cpu:.1f} s ({server_cpu / served * 1000:.1f} ms per request "
              f"served), bench client {client_cpu:.1f} s, local PostgreSQL server {database_cpu:.1f} s; "
              f"wall {wall:.0f} s × {os.cpu_count()} CPUs")
        figures.update(server_cpu_seconds=server_cpu, client_cpu_seconds=client_cpu, database_cpu_seconds=database_cpu)
        figures["load_average_after"] = load_after
        print(f"load average at the end of the run: {'/'.join(f'{value:.1f}' for value in load_after)}")
        checked = verify(url, quiz_id, members, options.questions)
        exported = time_export(url, quiz_id)
        bare_p50 = figures["kinds"].get("bare", {}).get("p50_ms")
        figures["export"] = exported
        print(f"\nresults workbook after the run (five sheets, {exported['answer_rows']} answer rows): "
              f"{exported['seconds']:.1f} s, {exported['kib']} KiB"
              + (f"; {exported['seconds'] * 1000 / bare_p50:,.0f}× the bare p50" if bare_p50 else ""))
        figures["database"] = checked
        print("\ndatabase check:")
        for key, value in checked.items():
            if key != "problems":
                print(f"  {key:28} {value}")
        for problem in checked["problems"]:
            print(f"  ! {problem}")
        ok = (not recorder.errors and checked["lost_or_overwritten"] == 0 and checked["duplicated_attempts"] == 0
              and checked["stray"] == 0 and checked["unsubmitted"] == 0
              and checked[f"attempts_without_{options.questions}_items"] == 0
              and checked["attempts"] == options.members)
        # The goals: the default variant keeps autosave p95 under 100 ms overall and within each
        # rush; the stress variant (a paper answered within two minutes) under 300 ms in every phase,
        # with sign-ins under 3 s at p95 (a sign-in that timed out is an error).
        stress = options.answer_seconds <= 120
        autosave_goal_ms, phases = (300, ("start rush", "answering", "submit rush")) if stress else \
            (100, ("start rush", "submit rush"))
        ok = (ok and figures["kinds"].get("autosave", {}).get("p95_ms", 1e9) < autosave_goal_ms
              and all(figures["phases"].get(f"{phase}/autosave", {}).get("p95_ms", 1e9) < autosave_goal_ms
                      for phase in phases)
              and (not stress or figures["kinds"].get("login", {}).get("p95_ms", 0) < 3000))
        figures["goals_met"] = ok
        print(f"\ngoals of the {'stress' if stress else 'default'} variant (0 errors, 0 lost/duplicated answers, "
              f"autosave p95 < {autosave_goal_ms} ms overall and within {', '.join(phases)}"
              f"{', sign-in p95 < 3 s' if stress else ''}): {'MET' if ok else 'NOT MET'}")
        if options.json:
            Path(options.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
        return 0 if ok else 1
    finally:
        stop(app_server)
        stop(sign_in_server)
        drop_database()
        if options.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report_phases(recorder: Recorder, origin: float, rush: float, answering: float) -> dict:
    """Autosave and bare-floor percentiles within each phase: the rushes are what the goal is about."""
    phases = (("start rush", origin, origin + rush), ("answering", origin + rush, origin + rush + answering),
              ("submit rush", origin + rush + answering, float("inf")))
    figures = {}
    print(f"\n{'phase':12} {'kind':9} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, begin, end in phases:
        for kind in ("autosave", "bare"):
            values = [seconds for sent_at, seconds in recorder.timeline.get(kind, []) if begin <= sent_at < end]
            if not values:
                continue
            row = {"count": len(values), "p50_ms": percentile(values, 0.50) * 1000,
                   "p95_ms": percentile(values, 0.95) * 1000, "p99_ms": percentile(values, 0.99) * 1000}
            figures[f"{name}/{kind}"] = row
            print(f"{name:12} {kind:9} {row['count']:>7} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
                  f"{row['p99_ms']:>8.1f}")
    return figures


def report(recorder: Recorder, wall: float, members: list[Member], cpu: dict[str, tuple[int, float]]) -> dict:
    """Latency percentiles per request kind, beside the workers' own CPU per request and its ratio to bare."""
    order = ["earlier_login_page", "earlier_login", "login_page", "login", "start_page", "start", "paper", "static", "autosave", "submit", "healthz", "bare"]
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
        row = {"count": len(values), "p50_ms": percentile(values, 0.50) * 1000, "p95_ms": percentile(values, 0.95) * 1000,
               "p99_ms": percentile(values, 0.99) * 1000, "max_ms": max(values) * 1000,
               "cpu_ms": cpu_ms(kind)}
        row["cpu_x_bare"] = row["cpu_ms"] / bare_cpu if row["cpu_ms"] is not None and bare_cpu else None
        kinds[kind] = row
        cpu_text = f"{row['cpu_ms']:>8.2f} {row['cpu_x_bare']:>6.1f}×" if row["cpu_x_bare"] is not None else ""
        print(f"{kind:12} {row['count']:>7} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} "
              f"{row['max_ms']:>8.1f} {cpu_text}")
    load_requests = sum(len(values) for kind, values in recorder.latencies.items()
                        if kind not in ("bare", "healthz") and not kind.startswith("earlier_"))
    errors_by_kind = defaultdict(int)
    for kind, _detail in recorder.errors:
        errors_by_kind[kind] += 1
    ratio = kinds["autosave"]["p50_ms"] / kinds["bare"]["p50_ms"] if "autosave" in kinds and "bare" in kinds else None
    ratio_health = (kinds["autosave"]["p50_ms"] / kinds["healthz"]["p50_ms"]
                    if "autosave" in kinds and "healthz" in kinds else None)
    print(f"\nwall time {wall:.1f} s; {load_requests} member requests = {load_requests / wall:.1f} req/s "
          f"(+ {len(recorder.latencies.get('bare', [])) + len(recorder.latencies.get('healthz', []))} probes)")
    print(f"members finished: {sum(member.done for member in members)} / {len(members)}")
    print(f"errors: {len(recorder.errors)} {dict(errors_by_kind) if errors_by_kind else ''}")
    for kind, detail in recorder.errors[:10]:
        print(f"  ! {kind}: {detail}")
    if ratio is not None:
        print(f"autosave p50 / bare WSGI p50 = {ratio:.1f}×; autosave p50 / /healthz p50 = {ratio_health:.1f}×")
    return {"kinds": kinds, "wall_seconds": wall, "member_requests": load_requests,
            "requests_per_second": load_requests / wall, "errors": len(recorder.errors),
            "errors_by_kind": dict(errors_by_kind), "error_samples": recorder.errors[:20],
            "autosave_over_bare_p50": ratio, "autosave_over_healthz_p50": ratio_health,
            "members_finished": sum(member.done for member in members)}


if __name__ == "__main__":
    sys.exit(main())
