#!/usr/bin/env python3
"""Worker CPU per request kind on the quiz path, as a multiple of a bare WSGI response in the same run.

    .venv/bin/python bench/profile_requests.py                     # SQLite file in a temp dir
    .venv/bin/python bench/profile_requests.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x_bench
    .venv/bin/python bench/profile_requests.py --profile autosave  # also a cProfile of that kind (top functions)

One sync gunicorn worker (bench/gunicorn_cpu.py accounts its own CPU per request, everything from
accepting the connection to writing the response) serves wsgi:app and the bare app of quiz_load.py.
The client sends the request kinds one after the other, three rounds, each kind tagged with an
X-Bench-Kind header; the figures are the median of the rounds (the spread in brackets). Latency is
not measured here: on a shared machine it says more about the neighbours than about the app, while
the worker's own CPU per request, over the bare response's, is comparable between machines. The
machine's speed is printed too (a fixed 10 M-addition loop and one scrypt N=2^14 hash).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import gunicorn_cpu  # noqa: E402
import quiz_load  # noqa: E402
from quiz_load import (  # noqa: E402
    FLOOR_PATH,
    PASSWORD,
    Client,
    Recorder,
    choose,
    csrf_from,
    machine_speed,
    paper_from,
)

ORDER = ("bare", "healthz", "static css", "login page", "start page", "start", "attempt page", "autosave",
         "submit", "result page", "login POST")
GOALS = {"autosave": 4, "attempt page": 18, "start": 15, "submit": 15, "login page": 4, "healthz": 2}


class ProfiledApp:
    """quiz_load's app (wsgi:app + the bare floor), with requests of one kind run under cProfile."""

    def __init__(self):
        self.profilers: dict[str, cProfile.Profile] = {}

    def __call__(self, environ, start_response):
        kind = environ.get("HTTP_X_BENCH_KIND", "").split("#")[0]
        if not kind or kind not in os.environ.get("BENCH_PROFILE_KINDS", "").split(","):
            return quiz_load.app_with_floor(environ, start_response)
        if kind not in self.profilers:  # wall time by default (includes waiting on the database); --cpu: CPU
            timer = time.process_time if os.environ.get("BENCH_PROFILE_CPU") else time.perf_counter
            self.profilers[kind] = cProfile.Profile(timer)
        profiler = self.profilers[kind]
        profiler.enable()
        try:
            return list(quiz_load.app_with_floor(environ, start_response))
        finally:
            profiler.disable()
            profiler.dump_stats(Path(os.environ["BENCH_PROFILE_DIR"]) / f"{kind}.pstats")


app = ProfiledApp()


class Driver:
    """Sends each request kind of the quiz path, tagged with its kind and round."""

    def __init__(self, base: str, quiz_id: int):
        self.base, self.quiz_id = base, quiz_id
        self.recorder = Recorder()
        self.failures: list[str] = []

    def send(self, client: Client, kind: str, method: str, path: str, expect: int, **kwargs):
        headers = {**kwargs.pop("headers", {}), "X-Bench-Kind": kind}
        reply = client.request(kind, method, path, headers=headers, **kwargs)
        if reply is None or reply.status_code != expect:
            status = reply.status_code if reply is not None else "no answer"
            self.failures.append(f"{kind} {method} {path}: expected {expect}, got {status}")
        return reply

    def signed_in(self, staff_id: str) -> Client:
        client = Client(self.base, self.recorder)
        page = self.send(client, "setup", "GET", "/login", 200)
        self.send(client, "setup", "POST", "/login", 302,
                  data={"login": staff_id, "password": PASSWORD, "csrf_token": csrf_from(page.text)})
        return client

    def round(self, number: int, staff_ids: list[str], repeat: int, logins: int) -> None:
        tag = f"#{number}"
        anonymous = Client(self.base, self.recorder)
        for _ in range(repeat):
            self.send(anonymous, "bare" + tag, "GET", FLOOR_PATH, 200)
            self.send(anonymous, "healthz" + tag, "GET", "/healthz", 200)
            self.send(anonymous, "static css" + tag, "GET", "/static/css/app.css", 200)
            self.send(Client(self.base, self.recorder), "login page" + tag, "GET", "/login", 200)
        members = [self.signed_in(staff_id) for staff_id in staff_ids]
        start_path = f"/quizzes/{self.quiz_id}"
        tokens = []
        for index in range(repeat):
            page = self.send(members[index % len(members)], "start page" + tag, "GET", start_path, 200)
            if index < len(members):
                tokens.append(csrf_from(page.text))
        attempts = []
        for client, token in zip(members, tokens, strict=True):
            reply = self.send(client, "start" + tag, "POST", start_path + "/start", 302, data={"csrf_token": token})
            attempts.append(reply.headers["location"].rsplit("/", 1)[-1])
        papers = []
        for index in range(repeat):
            client, attempt = members[index % len(members)], attempts[index % len(members)]
            page = self.send(client, "attempt page" + tag, "GET", f"/quizzes/attempts/{attempt}", 200)
            if index < len(members):
                papers.append((csrf_from(page.text), paper_from(page.text)))
        import random

        rng = random.Random(number)
        seqs: dict[tuple[int, int], int] = {}
        for index in range(repeat * 4):
            member = index % len(members)
            token, paper = papers[member]
            item = paper[(index // len(members)) % len(paper)]
            seq = seqs[member, item["position"]] = seqs.get((member, item["position"]), 0) + 1
            self.send(members[member], "autosave" + tag, "POST", f"/quizzes/attempts/{attempts[member]}/answers",
                      200, headers={"X-CSRFToken": token},
                      json_body={"position": item["position"], "response": choose(item, rng), "seq": seq})
        for member, client in enumerate(members):
            self.send(client, "submit" + tag, "POST", f"/quizzes/attempts/{attempts[member]}/submit", 200,
                      headers={"X-CSRFToken": papers[member][0]}, json_body={})
        for index in range(repeat):
            member = index % len(members)
            self.send(members[member], "result page" + tag, "GET", f"/quizzes/attempts/{attempts[member]}/result", 200)
        for _ in range(logins):
            client = Client(self.base, self.recorder)
            page = self.send(client, "setup", "GET", "/login", 200)
            self.send(client, "login POST" + tag, "POST", "/login", 302,
                      data={"login": staff_ids[0], "password": PASSWORD, "csrf_token": csrf_from(page.text)})


def table(totals: dict[str, tuple[int, float]], rounds: int) -> dict[str, dict]:
    """Per kind: median ms over the rounds, the spread, and the median of the per-round ratios to bare."""
    per_round: dict[str, list[float]] = {}
    for kind in ORDER:
        values = []
        for number in range(1, rounds + 1):
            count, seconds = totals.get(f"{kind}#{number}", (0, 0.0))
            if count:
                values.append(seconds / count * 1000)
        if values:
            per_round[kind] = values
    bare = per_round.get("bare")
    rows = {}
    for kind, values in per_round.items():
        ratios = [value / floor for value, floor in zip(values, bare, strict=False)] if bare else []
        rows[kind] = {"ms": statistics.median(values), "min_ms": min(values), "max_ms": max(values),
                      "x_bare": statistics.median(ratios) if ratios else None,
                      "count": sum(totals.get(f"{kind}#{n}", (0, 0))[0] for n in range(1, rounds + 1))}
    return rows


def print_table(rows: dict[str, dict]) -> None:
    print(f"\n{'request':14} {'count':>6} {'CPU ms':>8} {'(spread)':>15} {'× bare':>8}  goal")
    for kind, row in rows.items():
        goal = GOALS.get(kind)
        verdict = "" if goal is None else f"≤ {goal}× {'met' if row['x_bare'] <= goal else 'NOT met'}"
        print(f"{kind:14} {row['count']:>6} {row['ms']:>8.2f} {row['min_ms']:>6.2f}–{row['max_ms']:<7.2f} "
              f"{row['x_bare']:>8.1f}  {verdict}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to drop, create and use")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=60, help="requests per kind and round (autosaves: 4×)")
    parser.add_argument("--members", type=int, default=20, help="members starting and submitting per round")
    parser.add_argument("--logins", type=int, default=4, help="password sign-ins per round (scrypt)")
    parser.add_argument("--profile", metavar="KIND", action="append", choices=ORDER, default=[],
                        help="print a cProfile of this kind (repeatable)")
    parser.add_argument("--cpu", action="store_true",
                        help="profile CPU time (the worker's own) rather than wall time, which includes waiting")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)

    loop, scrypt = machine_speed()
    print(f"machine: 10 M additions {loop:.2f} s, scrypt N=2^14 {scrypt * 1000:.0f} ms; {os.cpu_count()} CPUs, "
          f"load average {'/'.join(f'{value:.1f}' for value in os.getloadavg())}")
    workdir = Path(tempfile.mkdtemp(prefix="saishi-profile-"))
    url, drop_database = quiz_load.prepare_database(options.database_url, workdir, keep=False)
    cpu_dir = workdir / "cpu"
    cpu_dir.mkdir()
    env = {**os.environ, "SAISHI_DATABASE_URL": url, "SAISHI_SECRET_KEY": secrets.token_hex(32),
           "SAISHI_ENV": "production", "SAISHI_UPLOAD_FOLDER": str(workdir / "uploads"),
           "BENCH_CPU_DIR": str(cpu_dir)}
    if options.profile:
        env.update(BENCH_PROFILE_KINDS=",".join(options.profile), BENCH_PROFILE_DIR=str(workdir))
        if options.cpu:
            env["BENCH_PROFILE_CPU"] = "1"
    os.environ.update({key: env[key] for key in ("SAISHI_SECRET_KEY", "SAISHI_UPLOAD_FOLDER")})
    server = None
    try:
        quiz_load.create_schema(url, env)
        members = options.members * options.rounds
        quiz_id, staff_ids = quiz_load.seed(url, members, None)
        port = quiz_load.free_port()
        server = quiz_load.start_gunicorn("profile_requests:app", port, 1, env, workdir / "gunicorn.log",
                                          extra=("--pythonpath", str(BENCH), "-c", str(BENCH / "gunicorn_cpu.py")))
        base = f"http://127.0.0.1:{port}"
        try:
            quiz_load.wait_ready(base + "/healthz", server, timeout=120)
        except SystemExit:
            print((workdir / "gunicorn.log").read_text()[-3000:])
            raise
        print(f"one sync gunicorn worker on {url.split(':', 1)[0]}; {options.rounds} rounds of {options.repeat} "
              f"requests per kind, {options.members} members starting and submitting per round")
        driver = Driver(base, quiz_id)
        for number in range(1, options.rounds + 1):
            chunk = staff_ids[(number - 1) * options.members:number * options.members]
            driver.round(number, chunk, options.repeat, options.logins)
        quiz_load.stop(server)
        server = None
        for failure in driver.failures[:10]:
            print(f"  ! {failure}")
        rows = table(gunicorn_cpu.read_totals(cpu_dir), options.rounds)
        print_table(rows)
        for kind in options.profile:
            path = workdir / f"{kind}.pstats"
            if not path.exists():
                continue
            print(f"\ncProfile of {kind} (cumulative, then own time; profiling slows it several times):")
            stats = pstats.Stats(str(path))
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(20)
        if options.json:
            import json

            Path(options.json).write_text(json.dumps({"machine": {"loop_10M_s": loop, "scrypt_ms": scrypt * 1000},
                                                      "kinds": rows, "failures": driver.failures}, indent=2))
        return 1 if driver.failures else 0
    finally:
        quiz_load.stop(server)
        drop_database()
        if os.environ.get("BENCH_KEEP_PROFILE"):  # keep the .pstats files for pstats.Stats(...).print_callers()
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
