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


def recent_entries(*, action: str | None = None, page: int = 1, per_page: int = 50, actor_ids=None):
    """Newest first, optionally filtered by action and by actor ids; returns a Flask-SQLAlchemy pagination."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_ids is not None:
        query = query.where(AuditEntry.actor_id.in_(list(actor_ids)))
    return db.paginate(query.options(db.joinedload(AuditEntry.actor)), page=page, per_page=per_page,
                       error_out=False)


def actions_in_use() -> list[str]:
    """Every distinct action code recorded so far, sorted (for the viewer's filter)."""
    return list(db.session.scalars(db.select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def actor_ids_matching(text: str) -> list[int]:
    """Ids of accounts whose staff ID, mobile or exact name is `text` (for the viewer's actor filter)."""
    from app.accounts.models import User

    text = text.strip()
    return list(db.session.scalars(
        db.select(User.id).where(db.or_(User.staff_id == text, User.mobile == text, User.name == text))
    ))
