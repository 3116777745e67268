"""Large question-bank imports and results exports run as jobs on the real consumer: same rows and
columns in the problems, nothing half-imported, and the workbook downloaded only by who asked for it."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db
from quizzes.models import Question
from tests.jobs.fixtures import consumer, queue_backend  # noqa: F401
from tests.jobs.helpers import job_id_from, read, wait_for_job
from tests.quizzes.banks_sheet import HEADER, row
from tests.quizzes.results_helpers import record_attempt

pytestmark = pytest.mark.app_config(JOBS_SYNC_MAX_ROWS=0, JOBS_SYNC_MAX_ANSWERS=0)


def upload_bank(client, bank_id: int, content: bytes):
    return client.post(f"/quizzes/banks/{bank_id}/import", data={"file": (io.BytesIO(content), "题库.xlsx")},
                       content_type="multipart/form-data")


def question_count(bank_id: int) -> int:
    return read(lambda: db.session.scalar(
        sa.select(sa.func.count()).select_from(Question).where(Question.bank_id == bank_id)))


def test_a_large_bank_import_runs_as_a_job(organiser_client, make_bank, xlsx, consumer):  # noqa: F811
    bank_id = make_bank("党史题库").id
    rows = [row("单选题", f"第{number}题：哪一年？", "B", options=["1919", "1921", "1927"]) for number in range(1, 26)]
    job_id = job_id_from(upload_bank(organiser_client, bank_id, xlsx([HEADER, *rows])))
    assert question_count(bank_id) == 0
    consumer()
    job = wait_for_job(job_id)
    assert job.status == "done", job.problems
    assert question_count(bank_id) == 25
    page = organiser_client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "新增 25 题" in page


def test_bank_problems_come_back_by_row_and_column_and_nothing_is_imported(organiser_client, make_bank, xlsx,
                                                                          consumer):  # noqa: F811
    bank_id = make_bank().id
    rows = [row("单选题", f"第{number}题", "B", options=["甲", "乙"]) for number in range(1, 6)]
    rows[3] = row("单选题", "第4题", "Z", options=["甲", "乙"])  # sheet row 5: no option Z
    job_id = job_id_from(upload_bank(organiser_client, bank_id, xlsx([HEADER, *rows])))
    consumer()
    job = wait_for_job(job_id)
    assert job.status == "failed"
    assert [(problem["row"], problem["column"]) for problem in job.problems] == [(5, "答案")]
    assert question_count(bank_id) == 0


@pytest.fixture
def finished_quiz(make_unit, make_member, make_bank, make_question, make_quiz):
    unit = make_unit("市委办")
    bank = make_bank()
    questions = [make_question(bank, "single", answer="A", points=10) for _ in range(3)]
    quiz = make_quiz(fixed=[(question, 10) for question in questions], title="党史竞赛", eligible_units=[unit])
    for number in range(4):
        record_attempt(quiz, make_member(unit=unit, name=f"答题人{number}"),
                       answers=[(question, "A" if number % 2 else "B") for question in questions])
    return quiz


def test_a_large_results_export_runs_as_a_job_and_only_its_owner_downloads_it(
        organiser_client, client_for, make_staff, finished_quiz, consumer, queue_backend):  # noqa: F811
    quiz_id = finished_quiz.id
    offer = organiser_client.get(f"/quizzes/manage/{quiz_id}/export.xlsx")
    assert offer.status_code == 200 and "12 条作答记录" in offer.get_data(as_text=True)
    job_id = job_id_from(organiser_client.post(f"/quizzes/manage/{quiz_id}/export-job"))
    # Clicking again while it is queued shows the same job rather than starting another.
    assert job_id_from(organiser_client.post(f"/quizzes/manage/{quiz_id}/export-job")) == job_id
    consumer()
    job = wait_for_job(job_id)
    assert job.status == "done", job.problems
    download = organiser_client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["Cache-Control"].startswith("no-store")
    book = load_workbook(io.BytesIO(download.data), read_only=True)
    answers = list(book["答卷明细"].iter_rows(values_only=True))
    assert len(answers) == 1 + 12
    other = client_for(make_staff("organiser", name="另一组织员"))
    assert other.get(f"/jobs/{job_id}/download").status_code == 404
    assert other.get(f"/jobs/{job_id}/status").status_code == 404


def test_small_exports_stay_a_direct_download(organiser_client, finished_quiz, app):
    app.config["JOBS_SYNC_MAX_ANSWERS"] = 20000
    response = organiser_client.get(f"/quizzes/manage/{finished_quiz.id}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")


def test_a_liaisons_export_job_holds_only_their_own_unit(make_unit, make_member, make_staff, client_for, make_bank,
                                                         make_question, make_quiz, consumer):  # noqa: F811
    mine, other = make_unit("本单位"), make_unit("别的单位")
    bank = make_bank()
    question = make_question(bank, "single", answer="A", points=10)
    quiz = make_quiz(fixed=[(question, 10)], title="联络员竞赛", eligible_units=[mine, other],
                     opens_in=timedelta(days=-3), open_for=timedelta(days=1))
    record_attempt(quiz, make_member(unit=mine, name="本单位人"), answers=[(question, "A")])
    record_attempt(quiz, make_member(unit=other, name="别单位人"), answers=[(question, "B")])
    liaison = client_for(make_staff("liaison", unit=mine))
    job_id = job_id_from(liaison.post(f"/quizzes/manage/{quiz.id}/export-job"))
    consumer()
    assert wait_for_job(job_id).status == "done"
    book = load_workbook(io.BytesIO(liaison.get(f"/jobs/{job_id}/download").data), read_only=True)
    names = {row[1] for row in book["个人排名"].iter_rows(min_row=2, values_only=True)}
    assert names == {"本单位人"}
