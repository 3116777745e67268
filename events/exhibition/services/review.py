"""The review queue: organisers accept works, or reject them with a reason the member sees; the
flags a reviewer checks beside each work."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.models import REVIEWABLE_STATUSES, Exhibition, Work

ACTIONS = ("accept", "reject", "in_review")


@dataclass(frozen=True)
class Flag:
    code: str
    label: str


def flags_of(work: Work, exhibition: Exhibition) -> list[Flag]:
    """What a reviewer should look at: an image below the category's minimum, a photo without EXIF
    where required, an identical file in another work, a near-duplicate (疑似雷同), a failed image."""
    category = work.category
    flags = []
    if any(image.long_edge < category.min_long_edge for image in work.images):
        flags.append(Flag("too_small", str(_l("尺寸不足"))))
    if category.is_photo and exhibition.exif_required and any(not image.has_exif for image in work.images):
        flags.append(Flag("no_exif", str(_l("无 EXIF"))))
    duplicates = sorted({image.duplicate_of_id for image in work.images if image.duplicate_of_id})
    if duplicates:
        flags.append(Flag("duplicate", str(_l("重复提交"))))
    if any(image.near_duplicate_of_id for image in work.images):
        flags.append(Flag("near_duplicate", str(_l("疑似雷同"))))
    if any(image.status == "failed" for image in work.images):
        flags.append(Flag("failed", str(_l("图片无法处理"))))
    return flags


def queue(exhibition: Exhibition, *, category_id: int | None = None, status: str | None = None) -> list[Work]:
    """Works an organiser reviews (drafts and withdrawn works aside), oldest number first, with what
    the page shows loaded in a constant number of queries."""
    query = (sa.select(Work).where(Work.exhibition_id == exhibition.id, Work.status.in_(REVIEWABLE_STATUSES))
             .options(selectinload(Work.images), selectinload(Work.author), selectinload(Work.unit),
                      selectinload(Work.coauthors), selectinload(Work.category))
             .order_by(Work.number))
    if category_id is not None:
        query = query.where(Work.category_id == category_id)
    if status in REVIEWABLE_STATUSES:
        query = query.where(Work.status == status)
    return list(db.session.scalars(query))


def counts(exhibition: Exhibition) -> dict[str, int]:
    return dict(db.session.execute(sa.select(Work.status, sa.func.count()).where(
        Work.exhibition_id == exhibition.id).group_by(Work.status)).all())


def review(works: list[Work], action: str, actor, reason: str = "") -> int:
    """Accept, reject (a reason is required; the work frees the member's slot) or mark in review
    the submitted works given; drafts, withdrawn works, works still 处理中 and rejected works (to be
    accepted) are left alone. How many changed."""
    if action not in ACTIONS:
        raise Problem(_l("请选择操作"), "action")
    reason = (reason or "").strip()
    if action == "reject" and not reason:
        raise Problem(_l("退回时请填写原因，投稿人会看到"), "reason")
    changed = 0
    now = utcnow()
    for work in works:
        if work.status not in REVIEWABLE_STATUSES or (action != "in_review" and work.processing):
            continue
        if action == "accept":
            if work.status == "rejected":  # its slot is free again: the member submits anew
                continue
            work.status, work.reject_reason = "accepted", ""
        elif action == "reject":
            work.status, work.reject_reason, work.slot = "rejected", reason[:500], None
        else:
            if work.status != "submitted":
                continue
            work.status = "in_review"
        work.reviewed_at, work.reviewed_by_id, work.updated_at = now, actor.id, now
        changed += 1
        record(f"exhibition.work.{action}", target=work, actor=actor, summary=work.title, reason=reason)
    db.session.flush()
    return changed


def auto_accept(work: Work) -> None:
    """Without organiser review, a submitted work is accepted once its images are processed."""
    if not work.exhibition.review_required and work.status == "submitted" and not work.processing:
        work.status = "accepted"
