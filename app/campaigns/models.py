"""Campaigns (专项活动) and their ordered phases (阶段). Activities belong to a campaign."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.clock import utcnow
from app.extensions import db


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    phases: Mapped[list["CampaignPhase"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignPhase.position"
    )


class CampaignPhase(db.Model):
    __tablename__ = "campaign_phases"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "position", name="uq_campaign_phases_campaign_id_position"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)

    campaign: Mapped[Campaign] = relationship(back_populates="phases")
