"""Helpers shared by the platform tests."""
import sqlalchemy as sa

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.campaigns.models import Campaign, CampaignPhase
from app.extensions import db
from app.units.models import Unit


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def snapshot() -> dict:
    """Everything a hostile request must leave untouched."""
    db.session.expire_all()
    return {
        "units": sorted(db.session.execute(sa.select(Unit.id, Unit.name, Unit.parent_id, Unit.sort_order)).all()),
        "campaigns": sorted(db.session.execute(
            sa.select(Campaign.id, Campaign.name, Campaign.description, Campaign.starts_on, Campaign.ends_on)).all()),
        "phases": sorted(db.session.execute(sa.select(
            CampaignPhase.id, CampaignPhase.position, CampaignPhase.name, CampaignPhase.starts_on,
            CampaignPhase.ends_on)).all()),
        "users": count(User),
        "audit": count(AuditEntry),
    }
