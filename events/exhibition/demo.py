"""Demo exhibition (书画摄影展) in the demo campaign: generated works in each category (pictures drawn
with Pillow, processed as the job would), some accepted, one rejected with its reason, some waiting."""
from __future__ import annotations

import io
import random
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.common.clock import from_local, utcnow
from app.common.uploads import write_private
from app.extensions import db
from events.exhibition.images import inspect_image
from events.exhibition.models import Exhibition, ExhibitionCategory, Work, WorkImage
from events.exhibition.services import files
from events.exhibition.services.processing import process_work
from events.exhibition.services.setup import DEFAULT_CHECKLISTS

DEMO_TITLE = "“解放思想 担当作为”书画摄影展"
DEMO_RULES = ("征集全市机关干部职工创作的书法、绘画、摄影作品。书法、绘画请拍摄作品全貌（正面、光线均匀、无反光），"
              "摄影请上传相机或手机原图，不得添加边框、水印和签名。每人每类限投 1 件（摄影 2 件，组照不超过 4 张）。")
TITLES = {
    "书法": ["行书·沁园春·雪", "楷书·为人民服务", "隶书·实事求是", "草书·千里江陵", "篆书·天道酬勤"],
    "绘画": ["江山多娇", "春到乡村", "红船启航", "秋实", "新城晨曦"],
    "摄影": ["晨曦中的大桥", "田间丰收", "社区志愿者", "老街新貌", "夜色中的地铁站"],
}
MEDIA = {"书法": "宣纸、水墨", "绘画": "宣纸、设色"}


def _picture(rng: random.Random, category: str, size: tuple[int, int]) -> bytes:
    """A generated picture: bands of colour and a few shapes (different enough not to look alike)."""
    base = (rng.randrange(120, 250), rng.randrange(120, 250), rng.randrange(120, 250))
    image = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        radius = rng.randrange(size[0] // 20, size[0] // 5)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
        else:
            draw.rectangle((x - radius, y - radius // 2, x + radius, y + radius // 2), fill=colour)
    buffer = io.BytesIO()
    exif = Image.Exif()
    if category == "摄影":
        exif[0x010F], exif[0x0110] = "Demo", "Phone 7"
    image.save(buffer, format="JPEG", quality=88, exif=exif.tobytes() if category == "摄影" else b"")
    return buffer.getvalue()


def load_demo_exhibition(ctx=None) -> Exhibition | None:
    """The demo exhibition, open for another two weeks, with about a dozen works (left alone if present)."""
    existing = db.session.scalar(sa.select(Exhibition).where(Exhibition.title == DEMO_TITLE))
    if existing is not None:
        if ctx is not None:
            ctx.note(f"书画摄影展：{DEMO_TITLE}已存在，未改动")
        return existing
    campaign = getattr(ctx, "campaign", None) or db.session.scalar(
        sa.select(Campaign).order_by(Campaign.starts_on.desc()).limit(1))
    if campaign is None:
        return None
    rng = random.Random(13)
    today = ctx.today if ctx is not None else utcnow().date()
    exhibition = Exhibition(
        campaign_id=campaign.id, title=DEMO_TITLE, rules=DEMO_RULES,
        opens_at=from_local(datetime.combine(today - timedelta(days=10), time(9, 0))),
        closes_at=from_local(datetime.combine(today + timedelta(days=14), time(18, 0))),
        max_file_mb=30, exif_required=True, review_required=True)
    exhibition.categories = [
        ExhibitionCategory(position=1, name="书法", works_per_member=1, max_images=1, min_long_edge=1200,
                           has_physical=True, checklist=DEFAULT_CHECKLISTS["书法"]),
        ExhibitionCategory(position=2, name="绘画", works_per_member=1, max_images=1, min_long_edge=1200,
                           has_physical=True, checklist=DEFAULT_CHECKLISTS["绘画"]),
        ExhibitionCategory(position=3, name="摄影", works_per_member=2, max_images=4, min_long_edge=1500,
                           is_photo=True, checklist=DEFAULT_CHECKLISTS["摄影"]),
    ]
    db.session.add(exhibition)
    db.session.flush()
    authors = list(db.session.scalars(sa.select(User).where(User.unit_id.is_not(None), User.staff_id != "member")
                                      .order_by(User.id).limit(15)))
    organiser = db.session.scalar(sa.select(User).where(User.staff_id == "organiser"))
    folder = files.originals_folder(exhibition.id)
    number = 0
    for category in exhibition.categories:
        for index, title in enumerate(TITLES[category.name]):
            if not authors:
                break
            author = authors[(number) % len(authors)]
            number += 1
            status = ("accepted", "accepted", "accepted", "submitted", "rejected")[index]
            work = Work(exhibition_id=exhibition.id, category_id=category.id, number=number, author_id=author.id,
                        unit_id=author.unit_id, slot=None if status == "rejected" else 1, title=title,
                        statement=f"{title}，表达新时代机关干部解放思想、担当作为的精神风貌。",
                        width_cm=68 if category.has_physical else None, height_cm=136 if category.has_physical else None,
                        medium=MEDIA.get(category.name, ""), year_made=today.year, pledged_at=utcnow(),
                        status=status, submitted_at=utcnow() - timedelta(days=5 - index),
                        reject_reason="照片有反光，请在光线均匀处重新拍摄作品全貌" if status == "rejected" else "",
                        reviewed_by_id=organiser.id if organiser and status != "submitted" else None,
                        reviewed_at=utcnow() if status != "submitted" else None)
            size = (1600, 2400) if category.has_physical else (2400, 1600)
            data = _picture(rng, category.name, size)
            inspection = inspect_image(data)
            name = write_private(folder, data, inspection.extension)
            work.images = [WorkImage(
                exhibition_id=exhibition.id, position=1, original_file=name, extension=inspection.extension,
                byte_size=len(data), content_hash=inspection.content_hash, width=inspection.width,
                height=inspection.height, orientation=inspection.orientation, has_exif=inspection.has_exif,
                has_gps=inspection.has_gps, camera=inspection.camera)]
            db.session.add(work)
            db.session.flush()
            process_work(work)
    exhibition.last_number = number
    db.session.flush()
    if ctx is not None:
        ctx.note(f"书画摄影展：{DEMO_TITLE}（征集中，{number} 件作品，部分已审核）")
    return exhibition
