"""Setting up an exhibition: its campaign, window, limits and categories."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.campaigns.models import Campaign
from app.common.clock import from_local, to_local, utcnow
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.models import DEFAULT_CATEGORIES, Exhibition, ExhibitionCategory, Work

DEFAULT_CHECKLISTS = {
    "摄影": "画面无边框、水印、签名或文字\n未做改变原貌的合成或大幅修改\n组照各张主题一致",
    "书法": "作品完整入镜，无遮挡\n落款、印章清晰",
    "绘画": "作品完整入镜，无遮挡\n画面无反光、色彩未明显偏差",
}


@dataclass
class CategorySpec:
    name: str
    works_per_member: int = 1
    max_images: int = 1
    min_long_edge: int = 0
    is_photo: bool = False
    has_physical: bool = False
    checklist: str = ""
    id: int | None = None


@dataclass
class ExhibitionSettings:
    campaign_id: int
    title: str
    rules: str
    opens_at_local: datetime
    closes_at_local: datetime
    max_file_mb: int = 30
    exif_required: bool = True
    review_required: bool = True
    categories: list[CategorySpec] = field(default_factory=list)


def default_categories() -> list[CategorySpec]:
    """书法, 绘画 and 摄影 with the usual limits (the organiser edits them)."""
    return [CategorySpec(name, works, images, edge, photo, physical, DEFAULT_CHECKLISTS.get(name, ""))
            for name, works, images, edge, photo, physical in DEFAULT_CATEGORIES]


def campaign_choices() -> list[tuple[int, str]]:
    return [(campaign.id, campaign.name) for campaign in
            db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id))]


def settings_of(exhibition: Exhibition) -> ExhibitionSettings:
    """The exhibition's settings as the form shows them (times in Asia/Shanghai)."""
    return ExhibitionSettings(
        campaign_id=exhibition.campaign_id, title=exhibition.title, rules=exhibition.rules,
        opens_at_local=to_local(exhibition.opens_at).replace(tzinfo=None),
        closes_at_local=to_local(exhibition.closes_at).replace(tzinfo=None),
        max_file_mb=exhibition.max_file_mb, exif_required=exhibition.exif_required,
        review_required=exhibition.review_required,
        categories=[CategorySpec(c.name, c.works_per_member, c.max_images, c.min_long_edge, c.is_photo,
                                 c.has_physical, c.checklist, c.id) for c in exhibition.categories])


def _check(settings: ExhibitionSettings) -> None:
    if settings.closes_at_local <= settings.opens_at_local:
        raise Problem(_l("截止时间必须晚于开始时间"), "closes_at")
    names = [spec.name for spec in settings.categories]
    if not names:
        raise Problem(_l("至少要有一个作品类别"), "categories")
    if len(set(names)) != len(names):
        raise Problem(_l("类别名称不能重复"), "categories")
    if db.session.get(Campaign, settings.campaign_id) is None:
        raise Problem(_l("请选择专项活动"), "campaign_id")


def _apply(exhibition: Exhibition, settings: ExhibitionSettings) -> None:
    exhibition.campaign_id = settings.campaign_id
    exhibition.title = settings.title
    exhibition.rules = settings.rules
    exhibition.opens_at = from_local(settings.opens_at_local)
    exhibition.closes_at = from_local(settings.closes_at_local)
    exhibition.max_file_mb = settings.max_file_mb
    exhibition.exif_required = settings.exif_required
    exhibition.review_required = settings.review_required


def _apply_categories(exhibition: Exhibition, specs: list[CategorySpec]) -> None:
    """Categories keep their id (works refer to them); one that holds works cannot be removed."""
    existing = {category.id: category for category in exhibition.categories}
    kept = {spec.id for spec in specs if spec.id in existing}
    for category_id, category in existing.items():
        if category_id not in kept:
            used = db.session.scalar(sa.select(sa.func.count()).select_from(Work).where(Work.category_id == category_id))
            if used:
                raise Problem(_l("类别“%(name)s”已有作品，不能删除", name=category.name), "categories")
            exhibition.categories.remove(category)
    db.session.flush()  # a renamed category may take a removed one's name
    for position, spec in enumerate(specs, start=1):
        category = existing.get(spec.id) if spec.id in kept else None
        if category is None:
            category = ExhibitionCategory()
            exhibition.categories.append(category)
        category.position = position
        category.name = spec.name
        category.works_per_member = spec.works_per_member
        category.max_images = spec.max_images
        category.min_long_edge = spec.min_long_edge
        category.is_photo = spec.is_photo
        category.has_physical = spec.has_physical
        category.checklist = spec.checklist


def title_taken(settings: ExhibitionSettings, exhibition_id: int | None) -> bool:
    query = sa.select(Exhibition.id).where(Exhibition.campaign_id == settings.campaign_id,
                                           Exhibition.title == settings.title)
    if exhibition_id is not None:
        query = query.where(Exhibition.id != exhibition_id)
    return db.session.scalar(query) is not None


def create_exhibition(actor, settings: ExhibitionSettings) -> Exhibition:
    """A new exhibition under a campaign, its title unique within the campaign, at least one category."""
    _check(settings)
    if title_taken(settings, None):
        raise Problem(_l("该活动下已有同名展览"), "title")
    exhibition = Exhibition()
    _apply(exhibition, settings)
    db.session.add(exhibition)
    _apply_categories(exhibition, settings.categories)
    db.session.flush()
    record("exhibition.created", target=exhibition, actor=actor, summary=exhibition.title)
    return exhibition


def update_exhibition(actor, exhibition: Exhibition, settings: ExhibitionSettings) -> None:
    """Change an exhibition's settings; categories that hold works stay (renamed or retuned only)."""
    _check(settings)
    if title_taken(settings, exhibition.id):
        raise Problem(_l("该活动下已有同名展览"), "title")
    _apply(exhibition, settings)
    _apply_categories(exhibition, settings.categories)
    db.session.flush()
    record("exhibition.updated", target=exhibition, actor=actor, summary=exhibition.title)


def is_open(exhibition: Exhibition, now: datetime | None = None) -> bool:
    """Submissions are open from opens_at until closes_at (the deadline)."""
    now = now or utcnow()
    return exhibition.opens_at <= now < exhibition.closes_at


def exhibitions_newest_first() -> list[Exhibition]:
    return list(db.session.scalars(sa.select(Exhibition).order_by(Exhibition.closes_at.desc(), Exhibition.id.desc())))


def open_exhibitions(now: datetime | None = None) -> list[Exhibition]:
    now = now or utcnow()
    return list(db.session.scalars(sa.select(Exhibition).where(Exhibition.opens_at <= now, Exhibition.closes_at > now)
                                   .order_by(Exhibition.closes_at, Exhibition.id)))


def category_of(exhibition: Exhibition, category_id: int | None) -> ExhibitionCategory | None:
    return next((category for category in exhibition.categories if category.id == category_id), None)
