"""Helpers the exhibition tests (and the browser and route-walk tests) import: an open exhibition,
generated photographs, staging through the real route, running the processing job."""
import io
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from app.common import jobs
from app.common.clock import utcnow
from app.extensions import db
from events.exhibition.models import Exhibition, ExhibitionCategory


def new_exhibition(campaign, *, works_per_member=1, photo_edge=1000, max_images=3, review_required=True,
                   title="测试书画摄影展", **fields) -> Exhibition:
    """An open exhibition (opened yesterday, closes in a week): 书法, 绘画, 摄影 with small minimums."""
    now = utcnow()
    exhibition = Exhibition(campaign_id=campaign.id, title=title, rules="规则", opens_at=now - timedelta(days=1),
                            closes_at=now + timedelta(days=7), max_file_mb=fields.pop("max_file_mb", 30),
                            exif_required=True, review_required=review_required, **fields)
    exhibition.categories = [
        ExhibitionCategory(position=1, name="书法", works_per_member=works_per_member, max_images=1,
                           min_long_edge=300, has_physical=True, checklist="作品完整入镜"),
        ExhibitionCategory(position=2, name="绘画", works_per_member=works_per_member, max_images=1,
                           min_long_edge=300, has_physical=True),
        ExhibitionCategory(position=3, name="摄影", works_per_member=works_per_member, max_images=max_images,
                           min_long_edge=photo_edge, is_photo=True, checklist="无边框、水印、签名"),
    ]
    db.session.add(exhibition)
    db.session.commit()
    return exhibition


def photo(size=(1600, 1200), seed: int = 1, exif: bool = True) -> bytes:
    """A JPEG photograph-like picture (distinct per seed), with camera EXIF unless told otherwise."""
    image = Image.new("RGB", size, ((seed * 53) % 256, (seed * 97) % 256, (seed * 31) % 256))
    draw = ImageDraw.Draw(image)
    for index in range(8):
        x = (seed * 131 + index * 211) % size[0]
        y = (seed * 71 + index * 157) % size[1]
        draw.rectangle((x, y, x + size[0] // 4, y + size[1] // 5),
                       fill=((index * 40 + seed * 7) % 256, (index * 90) % 256, (255 - index * 30) % 256))
    buffer = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F], data[0x0110] = "TestPhone", "Model X"
        options["exif"] = data.tobytes()
    image.save(buffer, format="JPEG", quality=90, **options)
    return buffer.getvalue()


def category(exhibition, name: str) -> ExhibitionCategory:
    return next(item for item in exhibition.categories if item.name == name)


def stage(client, exhibition, data: bytes, category_id=None, content_type="image/jpeg"):
    """POST one image to the staging route as the phone page does (the body is the file)."""
    url = f"/exhibition/{exhibition.id}/stage" + (f"?category_id={category_id}" if category_id else "")
    return client.post(url, data=data, content_type=content_type)


def work_form(category_id: int, tokens, **fields) -> dict:
    values = {"category_id": str(category_id), "title": "晨曦中的大桥", "statement": "清晨拍摄。",
              "year_made": "2026", "pledge": "y", "images": "\n".join(tokens)}
    values.update(fields)
    return values


def run_pending_jobs() -> list[str]:
    """Run every queued job as a consumer would: in another thread with its own app context and
    session (run_job ends its session; the test's objects stay attached to the test's)."""
    import threading

    from flask import current_app

    app = current_app._get_current_object()
    db.session.commit()  # the test holds no transaction (SQLite: no write lock) while the consumer writes
    statuses: list = []

    def consume():
        with app.app_context():
            ids = list(db.session.scalars(sa.select(jobs.Job.id).where(jobs.Job.status == jobs.QUEUED)
                                          .order_by(jobs.Job.id)))
            db.session.rollback()
            statuses.extend(jobs.run_job(job_id) for job_id in ids)

    thread = threading.Thread(target=consume)
    thread.start()
    thread.join(120)
    db.session.expire_all()
    return statuses


def files_under(folder) -> list:
    from pathlib import Path

    root = Path(folder)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
