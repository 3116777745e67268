"""Fixtures for the security tests."""
import pytest

from tests.security.world import World, build_world


@pytest.fixture
def world(make_unit, make_user, make_staff) -> World:
    """Two units, people in every role and real objects; see tests/security/world.py."""
    return build_world(make_unit, make_user, make_staff)
