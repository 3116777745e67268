"""Helpers for the job tests."""
import io
import re
import time

import pytest

from app.common.jobs import Job
from app.database import reads_only
from app.extensions import db


def read(function):
    """function() in a fresh read-only transaction, ended at once: outside a request a SQLite transaction
    begins IMMEDIATE, and a test holding the write lock while it waits would block the consumer."""
    db.session.remove()
    with reads_only():
        try:
            return function()
        finally:
            db.session.remove()


def wait_for_job(job_id: int, timeout: float = 60) -> Job:
    """Poll the job's row (in a fresh session each time) until it has finished; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        job = read(lambda: db.session.get(Job, job_id))
        if job is not None and job.status in ("done", "failed"):
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} did not finish within {timeout} s (status {job.status if job else None})")
        time.sleep(0.1)


def job_id_from(response) -> int:
    """The job a form submission was redirected to."""
    assert response.status_code == 302, response.status_code
    found = re.fullmatch(r"/jobs/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def upload_roster(client, content: bytes, filename="名册.xlsx", **fields):
    data = {"file": (io.BytesIO(content), filename), "password_mode": "mobile", **fields}
    return client.post("/members/import", data=data, content_type="multipart/form-data")
