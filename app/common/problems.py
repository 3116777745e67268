"""The one shape of a rule a request broke: services raise a Problem, views show it beside its field."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Problem(Exception):
    """A rule the request broke; `str(problem)` is the message for the user, `field` the form field it
    belongs beside (None: shown above the form), `details` any list the message introduces."""

    def __init__(self, message: str, field: str | None = None, *, details=()):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.details = [str(detail) for detail in details]

    def __str__(self) -> str:
        return self.message


def attach_problem(form, problem: Problem, default: str | None = None) -> bool:
    """Show `problem` beside its field on `form` (or beside `default` when it names none the form has);
    False when there is no such field (the caller then shows it above the form)."""
    field = getattr(form, problem.field, None) if problem.field else None
    if (field is None or not hasattr(field, "errors")) and default:
        field = getattr(form, default, None)
    if field is None or not hasattr(field, "errors"):
        return False
    errors = list(field.errors) if isinstance(field.errors, list | tuple) else []
    errors.append(problem.message)
    field.errors = errors
    return True


@dataclass(frozen=True)
class Outcome:
    """What `commit_or_show` did: truthy when the action ran and was committed, with its return value."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def commit_or_show(form, action: Callable[[], Any], saved: str, *, default: str | None = None) -> Outcome:
    """Run a service `action()` for a submitted form: on success commit once and flash `saved`; on a
    Problem roll back everything it wrote and show the message beside its field (or above the form)."""
    from flask import flash

    from app.extensions import db

    try:
        value = action()
    except Problem as problem:
        db.session.rollback()
        if form is None or not attach_problem(form, problem, default):
            flash(problem.message, "error")
        return Outcome(False)
    db.session.commit()
    flash(saved, "success")
    return Outcome(True, value)
