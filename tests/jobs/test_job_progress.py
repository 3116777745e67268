"""What the job page polls: progress by stage while the work runs, an interrupted job shown as such,
and a queue that cannot be reached reported at once instead of a job that waits forever."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.common import jobs
from app.common.clock import utcnow
from app.database import reads_only
from app.extensions import db
from tests.jobs.helpers import job_id_from, upload_roster

HEADERS = ["单位", "姓名", "工号", "手机号"]


@pytest.mark.app_config(JOBS_SYNC_MAX_ROWS=0)
def test_progress_is_saved_stage_by_stage_while_the_job_runs(organiser_client, make_unit, xlsx, monkeypatch):
    make_unit("甲单位")
    saved = []
    original = jobs.Progress.save

    def recording(progress):  # what a poll would read just after each save, on its own connection
        before = progress._saved_at
        original(progress)
        if progress._saved_at != before:
            with reads_only(), db.engine.connect() as connection:
                saved.append(tuple(connection.execute(sa.select(jobs.Job.stage, jobs.Job.done, jobs.Job.total)
                                                      .where(jobs.Job.id == progress.job_id)).one()))

    monkeypatch.setattr(jobs.Progress, "save", recording)
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL_SECONDS", 0)
    rows = [["甲单位", f"成员{number}", f"G{number:05d}", f"136{number:08d}"] for number in range(1, 2501)]
    job_id = job_id_from(upload_roster(organiser_client, xlsx([HEADERS, *rows])))
    assert jobs.run_job(job_id) == "done"  # what the consumer runs, here in the test's thread

    stages = [stage for stage, _done, _total in saved]
    assert stages.index("reading") < stages.index("checking") < stages.index("passwords") < stages.index("writing")
    assert ("reading", 1001, 2501) in saved  # rows as the sheet declares them, header included
    assert any(stage == "passwords" and total == 2500 and done > 0 for stage, done, total in saved)
    status = organiser_client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "done" and status["finished"]


def test_a_job_whose_consumer_stopped_shows_as_interrupted(app, organiser, client_for):
    job = jobs.Job(owner_id=organiser.id, kind="members.import", status="running", params={}, stage="passwords",
                   done=10, total=100, updated_at=utcnow() - timedelta(seconds=app.config["JOBS_STALE_SECONDS"] + 60))
    db.session.add(job)
    db.session.commit()
    client = client_for(organiser)
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["status"] == "failed" and status["interrupted"] and status["finished"]
    assert "任务中断，没有保存任何数据" in client.get(f"/jobs/{job.id}").get_data(as_text=True)


@pytest.mark.app_config(JOBS_SYNC_MAX_ROWS=0)
def test_an_unreachable_queue_fails_the_job_at_once_with_a_message(app, organiser_client, make_unit, xlsx):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/5")  # nothing listens on port 1
    jobs.init_app(app)
    make_unit("甲单位")
    job_id = job_id_from(upload_roster(organiser_client, xlsx([HEADERS, ["甲单位", "某人", "U1", "13500000001"]])))
    page = organiser_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "后台任务队列暂时不可用" in page


def test_the_status_poll_is_cheap(organiser, client_for, count_queries):
    job = jobs.Job(owner_id=organiser.id, kind="members.import", status="queued", params={})
    db.session.add(job)
    db.session.commit()
    client = client_for(organiser)
    with count_queries() as counter:
        response = client.get(f"/jobs/{job.id}/status")
    assert response.status_code == 200 and response.get_json()["status"] == "queued"
    assert counter.count <= 4, counter.statements  # the signed-in user and the job's row, nothing else
