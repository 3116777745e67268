"""Long work off the request: jobs that a consumer process runs while the page shows their progress.

The queue is Huey's: its SQLite storage in instance/ by default (embedded, nothing else to run), Redis
when SAISHI_REDIS_URL is set (several hosts, many consumers). What the user sees is a row in `jobs`
(owner, kind, status, progress, result or problems, result file), which the page polls.

    job_id = start_job("members.import", owner=current_user, params={...}, upload=data)   # a view; commits
    @job_kind("members.import", title=_l("导入人员名册"), result_template="members/_import_job_result.html")
    def run_import(job: JobContext, progress: Progress) -> Outcome: ...              # in the consumer

A job's work runs inside an app context of the consumer's own app (built by create_app()), in the
locale of the person who started it. It must change the database in one transaction that the runner
commits only when the work returns, so a job that raises or dies leaves nothing half-done; its
problems (ImportFailed rows and columns, or a general message) are kept on the job. Input and result
files live in a private folder (mode 0700, files 0600) shared by the web workers and the consumers.
"""
from __future__ import annotations

import logging
import os
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from app.common.clock import utcnow
from app.common.uploads import private_folder, purge_older_than, write_private
from app.database import deferred_begin
from app.extensions import db

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
TASK_NAME = "saishi.run_job"
_FILE_NAME = re.compile(r"[A-Za-z0-9_-]{16,80}\.[a-z]{3,4}")
PROGRESS_INTERVAL_SECONDS = 0.5
PROBLEMS_KEPT = 1000


class Job(db.Model):
    """One piece of long work as its owner sees it."""

    __tablename__ = "jobs"
    __table_args__ = (sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(10), default=QUEUED)
    stage: Mapped[str | None] = mapped_column(sa.String(20))
    done: Mapped[int] = mapped_column(sa.Integer, default=0)
    total: Mapped[int | None] = mapped_column(sa.Integer)
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    problems: Mapped[list | None] = mapped_column(sa.JSON)
    input_file: Mapped[str | None] = mapped_column(sa.String(100))
    result_file: Mapped[str | None] = mapped_column(sa.String(100))
    result_name: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)


# ---------------------------------------------------------------- kinds of job


@dataclass(frozen=True)
class JobKind:
    name: str
    title: Any  # lazy string
    run: Callable[[JobContext, Progress], Outcome | dict | None]
    result_template: str | None = None
    stages: dict | None = None  # stage code -> lazy label


KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, title, result_template: str | None = None, stages: dict | None = None):
    """Register the function that does the work of jobs of kind `name` (it returns the result summary)."""

    def decorator(function):
        KINDS[name] = JobKind(name, title, function, result_template, stages)
        return function

    return decorator


class JobProblems(Exception):
    """Raised by a job's work: nothing was changed; `problems` are shown as they are (row, column, message)."""

    def __init__(self, problems: list[dict]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


# ---------------------------------------------------------------- the queue


def create_huey(app: Flask):
    """The app's Huey: Redis when REDIS_URL is set, else a SQLite file in instance/ (created 0600)."""
    from huey import RedisHuey, SqliteHuey

    name = app.config.get("JOBS_QUEUE_NAME") or "saishi"
    if app.config.get("REDIS_URL"):
        return RedisHuey(name, url=app.config["REDIS_URL"], results=False)
    path = Path(app.config.get("JOBS_SQLITE_PATH") or Path(app.instance_path) / "jobs.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return SqliteHuey(name, filename=str(path), results=False)


def init_app(app: Flask) -> None:
    """Give the app its queue and the one task every job goes through."""
    huey = create_huey(app)

    @huey.task(name=TASK_NAME)
    def run_job_task(job_id: int) -> None:
        # The consumer's own app (create_app() in `flask jobs worker`), a fresh context per job.
        with app.app_context():
            run_job(job_id)

    app.extensions["huey"] = huey
    app.extensions["jobs.task"] = run_job_task


def huey_for(app: Flask | None = None):
    return (app or current_app).extensions["huey"]


def sync_limit(name: str) -> int:
    """Work above this size (config JOBS_SYNC_MAX_ROWS / JOBS_SYNC_MAX_ANSWERS) runs as a job."""
    return int(current_app.config[name])


# ---------------------------------------------------------------- files


def jobs_folder(create: bool = False) -> Path:
    """Uploads waiting for a job and the jobs' result files (JOBS_FOLDER, shared by web and consumers)."""
    return private_folder("JOBS_FOLDER", "jobs", create=create)


def _write_private(content: bytes, suffix: str) -> str:
    return write_private(jobs_folder(create=True), content, suffix)


def _path(name: str | None) -> Path | None:
    if not name or not _FILE_NAME.fullmatch(name):
        return None
    return jobs_folder() / name


def result_content(job: Job) -> bytes | None:
    """The job's result file, or None once it has expired or been deleted."""
    path = _path(job.result_file)
    if path is None:
        return None
    try:
        if time.time() - path.stat().st_mtime > int(current_app.config["JOBS_FILE_MAX_AGE_SECONDS"]):
            path.unlink(missing_ok=True)  # expired, even if no purge has run since
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def purge_expired_files() -> int:
    """Delete job files older than JOBS_FILE_MAX_AGE_SECONDS (results hold personal data and passwords)."""
    return purge_older_than(jobs_folder(), int(current_app.config["JOBS_FILE_MAX_AGE_SECONDS"]))


def purge_finished_jobs() -> int:
    """A finished job's row is deleted JOBS_ROW_MAX_AGE_DAYS after it finished (its file went long
    before); how many went."""
    cutoff = utcnow() - timedelta(days=int(current_app.config["JOBS_ROW_MAX_AGE_DAYS"]))
    return db.session.execute(sa.delete(Job).where(Job.status.in_((DONE, FAILED)),
                                                   Job.finished_at <= cutoff)).rowcount


# ---------------------------------------------------------------- starting and reading jobs


def problem(message: str, row: int | None = None, column: str | None = None) -> dict:
    return {"row": row, "column": column, "message": str(message)}


def start_job(kind: str, *, owner, params: dict | None = None, upload: bytes | None = None,
              total: int | None = None) -> int:
    """Queue a job for `owner` (its input file kept privately) and return its id; commits, since the
    consumer must see it."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    purge_expired_files()
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]) if has_request_context() else None
    job = Job(owner_id=owner.id, kind=kind, status=QUEUED, params={**(params or {}), "locale": locale},
              total=total, input_file=_write_private(upload, "xlsx") if upload is not None else None)
    db.session.add(job)
    db.session.flush()
    job_id = job.id  # read before the commit, which expires it (reading it after would begin a transaction)
    db.session.commit()
    try:
        current_app.extensions["jobs.task"](job_id)
    except Exception:  # the queue is unreachable (Redis down): say so rather than wait forever
        logger.exception("could not queue job %s", job_id)
        _finish(job_id, FAILED, problems=[problem(_("后台任务队列暂时不可用，请稍后重试或联系管理员。"))])
    return job_id


def is_stale(job: Job) -> bool:
    """A running job that has not reported for JOBS_STALE_SECONDS: its consumer stopped mid-way."""
    limit = timedelta(seconds=int(current_app.config["JOBS_STALE_SECONDS"]))
    return job.status == RUNNING and utcnow() - job.updated_at > limit


def status_of(job: Job) -> dict:
    """What the page polls: status, stage, progress; cheap (one row, nothing else)."""
    status = job.status
    interrupted = is_stale(job)
    if interrupted:
        status = FAILED
    kind = KINDS.get(job.kind)
    stage_label = ""
    if kind and kind.stages and job.stage in kind.stages:
        stage_label = str(kind.stages[job.stage])
    percent = None
    if job.total:
        percent = min(100, round(100 * job.done / job.total))
    return {
        "id": job.id, "status": status, "finished": status in (DONE, FAILED), "stage": job.stage,
        "stage_label": stage_label, "done": job.done, "total": job.total, "percent": percent,
        "interrupted": interrupted,
        "queued_seconds": int((utcnow() - job.created_at).total_seconds()) if status == QUEUED else 0,
    }


# ---------------------------------------------------------------- running jobs (in the consumer)


class Progress:
    """Reports a job's progress in its own short transaction, at most every PROGRESS_INTERVAL_SECONDS.

    On SQLite there is one writer: while the job's own session holds a write transaction, a second
    connection's update would wait for it, so progress is then kept back until the next report.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.stage: str | None = None
        self.done = 0
        self.total: int | None = None
        self._saved_at = 0.0

    def __call__(self, stage: str, done: int = 0, total: int | None = None, *, force: bool = False) -> None:
        changed_stage = stage != self.stage
        self.stage, self.done = stage, done
        if total is not None or changed_stage:
            self.total = total
        now = time.monotonic()
        if force or changed_stage or now - self._saved_at >= PROGRESS_INTERVAL_SECONDS:
            self.save()

    def save(self) -> None:
        if db.engine.dialect.name == "sqlite" and db.session().in_transaction() and not deferred_begin():
            return
        self._saved_at = time.monotonic()
        with db.engine.begin() as connection:
            connection.execute(sa.update(Job).where(Job.id == self.job_id, Job.status == RUNNING).values(
                stage=self.stage, done=self.done, total=self.total, updated_at=utcnow()))


def _finish(job_id: int, status: str, *, result: dict | None = None, problems: list | None = None,
            result_file: str | None = None, result_name: str | None = None) -> None:
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(sa.update(Job).where(Job.id == job_id).values(
            status=status, result=result, problems=problems, result_file=result_file, result_name=result_name,
            finished_at=now, updated_at=now))


def _claim(job_id: int) -> bool:
    """Mark a queued job running; False when it is gone or another consumer already took it."""
    now = utcnow()
    with db.engine.begin() as connection:
        claimed = connection.execute(sa.update(Job).where(Job.id == job_id, Job.status == QUEUED).values(
            status=RUNNING, started_at=now, updated_at=now, stage=None, done=0)).rowcount
    return claimed == 1


@dataclass(frozen=True)
class JobContext:
    """What a job's work gets: plain values (no ORM object, so no transaction is held by reading them)."""

    id: int
    owner_id: int
    params: dict
    input_file: str | None

    def input(self) -> bytes:
        path = _path(self.input_file)
        if path is None or not path.exists():
            raise JobProblems([problem(_("上传的文件已不在服务器上，请重新上传。"))])
        return path.read_bytes()


@dataclass
class Outcome:
    """What a job's work may return besides its summary: a file for its owner to download."""

    summary: dict
    content: bytes | None = None
    filename: str | None = None


def run_job(job_id: int) -> str | None:
    """Run job `job_id` once: its work commits as one transaction when it returns, or changes nothing."""
    from app.common.xlsx import ImportFailed

    if not _claim(job_id):
        return None
    job = db.session.get(Job, job_id)
    context = JobContext(job.id, job.owner_id, dict(job.params or {}), job.input_file)
    kind_name = job.kind
    kind = KINDS.get(kind_name)
    db.session.rollback()  # no transaction (and so on SQLite no lock) held while the work starts
    status = FAILED
    try:
        with force_locale(context.params.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                if kind is None:
                    raise JobProblems([problem(_("未知的任务类型。"))])
                outcome = kind.run(context, Progress(job_id))
                if not isinstance(outcome, Outcome):
                    outcome = Outcome(outcome or {})
                result_file = _write_private(outcome.content, "xlsx") if outcome.content is not None else None
                # "done" commits with the work itself: the page never says done for work not saved, or
                # failed for work that was.
                finished = utcnow()
                db.session.execute(sa.update(Job).where(Job.id == job_id).values(
                    status=DONE, result=outcome.summary, problems=None, result_file=result_file,
                    result_name=outcome.filename, finished_at=finished, updated_at=finished))
                db.session.commit()
            except ImportFailed as failure:
                db.session.rollback()
                # A broken 100,000-row file may have a problem on every row: keep the first ones, and the count.
                kept = [problem(p.message, p.row, p.column) for p in failure.problems[:PROBLEMS_KEPT]]
                _finish(job_id, FAILED, problems=kept, result={"problem_count": len(failure.problems)})
            except JobProblems as failure:
                db.session.rollback()
                _finish(job_id, FAILED, problems=failure.problems)
            except Exception:
                db.session.rollback()
                logger.exception("job %s (%s) failed", job_id, kind_name)
                _finish(job_id, FAILED, problems=[problem(_("任务执行出错，没有保存任何数据。请重试；如仍失败，请联系管理员。"))])
            else:
                status = DONE
    finally:
        db.session.remove()
        path = _path(context.input_file)
        if path is not None:
            path.unlink(missing_ok=True)
    return status


# ---------------------------------------------------------------- how big is a workbook?


def estimated_rows(content: bytes) -> int | None:
    """Rows of the first sheet as the workbook declares them (its <dimension>), without parsing it;
    None when the file does not say, or is not a workbook the import would open (an unreadable file,
    a zip bomb): the synchronous import then refuses it at once, with its message."""
    import io

    from app.common.xlsx import ImportFailed, check_archive

    try:
        check_archive(io.BytesIO(content))
    except ImportFailed:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheet = _first_sheet_member(archive)
            if sheet is None:
                return None
            with archive.open(sheet) as handle:
                head = handle.read(4096).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError):
        return None
    found = re.search(r"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"", head)
    return int(found.group(1)) if found else None


def _first_sheet_member(archive: zipfile.ZipFile) -> str | None:
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    limit = 1024 * 1024  # both are small; a bomb in them is the import's to refuse
    if max(archive.getinfo("xl/workbook.xml").file_size,
           archive.getinfo("xl/_rels/workbook.xml.rels").file_size) > limit:
        return None
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    first = next((element for element in workbook.iter() if element.tag.endswith("}sheet")), None)
    if first is None:
        return None
    relation_id = next((value for key, value in first.attrib.items() if key.endswith("}id")), None)
    for relation in relations:
        if relation.get("Id") == relation_id:
            target = relation.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return member if member in names else None
    return None
