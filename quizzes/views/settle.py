"""Attempts whose time ran out are submitted once, at the edge of a request, before a page reads.

The report and ranking functions only read; a page that shows attempts declares, under its access
rule, which expired attempts to settle first:

    @bp.get("/<int:quiz_id>/progress")
    @roles_required(Role.ORGANISER, Role.LIAISON)
    @settles_expired(QUIZ)
    def progress(quiz_id): ...

The settling commits on its own (the view itself then only reads, so each request still commits
once) and gives way to a busy SQLite: the cron sweeper or the next page load does it then.
"""
from functools import wraps

import sqlalchemy as sa
from flask import current_app
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from app.extensions import db
from quizzes.models import Attempt
from quizzes.services.attempts import finalize_expired

QUIZ = "quiz"  # every expired attempt of the page's quiz (the quiz_id or attempt_id in the URL; all quizzes without)
OWN = "own"  # the signed-in member's own expired attempts (of the page's quiz, when the URL names one)


def settle_expired(quiz_id: int | None = None, *, user_id: int | None = None) -> None:
    """Submit and score expired attempts (of a quiz, of a member) and commit that on its own."""
    try:
        if finalize_expired(quiz_id, user_id=user_id):
            db.session.commit()
    except OperationalError:  # SQLite busy: the sweeper or the next page load will do it
        db.session.rollback()
        current_app.logger.warning("finalize_expired deferred (database busy)")


def settles_expired(scope: str):
    """View decorator (under the access rule): settle the QUIZ's or the member's OWN expired attempts first."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            quiz_id = kwargs.get("quiz_id")
            if scope == QUIZ:
                if quiz_id is None and "attempt_id" in kwargs:
                    quiz_id = db.session.scalar(sa.select(Attempt.quiz_id).where(Attempt.id == kwargs["attempt_id"]))
                    if quiz_id is None:
                        return view(*args, **kwargs)  # no such attempt: the view answers 404
                settle_expired(quiz_id)
            else:
                settle_expired(quiz_id, user_id=current_user.id)
            return view(*args, **kwargs)

        return wrapped

    return decorator
