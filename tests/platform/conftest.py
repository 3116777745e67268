"""Fixtures for units, campaigns, the audit viewer, the demo command and the home page."""
import itertools
from datetime import date

import pytest

from app.accounts.models import User
from app.campaigns.models import Campaign, CampaignPhase
from app.extensions import db
from app.units.models import Unit


@pytest.fixture
def make_campaign(app):
    """make_campaign(name, starts_on, ends_on, phases=[(name, start, end), …]) -> Campaign."""

    def factory(name="解放思想大讨论活动", starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30), phases=()):
        campaign = Campaign(name=name, description="", starts_on=starts_on, ends_on=ends_on)
        campaign.phases = [
            CampaignPhase(position=position, name=phase_name, description="", starts_on=start, ends_on=end)
            for position, (phase_name, start, end) in enumerate(phases, start=1)
        ]
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return factory


@pytest.fixture
def add_member(app):
    """add_member(unit, branch=None, active=True) -> User: a roster entry that never signs in (no slow hash)."""
    numbers = itertools.count(1)

    def factory(unit: Unit, branch: Unit | None = None, active: bool = True, **fields) -> User:
        number = next(numbers)
        user = User(staff_id=f"Q{number:06d}", name=fields.pop("name", f"人员{number}"), unit_id=unit.id,
                    branch_id=branch.id if branch else None, active=active, password_hash="!",
                    must_change_password=False, **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return factory
