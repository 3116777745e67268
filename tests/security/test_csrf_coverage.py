"""With CSRF on (as in production), every state-changing route refuses a request without a token.

The list of routes comes from app.url_map, so routes added later are covered without editing this file.
"""
import pytest

from tests.security.routes import STATE_CHANGING, routes, sign_in_directly, url_for_route

CSRF_MESSAGE = "页面已过期或表单校验失败"

# Routes that may change state without a CSRF token, each with the reason. Keep this empty unless a
# route authenticates callers some other way (a signed token in the URL, say).
CSRF_EXEMPT: dict[str, str] = {}


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_state_changing_route_requires_a_csrf_token(app, make_staff):
    admin = make_staff("admin")
    state_changing = [route for route in routes(app, STATE_CHANGING) if route.endpoint not in CSRF_EXEMPT]
    assert {"auth.login", "auth.logout", "auth.change_password"} <= {route.endpoint for route in state_changing}

    problems = []
    for route in state_changing:
        url = url_for_route(app, route)
        for who, client in (("anonymous", app.test_client()), ("admin", sign_in_directly(app, admin))):
            for kind, kwargs in (("form", {"data": {"x": "1"}}), ("json", {"json": {"x": 1}})):
                response = client.open(url, method=route.method, **kwargs)
                if kind == "json":
                    message = (response.json or {}).get("error", "") if response.is_json else "(not JSON)"
                else:
                    message = response.get_data(as_text=True)
                if response.status_code != 400 or CSRF_MESSAGE not in message:
                    problems.append(f"{route} as {who} ({kind}): {response.status_code}")
    assert not problems, "state-changing routes accepted a request without a CSRF token:\n" + "\n".join(problems)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_wrong_token_is_refused_too(client):
    response = client.post("/login", data={"login": "x", "password": "y", "csrf_token": "forged"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_token_can_travel_in_the_x_csrftoken_header(app, client_for, make_member):
    member = make_member()
    client = sign_in_directly(app, member)
    page = client.get("/account").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post("/language", data={"locale": "en"}, headers={"X-CSRFToken": token})
    assert response.status_code == 302


def test_csrf_exemptions_are_only_the_documented_ones(app):
    csrf = app.extensions["csrf"]
    exempt_views = {view.rsplit(".", 1)[-1] for view in csrf._exempt_views}
    exempt_endpoints = {endpoint for endpoint, view in app.view_functions.items()
                        if view.__name__ in exempt_views
                        and f"{view.__module__}.{view.__name__}" in csrf._exempt_views}
    exempt_endpoints |= {endpoint for endpoint in app.view_functions
                         if app.blueprints.get(endpoint.rpartition(".")[0]) in csrf._exempt_blueprints}
    assert exempt_endpoints <= set(CSRF_EXEMPT), exempt_endpoints - set(CSRF_EXEMPT)
