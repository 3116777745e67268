"""The hall's live state version: every change a live page shows (the host moves on, a sheet
arrives, a score is revealed, a deduction is entered, the screen mode changes) bumps the round's
`state_version`, and the state endpoints answer 304 while a poller's version is current."""
import sqlalchemy as sa

from app.common.clock import utcnow
from app.extensions import db
from events.speech.models import SpeechRound


def bump_state(round_id: int) -> None:
    """Mark the round's live state changed: one UPDATE in the caller's transaction, atomic across
    workers (never read-modify-write in Python)."""
    db.session.execute(sa.update(SpeechRound).where(SpeechRound.id == round_id)
                       .values(state_version=SpeechRound.state_version + 1, state_changed_at=utcnow()))


# Core, not an ORM query: every poll runs it, and the ORM's execution path costs about as much again
# as the read itself (same session, same transaction, so it sees the caller's own changes).
_VERSION = sa.select(SpeechRound.state_version).where(SpeechRound.id == sa.bindparam("round_id"))


def state_version(round_id: int) -> int | None:
    """The round's current state version (one indexed read), None for an unknown round."""
    return db.session.connection().execute(_VERSION, {"round_id": round_id}).scalar()


def state_etag(round_id: int, version: int, *audience: object) -> str:
    """The ETag of one view of the round's state: the round, its version, and whose view it is
    (a judge's tablet, the screen, the audience), so different views never share a cached body."""
    return "-".join(str(part) for part in ("speech", round_id, version, *audience))
