"""The exhibition (书画摄影展): an exhibition per campaign, its categories, the members' works and
their images.

A work has a stable number (编号, allocated from the exhibition's counter when it is created and never
reused), a category and a status; judging rounds, awards and the members' vote are added on top later
and refer to works by id and number. A work occupies one of its author's slots in its category
(slot 1..works_per_member, unique per author and category in the database) until it is withdrawn or
rejected, so the limit holds even when two phones submit at the same moment.

Images: the original is kept byte for byte under UPLOAD_FOLDER/exhibition/<id>/originals (random
name); the thumbnail and display derivatives under …/derived, made by a job (processing until then).
"""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.common.clock import utcnow
from app.extensions import db
from app.units.models import Unit

# draft (saved, not submitted) → submitted → in_review (an organiser took it up: no more edits) →
# accepted | rejected (with a reason the member sees); withdrawn by the member before the deadline.
WORK_STATUSES = ("draft", "submitted", "in_review", "rejected", "accepted", "withdrawn")
EDITABLE_STATUSES = ("draft", "submitted")
REVIEWABLE_STATUSES = ("submitted", "in_review", "accepted", "rejected")
IMAGE_STATUSES = ("processing", "ready", "failed")
MAX_SLOTS = 50
MAX_SET_IMAGES = 20

DEFAULT_CATEGORIES = (
    # name, works per member, images per work (>1: a set, 组照), minimum long edge, photography, physical size
    ("书法", 1, 1, 1600, False, True),
    ("绘画", 1, 1, 1600, False, True),
    ("摄影", 2, 4, 3000, True, False),
)


class Exhibition(db.Model):
    __tablename__ = "exhibitions"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "title", name="uq_exhibitions_campaign_title"),
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint("max_file_mb BETWEEN 1 AND 100", name="max_file_mb_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    rules: Mapped[str] = mapped_column(sa.Text, default="")
    opens_at: Mapped[datetime] = mapped_column(sa.DateTime)  # UTC
    closes_at: Mapped[datetime] = mapped_column(sa.DateTime)  # UTC: the submission deadline
    max_file_mb: Mapped[int] = mapped_column(sa.Integer, default=30)
    exif_required: Mapped[bool] = mapped_column(sa.Boolean, default=True)  # for photography categories
    review_required: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    last_number: Mapped[int] = mapped_column(sa.Integer, default=0)  # the last 编号 handed out
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    categories: Mapped[list["ExhibitionCategory"]] = relationship(
        back_populates="exhibition", cascade="all, delete-orphan", order_by="ExhibitionCategory.position")

    @property
    def max_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024


class ExhibitionCategory(db.Model):
    __tablename__ = "exhibition_categories"
    __table_args__ = (
        sa.UniqueConstraint("exhibition_id", "name", name="uq_exhibition_categories_name"),
        sa.CheckConstraint(f"works_per_member BETWEEN 1 AND {MAX_SLOTS}", name="works_per_member_range"),
        sa.CheckConstraint(f"max_images BETWEEN 1 AND {MAX_SET_IMAGES}", name="max_images_range"),
        sa.CheckConstraint("min_long_edge >= 0", name="min_long_edge_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=1)
    name: Mapped[str] = mapped_column(sa.String(40))
    works_per_member: Mapped[int] = mapped_column(sa.Integer, default=1)
    max_images: Mapped[int] = mapped_column(sa.Integer, default=1)  # > 1: a set (组照) counts as one work
    min_long_edge: Mapped[int] = mapped_column(sa.Integer, default=0)  # pixels
    is_photo: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # EXIF rule applies
    has_physical: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # size in cm and medium asked
    checklist: Mapped[str] = mapped_column(sa.Text, default="")  # one item a line, shown to reviewers

    exhibition: Mapped[Exhibition] = relationship(back_populates="categories")

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


work_coauthors = sa.Table(
    "exhibition_work_coauthors", db.metadata,
    sa.Column("work_id", sa.ForeignKey("exhibition_works.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Work(db.Model):
    __tablename__ = "exhibition_works"
    __table_args__ = (
        sa.UniqueConstraint("exhibition_id", "number", name="uq_exhibition_works_number"),
        # The per-member limit: a live work holds a slot 1..works_per_member; two works never share one.
        sa.UniqueConstraint("category_id", "author_id", "slot", name="uq_exhibition_works_slot"),
        sa.CheckConstraint(f"slot IS NULL OR slot BETWEEN 1 AND {MAX_SLOTS}", name="slot_range"),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'in_review', 'rejected', 'accepted', 'withdrawn')",
                           name="status"),
        sa.CheckConstraint("status <> 'rejected' OR reject_reason <> ''", name="rejected_with_reason"),
        sa.Index("ix_exhibition_works_exhibition_status", "exhibition_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibitions.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_categories.id", ondelete="RESTRICT"),
                                             index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"), index=True)
    slot: Mapped[int | None] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(100))
    statement: Mapped[str] = mapped_column(sa.Text, default="")  # 创作说明
    width_cm: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1))
    height_cm: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1))
    medium: Mapped[str] = mapped_column(sa.String(60), default="")
    year_made: Mapped[int | None] = mapped_column(sa.Integer)
    pledged_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # originality pledge and grant of use
    status: Mapped[str] = mapped_column(sa.String(12), default="draft")
    reject_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    processing: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # derivatives still being made
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    exhibition: Mapped[Exhibition] = relationship()
    category: Mapped[ExhibitionCategory] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    unit: Mapped[Unit | None] = relationship()
    coauthors: Mapped[list[User]] = relationship(secondary=work_coauthors, order_by="User.id")
    images: Mapped[list["WorkImage"]] = relationship(
        back_populates="work", cascade="all, delete-orphan", order_by="WorkImage.position",
        foreign_keys="WorkImage.work_id")

    @property
    def code(self) -> str:
        """The 编号 as printed: four digits."""
        return f"{self.number:04d}"


class WorkImage(db.Model):
    __tablename__ = "exhibition_work_images"
    __table_args__ = (
        sa.UniqueConstraint("work_id", "position", name="uq_exhibition_work_images_position"),
        sa.CheckConstraint("status IN ('processing', 'ready', 'failed')", name="status"),
        sa.Index("ix_exhibition_work_images_hash", "exhibition_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_works.id", ondelete="CASCADE"), index=True)
    exhibition_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibitions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.Integer, default=1)
    original_file: Mapped[str] = mapped_column(sa.String(80))  # random name under originals/
    extension: Mapped[str] = mapped_column(sa.String(8))
    byte_size: Mapped[int] = mapped_column(sa.Integer)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    width: Mapped[int] = mapped_column(sa.Integer)  # upright
    height: Mapped[int] = mapped_column(sa.Integer)
    orientation: Mapped[int] = mapped_column(sa.Integer, default=1)
    has_exif: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    has_gps: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    camera: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(12), default="processing")
    thumbnail_file: Mapped[str | None] = mapped_column(sa.String(80))
    display_file: Mapped[str | None] = mapped_column(sa.String(80))
    judge_file: Mapped[str | None] = mapped_column(sa.String(80))  # the judges' copy (评审图), no author/GPS
    display_width: Mapped[int | None] = mapped_column(sa.Integer)
    display_height: Mapped[int | None] = mapped_column(sa.Integer)
    dhash: Mapped[str | None] = mapped_column(sa.String(16))  # 64-bit difference hash, hex
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exhibition_works.id", ondelete="SET NULL"))
    near_duplicate_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("exhibition_works.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    work: Mapped[Work] = relationship(back_populates="images", foreign_keys=[work_id])

    @property
    def long_edge(self) -> int:
        return max(self.width, self.height)
