"""`flask jobs worker`, the consumer `make run` and a deployment start, run as a real process: it picks
up a job queued by the web app (SQLite queue or Redis), does it, and stops cleanly on SIGINT."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from tests.jobs.helpers import job_id_from, read, upload_roster, wait_for_job

PROJECT = Path(__file__).resolve().parents[2]
HEADERS = ["单位", "姓名", "工号", "手机号"]


@pytest.fixture
def worker_process(app, queue_backend):
    """A `flask jobs worker` process on the test's database and queue."""
    config = app.config
    environment = {
        **os.environ, "SAISHI_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SAISHI_REDIS_URL": config.get("REDIS_URL") or "", "SAISHI_JOBS_QUEUE_NAME": config["JOBS_QUEUE_NAME"],
        "SAISHI_JOBS_SQLITE_PATH": config["JOBS_SQLITE_PATH"], "SAISHI_JOBS_FOLDER": config["JOBS_FOLDER"],
        "SAISHI_SECRET_KEY": config["SECRET_KEY"],
    }
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=PROJECT,
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield process
    if process.poll() is None:
        process.kill()
        process.wait(10)


@pytest.mark.app_config(JOBS_SYNC_MAX_ROWS=0)
def test_the_worker_command_runs_a_queued_import_and_stops_on_sigint(organiser_client, make_unit, xlsx,
                                                                      worker_process):
    make_unit("甲单位")
    rows = [["甲单位", f"进程成员{number}", f"P{number:04d}", f"137{number:08d}"] for number in range(1, 21)]
    job = wait_for_job(job_id_from(upload_roster(organiser_client, xlsx([HEADERS, *rows]))), timeout=90)
    assert job.status == "done", job.problems
    assert read(lambda: db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.staff_id.like("P%")))) == 20

    worker_process.send_signal(signal.SIGINT)  # graceful: finish the current job, then exit
    output, _ = worker_process.communicate(timeout=30)
    assert worker_process.returncode == 0, output
    assert "jobs worker: queue" in output


@pytest.mark.parametrize("queue_backend", ["sqlite-queue"], indirect=True)
@pytest.mark.app_config(JOBS_SYNC_MAX_ROWS=0, JOBS_STALE_SECONDS=1)
def test_a_worker_killed_mid_job_leaves_nothing_imported_and_the_page_says_so(
        organiser_client, make_unit, xlsx, worker_process):
    from app.common.jobs import Job

    make_unit("甲单位")
    rows = [["甲单位", f"中断成员{number}", f"K{number:05d}", f"135{number:08d}"] for number in range(1, 20001)]
    job_id = job_id_from(upload_roster(organiser_client, xlsx([HEADERS, *rows])))
    deadline = time.monotonic() + 120
    while read(lambda: db.session.get(Job, job_id).stage) not in ("passwords", "writing"):
        assert time.monotonic() < deadline, "the job never got to its passwords"
        time.sleep(0.05)
    worker_process.kill()  # SIGKILL: no clean-up of any kind
    worker_process.wait(10)

    time.sleep(1.5)  # JOBS_STALE_SECONDS
    assert read(lambda: db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.staff_id.like("K%")))) == 0
    status = organiser_client.get(f"/jobs/{job_id}/status").get_json()
    assert status["interrupted"] and status["status"] == "failed"
    assert "任务中断，没有保存任何数据" in organiser_client.get(f"/jobs/{job_id}").get_data(as_text=True)
