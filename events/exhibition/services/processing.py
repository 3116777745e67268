"""Making a work's derivatives, as a job (app/common/jobs.py), and the duplicate flags.

Decoding a 12 MP photo takes a few hundred milliseconds and a set has several: the member's request
only keeps the original and queues a job; the work shows 处理中 until the job has written the
thumbnail and display images. The job is a row in the database and a task in Huey's queue, so any
consumer on any host runs it.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.common import jobs
from app.common.uploads import write_private
from app.extensions import db
from events.exhibition.images import ImageRefused, inspect_image, is_near_duplicate, make_derivatives
from events.exhibition.models import Work, WorkImage
from events.exhibition.services import files
from events.exhibition.services.review import auto_accept

KIND = "exhibition.derivatives"


def start_processing(work: Work, owner) -> int:
    """Queue the derivatives of `work`'s processing images (commits: the consumer must see them)."""
    return jobs.start_job(KIND, owner=owner, params={"work_id": work.id, "back_label": work.title})


def process_image(image: WorkImage) -> list:
    """An image's original decodes into its thumbnail, display and judges' JPEGs (written under random
    names) and its difference hash; a file that does not decode completely is marked failed. The
    paths written, for the caller to delete should the transaction not commit."""
    path = files.original_path(image)
    if path is None or not path.is_file():
        image.status = "failed"
        return []
    data = path.read_bytes()
    try:
        inspection = inspect_image(data)
        derivatives = make_derivatives(data, inspection)
    except ImageRefused:
        image.status = "failed"
        return []
    folder = files.derived_folder(image.exhibition_id)
    old = [files.derivative_path(image, kind) for kind in ("thumb", "display", "judge")]
    image.thumbnail_file = write_private(folder, derivatives.thumbnail, "jpg")
    image.display_file = write_private(folder, derivatives.display, "jpg")
    image.judge_file = write_private(folder, derivatives.judge, "jpg")
    image.display_width, image.display_height = derivatives.display_size
    image.dhash = f"{derivatives.dhash:016x}"
    image.status = "ready"
    files.remove_files(path for path in old if path is not None)
    return [folder / image.thumbnail_file, folder / image.display_file, folder / image.judge_file]


def flag_duplicates(work: Work) -> None:
    """Each image of `work` and of the other live works of the exhibition is flagged as a duplicate
    when another work holds the identical file (same SHA-256), and as 疑似雷同 when another work's
    picture has a difference hash within a few bits; both works of a pair carry the flag, for the
    reviewer, and nothing is refused."""
    others = list(db.session.scalars(
        sa.select(WorkImage).join(Work, Work.id == WorkImage.work_id)
        .where(WorkImage.exhibition_id == work.exhibition_id, WorkImage.work_id != work.id,
               Work.status != "withdrawn")))
    for image in work.images:
        image.duplicate_of_id = image.near_duplicate_of_id = None
        mine = int(image.dhash, 16) if image.dhash else None
        for other in others:
            if other.content_hash == image.content_hash:
                image.duplicate_of_id = image.duplicate_of_id or other.work_id
                other.duplicate_of_id = other.duplicate_of_id or work.id
            elif mine is not None and other.dhash and is_near_duplicate(mine, int(other.dhash, 16)):
                image.near_duplicate_of_id = image.near_duplicate_of_id or other.work_id
                other.near_duplicate_of_id = other.near_duplicate_of_id or work.id


def process_work(work: Work) -> list:
    """Make the derivatives of every image of `work` still processing, then its duplicate flags; the
    work is no longer 处理中. The paths written (see process_image)."""
    written = []
    try:
        for image in work.images:
            if image.status == "processing":
                written.extend(process_image(image))
        flag_duplicates(work)
    except BaseException:
        files.remove_files(written)
        raise
    work.processing = False
    return written


@jobs.job_kind(KIND, title=_l("处理作品图片"), stages={"images": _l("正在生成缩略图和展示图")})
def run_processing(job: jobs.JobContext, progress: jobs.Progress) -> dict:
    work = db.session.get(Work, job.params["work_id"])
    if work is None:
        raise jobs.JobProblems([jobs.problem(_("作品已不存在。"))])
    progress("images", 0, len(work.images))
    written = process_work(work)
    auto_accept(work)
    try:
        db.session.flush()
    except BaseException:
        files.remove_files(written)
        raise
    failed = sum(1 for image in work.images if image.status == "failed")
    return {"work_id": work.id, "images": len(work.images), "failed": failed}


def backfill_judge_copies(exhibition_id: int | None = None, limit: int = 200) -> tuple[int, list]:
    """Ready images made before judges' copies existed get one (all derivatives remade from the
    original, at most `limit` a call); (images done, paths written) for the caller to commit or
    clean up."""
    query = (sa.select(WorkImage).where(WorkImage.status == "ready", WorkImage.judge_file.is_(None))
             .order_by(WorkImage.id).limit(limit))
    if exhibition_id is not None:
        query = query.where(WorkImage.exhibition_id == exhibition_id)
    written, done = [], 0
    try:
        for image in db.session.scalars(query).all():
            written.extend(process_image(image))
            done += 1
        db.session.flush()
    except BaseException:
        files.remove_files(written)
        raise
    return done, written
