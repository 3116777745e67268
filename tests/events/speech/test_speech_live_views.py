"""The live pages over HTTP: the organiser draws and runs the hall; the public state answers 304
while unchanged and never carries an unrevealed score; judges, members and liaisons cannot drive
the hall; bad ids are 404s."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from events.speech.models import SpeechDeduction, SpeechRound, SpeechSlot

SHEET = {"演讲内容": "37", "语言表达": "27", "形象风度": "9", "综合印象": "18"}  # 91


def _hall(make_contest, **fields):
    hall = make_contest(**fields)
    db.session.commit()
    return hall


def test_the_organiser_draws_a_round_on_the_page(make_contest, organiser_client):
    hall = make_contest(contestants=4, judges=3)
    for slot in hall.slots:
        db.session.delete(slot)
    hall.round.status = "setup"
    db.session.commit()
    round_id = hall.round.id
    assert organiser_client.get(f"/speech/draw/rounds/{round_id}").status_code == 200
    response = organiser_client.post(f"/speech/draw/rounds/{round_id}", data={"seed": "hall-2026"})
    assert response.status_code == 302
    db.session.expire_all()
    round_ = db.session.get(SpeechRound, round_id)
    assert round_.status == "drawn" and round_.draw_seed == "hall-2026"
    page = organiser_client.get(f"/speech/draw/rounds/{round_id}/verify").get_data(as_text=True)
    assert "核对一致" in page
    printed = organiser_client.get(f"/speech/draw/rounds/{round_id}/print").get_data(as_text=True)
    assert all(entry.member.name in printed for entry in hall.entries)
    again = organiser_client.post(f"/speech/draw/rounds/{round_id}", data={"seed": "other"})
    assert again.status_code == 400 and "已抽签" in again.get_data(as_text=True)


def test_a_physical_draw_is_typed_in_on_the_page(make_contest, organiser_client):
    hall = make_contest(contestants=2, judges=3)
    for slot in hall.slots:
        db.session.delete(slot)
    hall.round.status = "setup"
    db.session.commit()
    first, second = (entry.id for entry in hall.entries)
    url = f"/speech/draw/rounds/{hall.round.id}/manual"
    assert organiser_client.get(url).status_code == 200
    refused = organiser_client.post(url, data={f"n{first}": "1", f"n{second}": "1"})
    assert refused.status_code == 400 and "每个序号只用一次" in refused.get_data(as_text=True)
    assert organiser_client.post(url, data={f"n{first}": "2", f"n{second}": "1"}).status_code == 302
    order = db.session.scalars(sa.select(SpeechSlot.entry_id).where(SpeechSlot.round_id == hall.round.id)
                               .order_by(SpeechSlot.position)).all()
    assert order == [second, first]


def test_the_host_runs_a_contestant_and_the_public_state_follows(make_contest, organiser_client, client):
    hall = _hall(make_contest, contestants=2, judges=3)
    round_id, slot = hall.round.id, hall.slots[0]
    state_url = f"/speech/rounds/{round_id}/state"
    first = client.get(state_url)
    assert first.status_code == 200 and first.json["mode"] == "standby"
    etag = first.headers["ETag"]
    assert client.get(state_url, headers={"If-None-Match": etag}).status_code == 304

    assert organiser_client.get(f"/speech/rounds/{round_id}/host").status_code == 200
    assert organiser_client.post(f"/speech/rounds/{round_id}/host/next").status_code == 302
    on_stage = client.get(state_url, headers={"If-None-Match": etag})
    assert on_stage.status_code == 200 and on_stage.json["current"]["name"] == slot.entry.member.name

    for judge in hall.judges:
        hall.submit(slot, judge, SHEET)
    db.session.commit()
    organiser_client.post(f"/speech/rounds/{round_id}/host/finish")
    before = client.get(state_url)
    assert before.json["progress"] == {"submitted": 3, "expected": 3}
    assert "91" not in before.get_data(as_text=True)
    host_page = organiser_client.get(f"/speech/rounds/{round_id}/host").get_data(as_text=True)
    assert "91.00" in host_page  # the host sees the score before the reveal

    assert organiser_client.post(f"/speech/rounds/{round_id}/host/reveal/{slot.id}").status_code == 302
    after = client.get(state_url).json
    assert after["mode"] == "reveal" and after["reveal"]["final"] == "91.00"
    assert [judge["total"] for judge in after["reveal"]["judges"]] == ["91.0", "91.0", "91.0"]


def test_the_host_state_is_versioned_and_staff_only(make_contest, organiser_client, client_for, make_staff,
                                                    make_member, client):
    hall = _hall(make_contest, contestants=1, judges=3)
    url = f"/speech/rounds/{hall.round.id}/host/state"
    response = organiser_client.get(url)
    assert response.status_code == 200 and "评委状态" in response.json["html"]
    assert organiser_client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    judge, member = make_staff("judge"), make_member()
    db.session.commit()
    for other in (client_for(judge), client_for(member)):
        assert other.get(url).status_code == 403
        assert other.get(f"/speech/rounds/{hall.round.id}/host").status_code == 403
        assert other.post(f"/speech/rounds/{hall.round.id}/host/next").status_code == 403
        assert other.post(f"/speech/rounds/{hall.round.id}/host/reveal/{hall.slots[0].id}").status_code == 403
    assert client.get(url).status_code in (302, 401)


def test_the_timekeeper_records_time_and_deductions(make_contest, organiser_client):
    hall = _hall(make_contest, contestants=1, judges=3)
    round_id, slot_id = hall.round.id, hall.slots[0].id
    page = organiser_client.get(f"/speech/rounds/{round_id}/timer?slot={slot_id}")
    assert page.status_code == 200
    organiser_client.post(f"/speech/rounds/{round_id}/timer/{slot_id}/start")
    organiser_client.post(f"/speech/rounds/{round_id}/timer/{slot_id}/stop", data={"seconds": "8:30"})
    organiser_client.post(f"/speech/rounds/{round_id}/timer/{slot_id}/deductions",
                          data={"points": "0.3", "reason": "使用道具"})
    rows = db.session.scalars(sa.select(SpeechDeduction).where(SpeechDeduction.slot_id == slot_id)
                              .order_by(SpeechDeduction.id)).all()
    assert [(row.kind, str(row.points)) for row in rows] == [("overtime", "0.50"), ("manual", "0.30")]
    bad = organiser_client.post(f"/speech/rounds/{round_id}/timer/{slot_id}/stop", data={"seconds": "abc"},
                                follow_redirects=True)
    assert bad.status_code == 200 and "用时格式不正确" in bad.get_data(as_text=True)
    removed = organiser_client.post(f"/speech/rounds/{round_id}/deductions/{rows[1].id}/remove",
                                    data={"reason": "录错"})
    assert removed.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechDeduction)) == 1


def test_the_screen_and_audience_pages_load_for_anyone(make_contest, client):
    hall = _hall(make_contest, contestants=1, judges=3)
    screen = client.get(f"/speech/rounds/{hall.round.id}/screen?rows=12&page_seconds=6")
    assert screen.status_code == 200
    body = screen.get_data(as_text=True)
    assert 'data-rows="12"' in body and 'data-page-seconds="6"' in body and "<svg" in body
    assert client.get(f"/speech/rounds/{hall.round.id}/screen?rows=9999").status_code == 200
    assert client.get(f"/speech/rounds/{hall.round.id}/watch").status_code == 200


@pytest.mark.parametrize("path", ["/speech/rounds/987654/state", "/speech/rounds/987654/screen",
                                  "/speech/rounds/987654/watch"])
def test_unknown_rounds_are_404(client, path):
    assert client.get(path).status_code == 404


def test_a_slot_of_another_round_is_404(make_contest, organiser_client):
    one, other = _hall(make_contest, contestants=1), _hall(make_contest, contestants=1)
    assert organiser_client.post(f"/speech/rounds/{one.round.id}/host/stage/{other.slots[0].id}").status_code == 404
    assert organiser_client.post(f"/speech/draw/rounds/{one.round.id}/slots/{other.slots[0].id}/move",
                                 data={"position": "1", "reason": "x"}).status_code == 404
    assert organiser_client.get(f"/speech/rounds/{one.round.id}/timer?slot={other.slots[0].id}").status_code == 404


def test_the_member_can_verify_a_draw_but_not_run_one(make_contest, make_member, client_for):
    hall = _hall(make_contest, contestants=2)
    hall.round.draw_seed, hall.round.draw_algorithm = "s", "sha256-shuffle/v1"
    member = make_member()
    db.session.commit()
    member_client = client_for(member)
    assert member_client.get(f"/speech/draw/rounds/{hall.round.id}/verify").status_code == 200
    assert member_client.get(f"/speech/draw/rounds/{hall.round.id}").status_code == 403
    assert member_client.post(f"/speech/draw/rounds/{hall.round.id}", data={"seed": "x"}).status_code == 403
