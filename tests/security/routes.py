"""Helpers that enumerate the app's routes from app.url_map, so routes added later are covered too."""
import uuid
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, Rule, UUIDConverter

from app.common.access import AUTHENTICATED, PUBLIC, Role

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
WALKED_METHODS = ("GET", *STATE_CHANGING)
NONEXISTENT_ID = 987_654_321
KNOWN_RULE_ENTRIES = {AUTHENTICATED, *Role.ALL}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    rule: Rule

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule} ({self.endpoint})"


def is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def view_endpoints(app: Flask) -> list[str]:
    """Every endpoint that serves a view (static files aside)."""
    return sorted(endpoint for endpoint in app.view_functions if not is_static(endpoint))


def routes(app: Flask, methods=WALKED_METHODS) -> list[Route]:
    """One Route per (rule, method) for every non-static rule, in a stable order."""
    found = []
    for rule in app.url_map.iter_rules():
        if is_static(rule.endpoint):
            continue
        for method in sorted(set(rule.methods or ()) & set(methods)):
            found.append(Route(rule.endpoint, method, rule))
    return sorted(found, key=lambda route: (route.rule.rule, route.method))


def placeholder(rule: Rule, argument: str):
    """A value of the right shape for a path argument nobody filled: an id that does not exist."""
    converter = rule._converters[argument]
    if isinstance(converter, IntegerConverter):
        return NONEXISTENT_ID
    if isinstance(converter, FloatConverter):
        return float(NONEXISTENT_ID)
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=NONEXISTENT_ID)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "nonexistent"


def url_for_route(app: Flask, route: Route, values: dict | None = None) -> str:
    """The URL of `route` with its path arguments taken from `values`, else placeholders.

    The URL is matched back: it must reach the same endpoint, or the walk would test another view.
    """
    values = values or {}
    arguments = {name: values.get(name, placeholder(route.rule, name)) for name in route.rule.arguments
                 if name not in (route.rule.defaults or {})}
    built = route.rule.build(arguments, append_unknown=False)
    assert built is not None, f"cannot build {route} from {arguments}"
    path = built[1]
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(path, method=route.method)
    assert endpoint == route.endpoint, f"{route}: {path} reaches {endpoint} instead"
    return path


def allows(user, access_rule) -> bool:
    """Whether `user` (None: anonymous) passes a declared access rule."""
    if access_rule == PUBLIC:
        return True
    if user is None:
        return False
    return AUTHENTICATED in access_rule or user.has_any_role(access_rule)


def sign_in_directly(app: Flask, user):
    """A test client whose session already belongs to `user` (no password, no throttling)."""
    from app.accounts.services import SESSION_KEY, start_session
    from app.extensions import db

    client = app.test_client()
    token = start_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session[SESSION_KEY] = token
    return client
