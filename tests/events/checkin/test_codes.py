"""Venue, static and member codes: rotation, expiry, tampering, the wrong event, replay after expiry,
two displays and a refresh, revocation. Ages are judged by the app's clock."""
from datetime import timedelta

import pytest

from app.extensions import db
from events.checkin.services import codes
from events.checkin.services.codes import CodeRefused


def refusal(function, *args):
    with pytest.raises(CodeRefused) as refused:
        function(*args)
    return refused.value.reason


def test_two_displays_and_a_refresh_in_one_slot_show_the_same_valid_code(checkin_clock, make_event):
    event = make_event()
    slot = codes.current_slot(event)
    first, second = codes.venue_token(event, "check_in", slot), codes.venue_token(event, "check_in", slot)
    checkin_clock.advance(timedelta(seconds=3))  # the refresh, a little later in the same slot
    again = codes.venue_token(event, "check_in", codes.current_slot(event))
    assert first == second == again
    assert codes.read_venue_token(first, event).kind == "check_in"


def test_the_code_rotates_and_the_previous_one_survives_its_grace(checkin_clock, make_event, app):
    event = make_event(rotation_seconds=30)
    slot = codes.current_slot(event)
    old = codes.venue_token(event, "check_in", slot)
    checkin_clock.advance(timedelta(seconds=codes.seconds_to_next_slot(event) + 1))
    new = codes.venue_token(event, "check_in", codes.current_slot(event))
    assert new != old
    assert codes.read_venue_token(old, event).event_id == event.id  # the display's old code still works
    assert codes.read_venue_token(new, event).tail is False
    # the old code's life: its slot (30 s) plus the grace (30 s), counted from its slot's start
    checkin_clock.advance(timedelta(seconds=60))
    assert refusal(codes.read_venue_token, old, event) == "expired"
    assert refusal(codes.read_venue_token, new, event) == "expired"  # replay after expiry


def test_the_last_seconds_of_a_code_are_marked_as_its_tail(checkin_clock, make_event):
    event = make_event(rotation_seconds=30)
    slot = codes.current_slot(event)
    token = codes.venue_token(event, "check_in", slot)
    start = codes.slot_start(event, slot)
    with checkin_clock.frozen_at(start + timedelta(seconds=57)):
        assert codes.read_venue_token(token, event).tail is True
    with checkin_clock.frozen_at(start + timedelta(seconds=40)):
        assert codes.read_venue_token(token, event).tail is False


def test_tampered_forged_and_foreign_codes_are_refused(checkin_clock, make_event, make_member):
    event, other = make_event(), make_event()
    token = codes.venue_token(event, "check_in", codes.current_slot(event))
    payload, stamp, signature = token.split(".")
    tampered = ".".join((payload, stamp, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")))
    assert refusal(codes.read_venue_token, tampered, event) == "invalid"
    assert refusal(codes.read_venue_token, token[:-5], event) == "invalid"
    assert refusal(codes.read_venue_token, "not-a-token", event) == "invalid"
    assert refusal(codes.read_venue_token, codes.member_token(make_member()), event) == "invalid"  # other purpose
    assert refusal(codes.read_venue_token, token, other) == "wrong_event"


def test_a_code_signed_in_the_future_is_refused(checkin_clock, make_event):
    event = make_event()
    future = codes.venue_token(event, "check_in", codes.current_slot(event) + 10)
    assert refusal(codes.read_venue_token, future, event) == "invalid"


def test_static_codes_follow_the_organisers_switch_and_version(checkin_clock, make_event):
    event = make_event(allow_static_code=True)
    token = codes.static_token(event)
    assert codes.read_static_token(token, event).method == "static_code"
    event.static_code_version += 1
    db.session.commit()
    assert refusal(codes.read_static_token, token, event) == "revoked"
    event.allow_static_code = False
    db.session.commit()
    assert refusal(codes.read_static_token, codes.static_token(event), event) == "static_off"
    venue = codes.venue_token(event, "check_in", codes.current_slot(event))
    assert refusal(codes.read_static_token, venue, event) == "invalid"  # another purpose


def test_member_codes_are_revoked_by_reissuing(checkin_clock, make_member):
    member = make_member()
    token = codes.member_token(member)
    assert codes.read_member_token(token) == member.id
    assert codes.reissue_member_code(member) == 2
    db.session.commit()
    assert refusal(codes.read_member_token, token) == "revoked"
    assert codes.read_member_token(codes.member_token(member)) == member.id
    current = codes.member_token(member)
    checkin_clock.advance(timedelta(days=401))
    assert refusal(codes.read_member_token, current) == "expired"
