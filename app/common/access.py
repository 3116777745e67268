"""Who may use each route. Every view declares it; an undeclared endpoint is refused (fail closed).

    @bp.get("/roster")
    @roles_required(Role.ORGANISER, Role.LIAISON)
    def roster(): ...

Ownership (a member's own attempt, a liaison's own unit) is checked by the view or service on top.
"""
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

PUBLIC = "public"
AUTHENTICATED = "authenticated"


class Role:
    ADMIN = "admin"
    ORGANISER = "organiser"
    LIAISON = "liaison"
    JUDGE = "judge"
    MEMBER = "member"

    STAFF = (ADMIN, ORGANISER, LIAISON, JUDGE)
    ALL = (ADMIN, ORGANISER, LIAISON, JUDGE, MEMBER)


def public(view):
    """Anyone, signed in or not (login page, health check, language switch)."""
    view.access_rule = PUBLIC
    return view


def login_required(view):
    """Any signed-in account, whatever its roles."""
    return roles_required(AUTHENTICATED)(view)


def roles_required(*roles: str):
    """Signed-in users holding at least one of `roles` (admin also passes organiser checks)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.accept_mimetypes.best == "application/json" or request.is_json:
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if AUTHENTICATED not in roles and not current_user.has_any_role(roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access_rule = tuple(roles)
        return wrapped

    return decorator


def access_rule_for(endpoint: str):
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def register_access_guard(app) -> None:
    @app.before_request
    def refuse_undeclared_routes():
        endpoint = request.endpoint
        if endpoint is None or endpoint == "static" or endpoint.endswith(".static"):
            return None
        if access_rule_for(endpoint) is None:
            app.logger.error("Route %s declares no access rule; refusing", endpoint)
            abort(403)
        return None
