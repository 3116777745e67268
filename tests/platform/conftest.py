"""Fixtures for units, campaigns, the audit viewer, the demo command and the home page."""
import itertools

import pytest

from app.accounts.models import User
from app.extensions import db
from app.units.models import Unit


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
