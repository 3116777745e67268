"""A large roster import runs as a job on the real consumer (SQLite queue and Redis queue): the page
shows its progress and survives a reload, problems come back by row and column, and a job that fails
part-way leaves nothing imported."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.extensions import db
from tests.jobs.helpers import job_id_from, read, upload_roster, wait_for_job

pytestmark = pytest.mark.app_config(JOBS_SYNC_MAX_ROWS=0)  # every import is "large": a job

HEADERS = ["单位", "姓名", "工号", "手机号", "性别", "政治面貌", "支部"]


def roster_rows(count: int, unit: str = "甲单位"):
    return [[unit, f"成员{number}", f"J{number:05d}", f"139{number:08d}", "男", "中共党员", None]
            for number in range(1, count + 1)]


def member_count() -> int:
    return read(lambda: db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.staff_id.like("J%"))))


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_a_large_import_runs_on_the_consumer_and_the_page_shows_it(
        organiser_client, make_unit, xlsx, consumer, queue_backend):
    make_unit("甲单位")
    response = upload_roster(organiser_client, xlsx([HEADERS, *roster_rows(30)]))
    job_id = job_id_from(response)
    assert member_count() == 0  # nothing imported by the request itself

    waiting = organiser_client.get(f"/jobs/{job_id}")
    assert waiting.status_code == 200
    assert "排队中" in waiting.get_data(as_text=True)
    assert waiting.headers["Cache-Control"].startswith("no-store")
    assert organiser_client.get(f"/jobs/{job_id}/status").get_json()["status"] == "queued"

    consumer()
    job = wait_for_job(job_id)
    assert job.status == "done", job.problems
    assert member_count() == 30

    status = organiser_client.get(f"/jobs/{job_id}/status")
    assert status.get_json()["status"] == "done" and status.get_json()["finished"] is True
    assert status.headers["Cache-Control"].startswith("no-store")
    page = organiser_client.get(f"/jobs/{job_id}").get_data(as_text=True)  # as after a reload
    assert 'data-count="created">30<' in page
    assert "data-job-status-url" not in page  # finished: no more polling


def test_row_and_column_problems_are_shown_and_nothing_is_imported(organiser_client, make_unit, xlsx, consumer):
    make_unit("甲单位")
    rows = roster_rows(5)
    rows[2][2] = rows[1][2]  # a staff ID twice (rows 3 and 4 of the sheet)
    rows[4][0] = "没有这个单位"
    response = upload_roster(organiser_client, xlsx([HEADERS, *rows]))
    consumer()
    job = wait_for_job(job_id_from(response))
    assert job.status == "failed"
    found = {(problem["row"], problem["column"]) for problem in job.problems}
    assert {(3, "工号"), (4, "工号"), (6, "单位")} <= found
    assert member_count() == 0
    page = organiser_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "没有保存任何数据" in page and "单位「没有这个单位」不存在" in page


def test_a_job_that_fails_part_way_leaves_nothing_imported(organiser_client, make_unit, xlsx, consumer,
                                                           monkeypatch, queue_backend):
    make_unit("甲单位")
    audits_before = read(audit_count)

    def crash(*_args, **_kwargs):  # after every member row has been inserted
        raise RuntimeError("the consumer lost its database mid-import")

    monkeypatch.setattr("app.members.importing.record", crash)
    response = upload_roster(organiser_client, xlsx([HEADERS, *roster_rows(40)]), create_units="y")
    consumer()
    job = wait_for_job(job_id_from(response))
    assert job.status == "failed"
    assert member_count() == 0
    assert read(audit_count) == audits_before
    page = organiser_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "任务执行出错，没有保存任何数据" in page


def test_random_passwords_come_back_as_a_private_download(organiser_client, client_for, make_staff, make_unit,
                                                         xlsx, consumer):
    make_unit("甲单位")
    response = upload_roster(organiser_client, xlsx([HEADERS, *roster_rows(3)]), password_mode="random")
    consumer()
    job = wait_for_job(job_id_from(response))
    assert job.status == "done", job.problems
    download = organiser_client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200
    assert download.headers["Cache-Control"].startswith("no-store")
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(download.data), read_only=True).active.iter_rows(values_only=True))
    assert {row[1] for row in rows[1:] if row[1]} >= {"J00001", "J00002", "J00003"}

    other = client_for(make_staff("organiser", name="另一组织员"))
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/status", f"/jobs/{job.id}/download"):
        assert other.get(path).status_code == 404, path


def test_small_imports_stay_synchronous(organiser_client, make_unit, xlsx, app):
    app.config["JOBS_SYNC_MAX_ROWS"] = 2000
    make_unit("甲单位")
    response = upload_roster(organiser_client, xlsx([HEADERS, *roster_rows(3)]))
    assert response.status_code == 200 and "导入完成" in response.get_data(as_text=True)
    assert member_count() == 3


def test_the_job_speaks_the_language_of_who_started_it(make_staff, client_for, make_unit, xlsx, consumer):
    make_unit("甲单位")
    english = client_for(make_staff("organiser", name="Organiser", locale="en"))
    rows = roster_rows(2)
    rows[1][0] = "没有这个单位"
    job_id = job_id_from(upload_roster(english, xlsx([HEADERS, *rows])))
    consumer()
    job = wait_for_job(job_id)
    assert [problem["message"] for problem in job.problems] == [
        "Unit “没有这个单位” does not exist. Add the unit first, or tick “Automatically create new units and branches”"]


def test_an_expired_result_file_is_no_longer_served(organiser_client, make_unit, xlsx, consumer, app):
    make_unit("甲单位")
    response = upload_roster(organiser_client, xlsx([HEADERS, *roster_rows(2)]), password_mode="random")
    consumer()
    job = wait_for_job(job_id_from(response))
    assert organiser_client.get(f"/jobs/{job.id}/download").status_code == 200
    app.config["JOBS_FILE_MAX_AGE_SECONDS"] = -1  # as if the hour had passed
    gone = organiser_client.get(f"/jobs/{job.id}/download")
    assert gone.status_code == 404 and "文件已过期" in gone.get_data(as_text=True)


def test_a_file_with_a_problem_on_every_row_keeps_the_first_ones_and_the_count(organiser_client, xlsx, consumer,
                                                                               monkeypatch):
    monkeypatch.setattr("app.common.jobs.PROBLEMS_KEPT", 50)
    response = upload_roster(organiser_client, xlsx([HEADERS, *roster_rows(120, unit="没有这个单位")]))
    consumer()
    job = wait_for_job(job_id_from(response))
    assert job.status == "failed" and len(job.problems) == 50
    page = organiser_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "有 120 个问题，没有保存任何数据" in page
