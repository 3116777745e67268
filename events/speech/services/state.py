"""The hall's live state versions: each view polls its own version and gets 304 while it is unchanged.

- `state_version`: every change a live page shows (host console, judges' tablets);
- `screen_version`: what the big screen shows (mode, who is on stage, the progress line of the
  contestant on stage, revealed scores and the leaderboard over them, the draw);
- `audience_version`: what the audience's phones show (the same without the progress line), so
  300 phones get 304s while the judges submit.

All three move in one UPDATE in the caller's transaction (atomic across workers and app servers,
never read-modify-write in Python); a change to one slot's scores bumps a public view only when that
view shows them, decided in the same statement from the round and slot rows.
"""
import sqlalchemy as sa

from app.common.clock import utcnow
from app.common.forms import INTEGER_LIMIT
from app.extensions import db
from events.speech.models import SpeechRound, SpeechSlot

HOST, SCREEN, AUDIENCE = "host", "screen", "audience"
VIEW_COLUMNS = {HOST: SpeechRound.state_version, SCREEN: SpeechRound.screen_version,
                AUDIENCE: SpeechRound.audience_version}


def _plus(column, condition):
    """`column + 1`, or `+ 1` only where the SQL `condition` holds."""
    if condition is True:
        return column + 1
    if condition is False:
        return column
    return column + sa.case((condition, 1), else_=0)


def bump_state(round_id: int, *, screen=True, audience=True) -> None:
    """Mark the round's live state changed: the full version always, the big screen's and the
    audience's when `screen` / `audience` (True, False, or a SQL condition on the round row)."""
    db.session.execute(sa.update(SpeechRound).where(SpeechRound.id == round_id).values(
        state_version=SpeechRound.state_version + 1, state_changed_at=utcnow(),
        screen_version=_plus(SpeechRound.screen_version, screen),
        audience_version=_plus(SpeechRound.audience_version, audience)))


def bump_host(round_id: int) -> None:
    """A change only the host console and the tablets show (a judge's problem flag, the running clock)."""
    bump_state(round_id, screen=False, audience=False)


def bump_scores(round_id: int, slot_id: int, *, progress: bool) -> None:
    """One slot's scores changed (a sheet in or unlocked, a judge marked absent: `progress`; or a
    deduction): the public views show them only once the slot is revealed, and the big screen
    shows the progress line of the contestant on stage."""
    revealed = sa.exists().where(SpeechSlot.id == slot_id, SpeechSlot.revealed_at.is_not(None))
    on_stage = SpeechRound.current_slot_id == slot_id
    bump_state(round_id, screen=sa.or_(revealed, on_stage) if progress else revealed, audience=revealed)


def version_statement(view: str):
    """The one indexed read of a view's version (Core, not ORM: every poll runs it)."""
    return sa.select(VIEW_COLUMNS[view]).where(SpeechRound.id == sa.bindparam("round_id"))


_VERSIONS = {view: version_statement(view) for view in VIEW_COLUMNS}


def state_version(round_id: int, view: str = HOST) -> int | None:
    """A view's current version of the round (one indexed read on the request's connection, so it
    sees the caller's own changes), None for an unknown round (an id past the database's integers too)."""
    if not 0 < round_id <= INTEGER_LIMIT:
        return None
    return db.session.connection().execute(_VERSIONS[view], {"round_id": round_id}).scalar()


def state_etag(round_id: int, version: int, *audience: object) -> str:
    """The ETag of one view of the round's state: the round, its version, and whose view it is
    (a judge's tablet, the screen, the audience, the locale), so different views never share a body."""
    return "-".join(str(part) for part in ("speech", round_id, version, *audience))
