"""The one shape of a rule a request broke: services raise a Problem, views show it beside its field."""
from __future__ import annotations


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
