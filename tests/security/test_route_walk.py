"""THE ROUTE WALK: every registered route, walked as anonymous, member, liaison of another unit, judge
(and, for "never a 500", organiser and admin). Routes come from app.url_map and their rules from
app.common.access, so routes other features add later are covered without editing this file.

Generic rules (need no maintenance):
  * every endpoint declares an access rule;
  * anonymous gets redirect-to-login (or 401) everywhere except PUBLIC_ENDPOINTS;
  * a signed-in person whose roles the endpoint's rule does not name gets 403/404;
  * a liaison of unit B gets 403/404 on any route whose path names something of unit A
    (a unit, branch, person, attempt…: World.unit_a_arguments), unless CROSS_UNIT_ALLOWED says why not;
  * a member gets 403/404 on any route (even member-facing) whose path names another member's things
    (World.other_member_arguments), unless OTHER_MEMBER_ALLOWED says why not;
  * nobody, anywhere, gets a 500.
Ownership the generic rules cannot know (whose attempt is this?) is listed in OWNERSHIP_CASES.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from app.common.access import AUTHENTICATED, PUBLIC, Role, access_rule_for
from tests.security.routes import (
    KNOWN_RULE_ENTRIES,
    STATE_CHANGING,
    Route,
    allows,
    routes,
    sign_in_directly,
    url_for_route,
    view_endpoints,
)
from tests.security.world import World

# Endpoints anyone may reach signed out, each with the reason. A new @public view fails
# test_public_endpoints_are_exactly_the_allow_list until it is reviewed and listed here.
PUBLIC_ENDPOINTS: dict[str, str] = {
    "auth.login": "the sign-in page",
    "core.healthz": "load-balancer health check; says only ok / unreachable",
    "core.set_language": "language switch on the sign-in page",
    "speech.judge.bind": "a judge's tablet signs in by the signed QR token on their paper sheet (confirm, then POST)",
    "speech.live.big_screen": "the hall's big screen (a kiosk): the contest on stage, revealed scores only",
    "speech.live.watch": "the audience page on phones in the hall: what the big screen shows",
    "speech.live.state": "the big screen's live state: no unrevealed or unpublished score",
    "speech.live.watch_state": "the audience page's live state: who is on stage and revealed scores only",
    "checkin.scan.venue": "the venue display's QR link: phones often open it without a session; the first GET "
                          "checks the signed token and keeps a pending check-in until login (no data shown)",
    "checkin.scan.static_code": "the printed static code's link, the same path (only while the organiser allows it)",
}

# Endpoints a liaison may use with another unit's ids, each with the reason (none so far).
CROSS_UNIT_ALLOWED: dict[str, str] = {}

# Endpoints a member may use with another member's id in the path, each with the reason (none so far).
OTHER_MEMBER_ALLOWED: dict[str, str] = {}


@dataclass(frozen=True)
class OwnershipCase:
    """`who` must be refused (403/404) at `endpoint` filled by `build(world)`: objects they do not own."""

    endpoint: str
    build: Callable[[World], dict]
    who: tuple[str, ...]
    method: str = "GET"
    why: str = ""


# Cases for ownership that the generic rules cannot see. Add one per route that serves one person's or
# one unit's things behind an id that is not a unit/branch/person id (e.g. a member's quiz attempt).
OWNERSHIP_CASES: list[OwnershipCase] = [
    OwnershipCase("quizzes.take.result", lambda world: {"attempt_id": world.extra["submitted_attempt_id"]},
                  who=("member", "liaison_b", "judge"), why="another member's submitted result"),
    OwnershipCase("quizzes.reports.attempt", lambda world: {"attempt_id": world.extra["submitted_attempt_id"]},
                  who=("member", "liaison_b", "judge"), why="a unit A member's answer sheet"),
    *(OwnershipCase(endpoint, lambda world: {"job_id": world.values["job_id"]},
                    who=("member", "liaison_b", "judge", "admin"), why="the organiser's own job and its file")
      for endpoint in ("jobs.show", "jobs.status", "jobs.download")),
]

ANONYMOUS_REFUSALS = {401}
REFUSALS = {403, 404}
# An ownership check inside a view may come after form validation; an empty POST then gets 400, which
# still changes nothing.
POST_OWNERSHIP_REFUSALS = {400, 403, 404}

pytestmark = pytest.mark.app_config(PROPAGATE_UNEXPECTED=False)


def send(client, url: str, method: str):
    response = client.open(url, method=method, data={} if method in STATE_CHANGING else None)
    response.close()
    return response


def walked_routes(app) -> list[Route]:
    found = routes(app)
    assert len(found) > 5, "the route walk found (almost) no routes: is app.url_map populated?"
    return found


def fill(world: World, route: Route) -> dict:
    values = world.values_for(route.endpoint)
    return {name: values[name] for name in route.rule.arguments if name in values}


def unit_a_arguments(world: World, route: Route) -> set[str]:
    return {name for name in route.rule.arguments if name in world.unit_a_arguments}


# ---------------------------------------------------------------- declarations


def test_every_endpoint_declares_an_access_rule(app):
    undeclared, malformed = [], []
    for endpoint in view_endpoints(app):
        rule = access_rule_for(endpoint)
        if rule is None:
            undeclared.append(endpoint)
        elif rule != PUBLIC and not (isinstance(rule, tuple) and rule and set(rule) <= KNOWN_RULE_ENTRIES):
            malformed.append(f"{endpoint}: {rule!r}")
    assert not undeclared, f"endpoints without @public/@login_required/@roles_required: {undeclared}"
    assert not malformed, f"endpoints with an unknown access rule: {malformed}"


def test_public_endpoints_are_exactly_the_allow_list(app):
    public = {endpoint for endpoint in view_endpoints(app) if access_rule_for(endpoint) == PUBLIC}
    assert public - set(PUBLIC_ENDPOINTS) == set(), "new public endpoints: review them and add to PUBLIC_ENDPOINTS"
    assert set(PUBLIC_ENDPOINTS) - public == set(), "PUBLIC_ENDPOINTS lists endpoints that are gone or not public"


def test_an_undeclared_route_is_refused(app, client):
    def sneaky():
        return "should never be served"

    app.add_url_rule("/_test/undeclared", "test_undeclared", sneaky)
    response = client.get("/_test/undeclared")
    assert response.status_code == 403
    assert "should never be served" not in response.get_data(as_text=True)


def test_the_tables_name_real_endpoints(app):
    endpoints = set(view_endpoints(app))
    for table in (CROSS_UNIT_ALLOWED, OTHER_MEMBER_ALLOWED):
        assert set(table) <= endpoints, set(table) - endpoints
    assert {case.endpoint for case in OWNERSHIP_CASES} <= endpoints


# ---------------------------------------------------------------- the walk


def test_anonymous_reaches_only_public_endpoints(app, world):
    problems = []
    client = app.test_client()
    for route in walked_routes(app):
        if route.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = url_for_route(app, route, world.values)
        response = send(client, url, route.method)
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith("/login"):
            continue
        if response.status_code not in ANONYMOUS_REFUSALS:
            problems.append(f"{route} {url}: {response.status_code} {location}")
    assert not problems, "anonymous reached:\n" + "\n".join(problems)


@pytest.mark.parametrize("who", ["member", "liaison_b", "judge"])
def test_nobody_reaches_endpoints_their_roles_do_not_open(app, world, who):
    user = world.identities()[who]
    client = sign_in_directly(app, user)
    problems, checked = [], 0
    for route in walked_routes(app):
        if allows(user, access_rule_for(route.endpoint)):
            continue
        checked += 1
        url = url_for_route(app, route, world.values)
        response = send(client, url, route.method)
        if response.status_code not in REFUSALS:
            problems.append(f"{route} {url}: {response.status_code}")
    assert not problems, f"{who} reached endpoints outside their roles:\n" + "\n".join(problems)
    if who == "member":
        assert checked or not _staff_only_endpoints(app), "the walk refused nothing: check the world's roles"


def _staff_only_endpoints(app) -> list[str]:
    return [endpoint for endpoint in view_endpoints(app)
            if access_rule_for(endpoint) not in (PUBLIC, None) and AUTHENTICATED not in access_rule_for(endpoint)
            and Role.MEMBER not in access_rule_for(endpoint)]


def test_liaison_cannot_reach_another_units_things(app, world):
    client = sign_in_directly(app, world.liaison_b)
    problems = []
    for route in walked_routes(app):
        if route.endpoint in CROSS_UNIT_ALLOWED or not unit_a_arguments(world, route):
            continue
        if not allows(world.liaison_b, access_rule_for(route.endpoint)):
            continue  # refused by role already (covered above)
        url = url_for_route(app, route, world.values)
        response = send(client, url, route.method)
        expected = POST_OWNERSHIP_REFUSALS if route.method in STATE_CHANGING else REFUSALS
        if response.status_code not in expected:
            problems.append(f"{route} {url}: {response.status_code}")
    assert not problems, "a liaison of unit B reached unit A's things:\n" + "\n".join(problems)


def test_member_cannot_reach_another_members_things(app, world):
    client = sign_in_directly(app, world.member)
    problems = []
    for route in walked_routes(app):
        if route.endpoint in OTHER_MEMBER_ALLOWED or not world.other_member_arguments & set(route.rule.arguments):
            continue
        if not allows(world.member, access_rule_for(route.endpoint)):
            continue
        url = url_for_route(app, route, world.values)
        response = send(client, url, route.method)
        expected = POST_OWNERSHIP_REFUSALS if route.method in STATE_CHANGING else REFUSALS
        if response.status_code not in expected:
            problems.append(f"{route} {url}: {response.status_code}")
    assert not problems, "a member reached another member's things:\n" + "\n".join(problems)


@pytest.mark.parametrize("case", OWNERSHIP_CASES, ids=lambda case: f"{case.endpoint}-{'-'.join(case.who)}")
def test_ownership_cases(app, world, case):
    values = {**world.values, **case.build(world)}
    matching = [route for route in walked_routes(app) if route.endpoint == case.endpoint and route.method == case.method]
    assert matching, f"{case.method} {case.endpoint} is not registered"
    url = url_for_route(app, matching[0], values)
    expected = POST_OWNERSHIP_REFUSALS if case.method in STATE_CHANGING else REFUSALS
    for who in case.who:
        response = send(sign_in_directly(app, world.identities()[who]), url, case.method)
        assert response.status_code in expected, f"{who} reached {url}: {response.status_code} ({case.why})"


def test_no_route_ends_in_a_500_for_anyone(app, world, caplog):
    """GET everything as everyone, then POST an empty form everywhere (each with a fresh sign-in, since
    a POST may sign out or delete): a broken view shows up here even if nobody wrote a test for it."""
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    identities = world.identities()
    clients = {who: sign_in_directly(app, user) if user else app.test_client() for who, user in identities.items()}
    all_routes = walked_routes(app)
    failures = []
    for method_group in (("GET",), STATE_CHANGING):
        for route in all_routes:
            if route.method not in method_group:
                continue
            url = url_for_route(app, route, world.values)
            for who, user in identities.items():
                client = clients[who] if route.method == "GET" else (
                    sign_in_directly(app, user) if user else app.test_client())
                caplog.clear()
                response = send(client, url, route.method)
                if response.status_code >= 500:
                    errors = [logging.Formatter().format(record) for record in caplog.records]
                    failures.append(f"{route} {url} as {who}: {response.status_code}\n" + "\n".join(errors))
    assert not failures, "requests that ended in a 5xx:\n\n" + "\n\n".join(failures)
