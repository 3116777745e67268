import pytest

from tests.participation_input.helpers import make_scene


@pytest.fixture
def scene(make_unit, make_user, make_staff, make_campaign):
    return make_scene(make_unit, make_user, make_staff, make_campaign)
