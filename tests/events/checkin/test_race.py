"""Unique (event, member, kind) in the database: racing requests make one row, on SQLite and on
PostgreSQL (threads released together; the loser's INSERT fails in a savepoint and reads the winner's)."""
import sqlalchemy as sa

from app.extensions import db
from events.checkin.models import CheckinInvitee, CheckinRecord
from events.checkin.services import codes, recording
from events.checkin.services.recording import Scanner
from tests.support import log_in


def test_one_member_scanning_from_several_phones_at_once_makes_one_record(app, checkin_clock, make_event, hall,
                                                                         run_concurrently):
    event = make_event()
    member = hall["people"][0]
    url = f"/checkin/e/{event.id}/{codes.venue_token(event, 'check_in', codes.current_slot(event))}"
    phones = [log_in(app.test_client(), member) for _ in range(6)]
    db.session.commit()
    results = run_concurrently(lambda index: phones[index].get(url).status_code, 6)
    assert results == [200] * 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinRecord)) == 1
    # the invitee snapshot, taken by whichever came first, exactly once
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinInvitee)) == 5


def test_the_insert_that_loses_the_race_returns_the_winners_record(app, checkin_clock, make_event, hall,
                                                                  monkeypatch):
    """Both requests passed the 'already checked in?' read before either wrote: the database decides."""
    event = make_event()
    member = hall["people"][0]
    first = recording.record_checkin(event, member, kind="check_in", method="venue_code", scanner=Scanner())
    db.session.commit()
    monkeypatch.setattr(recording, "existing_record", _none_once(recording.existing_record))
    second = recording.record_checkin(event, member, kind="check_in", method="member_code", scanner=Scanner())
    db.session.commit()
    assert second.already and second.record.id == first.record.id and second.record.method == "venue_code"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinRecord)) == 1


def _none_once(real):
    calls = []

    def fake(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    return fake
