"""The draft a tablet reports on its state poll: recorded on the judge's seat (one UPDATE, only when
it changed or with the 5-second contact throttle), shown on the host console as 草稿未提交 / 等待中 /
已提交 and as a draft left on an earlier contestant; it changes the host's ETag and never the big
screen's or the audience's."""
from datetime import timedelta

import pytest

from app.common import clock
from app.extensions import db
from events.speech.models import SpeechJudge, SpeechRound
from events.speech.services import live, screen, sheets

SHEET = {"演讲内容": "36", "语言表达": "27", "形象风度": "9", "综合印象": "18"}


@pytest.fixture
def hall(make_contest, organiser):
    hall = make_contest(contestants=3, judges=3)
    live.put_on_stage(organiser, hall.round, hall.slots[0])
    db.session.commit()
    return hall


def _poll(client_for, hall, judge, draft=None, **headers):
    url = f"/speech/judge/rounds/{hall.round.id}/state"
    if draft is not None:
        url += f"?draft={draft}"
    return client_for(judge.user).get(url, headers=headers)


def _host_states(hall) -> dict[int, dict]:
    db.session.expire_all()
    view = screen.host_view(db.session.get(SpeechRound, hall.round.id))
    return {row["seat"]: row for row in view["judges"]}


def _seat(judge) -> SpeechJudge:
    db.session.expire_all()
    return db.session.get(SpeechJudge, judge.id)


def _host_page(organiser_client, hall) -> str:
    response = organiser_client.get(f"/speech/rounds/{hall.round.id}/host/state")
    assert response.status_code == 200
    return response.json["html"]


def test_a_reported_draft_shows_on_the_host_console_until_the_sheet_is_in(hall, client_for, organiser_client):
    first, second, third = hall.judges
    slot = hall.slots[0]
    assert _poll(client_for, hall, first, draft=slot.id).status_code == 200
    assert _poll(client_for, hall, second, draft="").status_code == 200
    _poll(client_for, hall, third)  # an older page that says nothing about drafts
    assert _seat(first).draft_slot_id == slot.id and _seat(first).draft_seen_at is not None
    states = _host_states(hall)
    assert [states[seat]["state"] for seat in (1, 2, 3)] == ["draft", "waiting", "waiting"]
    assert all(states[seat]["seen_ago"] is not None for seat in (1, 2, 3))
    html = _host_page(organiser_client, hall)
    assert html.count("草稿未提交") == 1 and html.count("等待中") == 2

    sheets.submit_judge_sheet(db.session.get(SpeechRound, hall.round.id), slot, first, {"scores": SHEET},
                              actor=first.user)
    db.session.commit()
    state = _host_states(hall)[1]  # the tablet has not polled since: the sheet wins over the stale flag
    assert state["state"] == "submitted" and state["submitted_at"] and state["draft_elsewhere"] is None
    assert "已提交" in _host_page(organiser_client, hall)
    _poll(client_for, hall, first, draft="")
    assert _seat(first).draft_slot_id is None


def test_a_draft_left_on_an_earlier_contestant_is_a_warning_for_that_judge(hall, client_for, organiser,
                                                                           organiser_client):
    first = hall.judges[0]
    _poll(client_for, hall, first, draft=hall.slots[0].id)
    live.put_on_stage(organiser, db.session.get(SpeechRound, hall.round.id), hall.slots[1])
    db.session.commit()
    state = _host_states(hall)[1]
    assert state["state"] == "waiting"
    assert state["draft_elsewhere"] == {"position": hall.slots[0].position, "rehearsal": False}
    assert f"草稿停留在第 {hall.slots[0].position} 位选手" in _host_page(organiser_client, hall)


def test_a_slot_of_another_round_or_junk_is_no_draft(hall, make_contest, client_for):
    other = make_contest(contestants=1, judges=1)
    db.session.commit()
    first = hall.judges[0]
    assert _poll(client_for, hall, first, draft=other.slots[0].id).status_code == 200
    assert _seat(first).draft_slot_id is None
    for junk in ("abc", "-1", "99999999999999999999", "²"):
        assert _poll(client_for, hall, first, draft=junk).status_code == 200
    assert _seat(first).draft_slot_id is None


def test_a_draft_change_moves_the_hosts_etag_and_not_the_public_ones(hall, client, client_for, organiser_client):
    urls = {"screen": f"/speech/rounds/{hall.round.id}/state?lang=zh",
            "audience": f"/speech/rounds/{hall.round.id}/watch/state?lang=zh",
            "host": f"/speech/rounds/{hall.round.id}/host/state"}

    def etags():
        return {view: (organiser_client if view == "host" else client).get(url).headers["ETag"]
                for view, url in urls.items()}

    first, slot = hall.judges[0], hall.slots[0]
    start = clock.utcnow().replace(microsecond=0)
    with clock.frozen_at(start):
        _poll(client_for, hall, first, draft="")
        before = etags()
        clock.advance(timedelta(seconds=1))  # inside the contact's 5-second step: only the draft moves the host
        tablet = _poll(client_for, hall, first, draft=slot.id)
        after = etags()
        assert after["screen"] == before["screen"] and after["audience"] == before["audience"]
        assert after["host"] != before["host"]
        assert organiser_client.get(urls["host"], headers={"If-None-Match": before["host"]}).status_code == 200
        # the tablet's own state is unchanged by its own draft report
        assert _poll(client_for, hall, first, draft=slot.id, **{"If-None-Match": tablet.headers["ETag"]}).status_code == 304
        clock.advance(timedelta(seconds=1))
        _poll(client_for, hall, first, draft="")
        cleared = etags()
        assert cleared["host"] not in (before["host"], after["host"])
        assert (cleared["screen"], cleared["audience"]) == (before["screen"], before["audience"])


def test_an_unchanged_draft_is_not_written_again_within_five_seconds(hall, client_for, count_queries):
    first, slot_id = hall.judges[0], hall.slots[0].id
    tablet = client_for(first.user)
    url = f"/speech/judge/rounds/{hall.round.id}/state"
    start = clock.utcnow().replace(microsecond=0)
    with clock.frozen_at(start):
        etag = tablet.get(url).headers["ETag"]
        with count_queries() as plain:
            assert tablet.get(url, headers={"If-None-Match": etag}).status_code == 304
        tablet.get(f"{url}?draft={slot_id}")
        assert _seat(first).draft_seen_at == start
        clock.advance(timedelta(seconds=2))
        with count_queries() as drafted:
            assert tablet.get(f"{url}?draft={slot_id}", headers={"If-None-Match": etag}).status_code == 304
        assert drafted.count <= plain.count, drafted.statements
        seat = _seat(first)
        assert (seat.draft_slot_id, seat.draft_seen_at, seat.last_seen_at) == (slot_id, start, start)
        clock.advance(timedelta(seconds=4))  # the contact throttle writes again; the draft's time stays
        tablet.get(f"{url}?draft={slot_id}")
        seat = _seat(first)
        assert (seat.draft_seen_at, seat.last_seen_at) == (start, start + timedelta(seconds=6))
