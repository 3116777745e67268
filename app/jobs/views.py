"""Pages of long work: a job's progress (polled), its result or problems, and its private result file."""
from flask import Blueprint, abort, current_app, jsonify, make_response, render_template
from flask_babel import gettext as _
from flask_login import current_user

from app.common import jobs
from app.common.access import Role, roles_required
from app.common.http import no_store, xlsx_download
from app.errors import abort_with
from app.extensions import db

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

# Organisers import and export; liaisons export their own unit's results.
JOB_USERS = (Role.ORGANISER, Role.LIAISON)
PROBLEMS_SHOWN = 200


def _own_job_or_404(job_id: int) -> jobs.Job:
    """Only the person who started a job sees it (its problems and file may hold personal data)."""
    job = db.session.get(jobs.Job, job_id)
    if job is None or job.owner_id != current_user.id:
        abort(404)  # not even whether someone else's job exists
    return job


@bp.get("/<int:job_id>")
@roles_required(*JOB_USERS)
def show(job_id: int):
    job = _own_job_or_404(job_id)
    status = jobs.status_of(job)
    problems = job.problems or []
    problem_count = max(len(problems), int((job.result or {}).get("problem_count") or 0))
    kind = jobs.KINDS.get(job.kind)
    has_file = bool(job.result_file) and status["status"] == jobs.DONE
    return no_store(make_response(render_template(
        "jobs/show.html", job=job, status=status, kind=kind, result=job.result or {}, has_file=has_file,
        problems=problems[:PROBLEMS_SHOWN], problem_count=problem_count,
        hidden_problems=max(0, problem_count - min(len(problems), PROBLEMS_SHOWN)),
        file_minutes=max(1, int(current_app.config["JOBS_FILE_MAX_AGE_SECONDS"]) // 60))))


@bp.get("/<int:job_id>/status")
@roles_required(*JOB_USERS)
def status(job_id: int):
    """Polled every second by the job page: one row read, a few fields sent."""
    return no_store(jsonify(jobs.status_of(_own_job_or_404(job_id))))


@bp.get("/<int:job_id>/download")
@roles_required(*JOB_USERS)
def download(job_id: int):
    job = _own_job_or_404(job_id)
    content = jobs.result_content(job) if job.status == jobs.DONE else None
    if content is None:
        abort_with(404, _("文件已过期或已删除，请重新执行。"))
    return xlsx_download(content, job.result_name or "export.xlsx")

