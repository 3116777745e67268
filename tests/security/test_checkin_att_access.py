"""The attendance side of check-in behind an event id: unit A's meeting (world.py) is refused to the
liaison of unit B, to members and to judges on every route, GET and POST; the organiser reaches it."""
import pytest

from tests.security.routes import STATE_CHANGING, routes, sign_in_directly, url_for_route

AREAS = ("checkin.attendance.", "checkin.leave.", "checkin.calendar.", "checkin.records.")
pytestmark = pytest.mark.app_config(PROPAGATE_UNEXPECTED=False)


def _values(world) -> dict:
    return {**world.values, "event_id": world.extra["attendance_event_id"]}


def _event_routes(app):
    found = [route for route in routes(app) if route.endpoint.startswith(AREAS) and "event_id" in route.rule.arguments]
    assert len(found) >= 10
    return found


@pytest.mark.parametrize("who", ["liaison_b", "judge"])
def test_unit_as_meeting_is_refused_to_others(app, world, who):
    client = sign_in_directly(app, world.identities()[who])
    problems = []
    for route in _event_routes(app):
        if route.endpoint == "checkin.leave.request_own":
            continue  # members only: refused by role, covered by the route walk
        response = client.open(url_for_route(app, route, _values(world)), method=route.method,
                               data={} if route.method in STATE_CHANGING else None)
        if response.status_code not in (403, 404):
            problems.append(f"{route}: {response.status_code}")
    assert not problems, problems


def test_a_member_sees_none_of_the_meetings_staff_pages(app, world):
    client = sign_in_directly(app, world.member)
    for route in _event_routes(app):
        if route.endpoint == "checkin.leave.request_own":
            continue  # the member is invited: their own request page
        response = client.open(url_for_route(app, route, _values(world)), method=route.method,
                               data={} if route.method in STATE_CHANGING else None)
        assert response.status_code in (403, 404), f"{route}: {response.status_code}"


def test_the_organiser_reaches_the_meetings_pages(app, world):
    client = sign_in_directly(app, world.organiser)
    for route in _event_routes(app):
        if route.method != "GET" or route.endpoint == "checkin.leave.request_own":
            continue
        assert client.get(url_for_route(app, route, _values(world))).status_code == 200, route
