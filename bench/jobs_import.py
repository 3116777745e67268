"""Roster import as a job: python bench/jobs_import.py [--rows 100000] [--redis redis://127.0.0.1:6379/5]

Posts a large roster to the import page (SQLite database in a temporary folder), times the request
that queues the job, runs a real Huey consumer in a thread, and meanwhile, every 0.25 s, does what
members' autosaves do: a small write transaction. It prints the time of each stage as the job page
would show it, the whole job, and the longest and the median wait of those small writes, which says
how long the job held SQLite's only write lock.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("SAISHI_SECRET_KEY", "bench-secret-key")

import sqlalchemy as sa
from roster_import import build_workbook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--redis", default="", help="queue in Redis (use a database other than 0)")
    options = parser.parse_args()

    from app import create_app
    from app.accounts.models import RoleGrant, User
    from app.common.jobs import Job
    from app.database import reads_only
    from app.extensions import db
    from app.units.models import Unit

    content = build_workbook(options.rows)
    print(f"roster of {options.rows:,} rows: {len(content) / 1e6:.1f} MB; {os.cpu_count()} CPU(s), "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "WTF_CSRF_ENABLED": False,
            "JOBS_SQLITE_PATH": f"{folder}/jobs.sqlite3", "JOBS_FOLDER": f"{folder}/jobs",
            "REDIS_URL": options.redis, "JOBS_QUEUE_NAME": f"saishi-bench-{uuid.uuid4().hex[:8]}",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }, instance_path=folder)
        huey = app.extensions["huey"]
        with app.app_context():
            db.create_all()
            organiser = User(name="组织员", staff_id="B0001", must_change_password=False)
            organiser.set_password("Passw0rd2026")
            organiser.role_grants = [RoleGrant(role="organiser")]
            db.session.add_all([organiser, Unit(name="心跳单位", sort_order=0)])
            db.session.commit()
            db.session.remove()

        client = app.test_client()
        assert client.post("/login", data={"login": "B0001", "password": "Passw0rd2026"}).status_code == 302
        started = time.perf_counter()
        response = client.post("/members/import", content_type="multipart/form-data", data={
            "file": (io.BytesIO(content), "名册.xlsx"), "password_mode": "mobile", "create_units": "y"})
        request_seconds = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        job_id = int(response.headers["Location"].rsplit("/", 1)[1])
        print(f"the import request queued job {job_id} in {request_seconds:.2f} s")

        consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05,
                                        max_delay=0.2, check_worker_health=False)
        consumer._set_signal_handlers = lambda: None
        job_started = time.perf_counter()
        consumer.start()
        waits, stages, status = [], {}, None
        with app.app_context():
            engine = db.engine
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                before = time.perf_counter()
                with engine.begin() as connection:  # BEGIN IMMEDIATE: waits while the job holds the lock
                    connection.execute(sa.text("UPDATE units SET sort_order = sort_order WHERE name = '心跳单位'"))
                waits.append(time.perf_counter() - before)
                with reads_only(), engine.connect() as connection:
                    status, stage = connection.execute(sa.select(Job.status, Job.stage).where(Job.id == job_id)).one()
                stages.setdefault(stage, time.perf_counter() - job_started)
                if status in ("done", "failed"):
                    break
                time.sleep(0.25)
            total = time.perf_counter() - job_started
            with reads_only(), engine.connect() as connection:
                result, problems = connection.execute(sa.select(Job.result, Job.problems).where(Job.id == job_id)).one()
        consumer.stop(graceful=True)
        if options.redis:
            huey.flush()
        print(f"job {status} in {total:.1f} s; result {result if result is None else {k: result[k] for k in ('created', 'updated', 'unchanged')}}"
              f"{'; problems ' + str(problems[:3]) if problems else ''}")
        ordered = sorted((seconds, stage) for stage, seconds in stages.items() if stage)
        for index, (seconds, stage) in enumerate(ordered):
            ends = ordered[index + 1][0] if index + 1 < len(ordered) else total
            print(f"  stage {stage:<10} from {seconds:6.1f} s to {ends:6.1f} s")
        print(f"small writes meanwhile: {len(waits)}, median wait {statistics.median(waits) * 1000:.0f} ms, "
              f"longest {max(waits):.2f} s")


if __name__ == "__main__":
    main()
