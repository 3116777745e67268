"""The meeting record (会议记录) kept with an event: host, recorder, topics, minutes and a few photos.

Photos are checked by decoding them with Pillow (a renamed file or a truncated one is refused), stored
in a private folder under a random name (app.common.uploads) and served only to staff who may see
the record: organisers, and the liaison of the unit that hosts the meeting (or of its parent unit).
"""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from app.accounts.models import User
from app.audit.services import record
from app.common.problems import Problem
from app.common.uploads import private_folder, write_private
from app.extensions import db
from app.units.models import Unit
from events.checkin.models import CheckinEvent, CheckinMinutes, CheckinPhoto

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a decompression bomb declares far more
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
TEXT_LIMITS = {"host": 64, "recorder": 64, "topics": 2000, "minutes": 20000}


class MinutesProblem(Problem):
    """A meeting-record rule the request broke."""


def photo_folder():
    """Where meeting photos live (config CHECKIN_PHOTO_FOLDER, else instance/private/checkin-photos)."""
    return private_folder("CHECKIN_PHOTO_FOLDER", "checkin-photos")


def may_keep_record(user: User, event: CheckinEvent) -> bool:
    """Organisers, and the liaison of the host unit or of the host branch's unit."""
    if user.is_organiser:
        return True
    unit_id = user.liaison_unit_id
    if unit_id is None or event.host_unit_id is None:
        return False
    host = db.session.get(Unit, event.host_unit_id)
    return host is not None and unit_id in (host.id, host.parent_id)


def minutes_of(event: CheckinEvent) -> CheckinMinutes | None:
    return db.session.get(CheckinMinutes, event.id)


def save_minutes(event: CheckinEvent, *, actor: User, host: str, recorder: str, topics: str,
                 minutes: str) -> CheckinMinutes:
    """Write the record's texts (each within its length), audited."""
    values = {"host": host, "recorder": recorder, "topics": topics, "minutes": minutes}
    for name, value in values.items():
        values[name] = (value or "").strip()
        if len(values[name]) > TEXT_LIMITS[name]:
            raise MinutesProblem(_("不能超过 %(n)s 字。", n=TEXT_LIMITS[name]), name)
    row = minutes_of(event)
    if row is None:
        row = CheckinMinutes(event_id=event.id)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    db.session.flush()
    record("checkin.minutes.saved", target=event, actor=actor, summary=event.title)
    return row


def photos_of(event: CheckinEvent) -> list[CheckinPhoto]:
    return list(db.session.scalars(sa.select(CheckinPhoto).where(CheckinPhoto.event_id == event.id)
                                   .order_by(CheckinPhoto.id)))


def verify_image(content: bytes) -> tuple[str, str]:
    """(content type, suffix) of a JPEG, PNG or WebP that Pillow decodes fully; else a MinutesProblem."""
    if not content:
        raise MinutesProblem(_("请选择照片。"), "photo")
    if len(content) > MAX_PHOTO_BYTES:
        raise MinutesProblem(_("照片不能超过 %(n)s MB。", n=MAX_PHOTO_BYTES // (1024 * 1024)), "photo")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            if image.width * image.height > MAX_PIXELS:
                raise MinutesProblem(_("照片尺寸过大。"), "photo")
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # verify() does not decode the pixels: a truncated file fails only here
    except MinutesProblem:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise MinutesProblem(_("无法识别的图片，请上传 JPEG、PNG 或 WebP 照片。"), "photo") from exc
    if kind not in FORMATS:
        raise MinutesProblem(_("无法识别的图片，请上传 JPEG、PNG 或 WebP 照片。"), "photo")
    return FORMATS[kind]


def add_photo(event: CheckinEvent, *, actor: User, content: bytes, filename: str) -> CheckinPhoto:
    """Keep a verified photo with the record (at most MAX_PHOTOS), audited."""
    count = db.session.scalar(sa.select(sa.func.count()).where(CheckinPhoto.event_id == event.id)) or 0
    if count >= MAX_PHOTOS:
        raise MinutesProblem(_("每次会议最多保存 %(n)s 张照片。", n=MAX_PHOTOS), "photo")
    content_type, suffix = verify_image(content)
    stored = write_private(photo_folder(), content, suffix)
    photo = CheckinPhoto(event_id=event.id, stored_name=stored, original_name=(filename or "")[:200],
                         content_type=content_type, size_bytes=len(content), uploaded_by_id=actor.id)
    db.session.add(photo)
    db.session.flush()
    record("checkin.photo.added", target=event, actor=actor, summary=photo.original_name, photo_id=photo.id)
    return photo


def photo_bytes(photo: CheckinPhoto) -> bytes | None:
    """The stored file, or None when it is gone."""
    path = photo_folder() / photo.stored_name
    try:
        return path.read_bytes()
    except OSError:
        return None


def delete_photo(photo: CheckinPhoto, *, actor: User):
    """Remove a photo's row, audited; returns its file's path, for the caller to delete after the commit
    (a failed commit then leaves the photo whole)."""
    event = db.session.get(CheckinEvent, photo.event_id)
    record("checkin.photo.deleted", target=event, actor=actor, summary=photo.original_name, photo_id=photo.id)
    db.session.delete(photo)
    return photo_folder() / photo.stored_name
