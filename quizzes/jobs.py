"""Quiz work that runs as a job (app/common/jobs.py): large question-bank imports and results exports."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.common import jobs
from app.database import reads_only
from app.extensions import db
from quizzes import exports
from quizzes.models import QuestionBank, Quiz
from quizzes.services import bank_sheets
from quizzes.services.attempts import finalize_expired

BANK_IMPORT = "quizzes.bank_import"
RESULTS_EXPORT = "quizzes.results_export"


# ---------------------------------------------------------------- question-bank import

def bank_import_runs_as_job(content: bytes) -> bool:
    """A bank sheet with more rows than JOBS_SYNC_MAX_ROWS (as the file declares them) is imported as a job."""
    rows = jobs.estimated_rows(content)
    return rows is not None and rows > jobs.sync_limit("JOBS_SYNC_MAX_ROWS")


def start_bank_import(bank: QuestionBank, content: bytes, *, owner: User, filename: str) -> int:
    """Queue the import of `content` into `bank` (commits); the job's id."""
    return jobs.start_job(BANK_IMPORT, owner=owner, upload=content, params={
        "bank_id": bank.id, "filename": "".join(char for char in filename if char.isprintable())[:200],
        "back_url": url_for("quizzes.banks.show", bank_id=bank.id), "back_label": bank.name,
    })


@jobs.job_kind(BANK_IMPORT, title=_l("导入题库"), result_template="quizzes/banks/_import_job_result.html", stages={
    "reading": _l("第 1 步（共 2 步）：读取并检查每一道题"),
    "writing": _l("第 2 步（共 2 步）：写入题库"),
})
def run_bank_import(job: jobs.JobContext, progress: jobs.Progress) -> jobs.Outcome:
    content = job.input()
    bank = db.session.get(QuestionBank, job.params["bank_id"])
    if bank is None:
        raise jobs.JobProblems([jobs.problem(_("题库已不存在。"))])
    actor = db.session.get(User, job.owner_id)
    db.session.rollback()  # read the file with no transaction open
    report = bank_sheets.import_questions(bank, content, actor, filename=job.params.get("filename", ""),
                                          progress=progress)
    return jobs.Outcome({"lines": report.lines(), "bank_id": job.params["bank_id"]})


# ---------------------------------------------------------------- results export

def export_runs_as_job(quiz: Quiz, unit_id: int | None, with_answers: bool) -> bool:
    """A results workbook listing more answers than JOBS_SYNC_MAX_ANSWERS is built by a job."""
    return with_answers and exports.answer_count(quiz, unit_id) > jobs.sync_limit("JOBS_SYNC_MAX_ANSWERS")


def start_results_export(quiz: Quiz, unit_id: int | None, with_answers: bool, *, owner: User) -> int:
    """Queue the results workbook of `quiz` as `owner` may see it; the same export already under way
    for the same person is reused rather than started twice (a double click, an impatient reload)."""
    params = {"quiz_id": quiz.id, "unit_id": unit_id, "with_answers": with_answers}
    pending = db.session.scalars(sa.select(jobs.Job).where(
        jobs.Job.owner_id == owner.id, jobs.Job.kind == RESULTS_EXPORT,
        jobs.Job.status.in_((jobs.QUEUED, jobs.RUNNING))).order_by(jobs.Job.id.desc()))
    for job in pending:
        if all(job.params.get(key) == value for key, value in params.items()) and not jobs.is_stale(job):
            return job.id
    return jobs.start_job(RESULTS_EXPORT, owner=owner, total=None, params={
        **params, "back_url": url_for("quizzes.reports.progress", quiz_id=quiz.id), "back_label": quiz.title,
    })


@jobs.job_kind(RESULTS_EXPORT, title=_l("导出竞赛成绩"), stages={
    "figures": _l("第 1 步（共 2 步）：统计成绩"),
    "answers": _l("第 2 步（共 2 步）：写入答卷明细"),
})
def run_results_export(job: jobs.JobContext, progress: jobs.Progress) -> jobs.Outcome:
    params = job.params
    # Attempts whose time ran out are scored first (reads never score), in their own short write.
    finalize_expired(params["quiz_id"])
    db.session.commit()
    with reads_only():  # a read: on SQLite no write lock while the workbook is built
        quiz = db.session.get(Quiz, params["quiz_id"])
        if quiz is None:
            raise jobs.JobProblems([jobs.problem(_("竞赛已不存在。"))])
        content = exports.results_workbook(quiz, unit_id=params["unit_id"], with_answers=params["with_answers"],
                                           progress=progress)
        filename = exports.export_filename(quiz)
        title = quiz.title
        db.session.rollback()
    actor = db.session.get(User, job.owner_id)
    record("quiz.results_exported", target=db.session.get(Quiz, params["quiz_id"]), actor=actor, summary=title,
           unit_id=params["unit_id"])
    return jobs.Outcome({"download_label": _("下载成绩表")}, content, filename)
