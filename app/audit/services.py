"""Writing and reading the audit log."""
from flask import has_request_context, request
from flask_login import current_user

from app.audit.models import AuditEntry
from app.extensions import db


def record(action: str, *, target=None, summary: str = "", actor=None, **details) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller's commit makes it permanent)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        summary=summary,
        details=details,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def recent_entries(*, action: str | None = None, page: int = 1, per_page: int = 50):
    """Newest first, optionally filtered by action; returns a Flask-SQLAlchemy pagination."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    return db.paginate(query.options(db.joinedload(AuditEntry.actor)), page=page, per_page=per_page,
                       error_out=False)
