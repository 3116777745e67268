"""The tablet's state poll (304 while nothing changed, per judge, the judge's own sheets only, last
contact written at most every 5 s), the problem flag, and binding a tablet by the QR token."""
from datetime import timedelta

from app.common import clock
from app.extensions import db
from events.speech.models import SpeechJudge, SpeechPanelException, SpeechRound
from events.speech.services import sheets
from events.speech.services.binding import binding_path
from events.speech.services.judging import reissue_binding

SHEET = {"演讲内容": "36.5", "语言表达": "27", "形象风度": "9", "综合印象": "13"}
OTHER = {"演讲内容": "31.7", "语言表达": "22", "形象风度": "7", "综合印象": "11"}  # 71.7


def _state_url(hall):
    return f"/speech/judge/rounds/{hall.round.id}/state"


def _on_stage(hall, index=0):
    hall.slots[index].status = "on_stage"
    hall.round.current_slot_id = hall.slots[index].id
    db.session.commit()


def test_the_state_shows_the_contestant_on_stage_and_only_the_judges_own_sheets(make_contest, client_for):
    hall = make_contest(contestants=3, judges=2)
    _on_stage(hall)
    sheets.submit_judge_sheet(hall.round, hall.slots[0], hall.judges[0], {"scores": SHEET}, actor=hall.judges[0].user)
    sheets.submit_judge_sheet(hall.round, hall.slots[0], hall.judges[1], {"scores": OTHER}, actor=hall.judges[1].user)
    db.session.add(SpeechPanelException(judge_id=hall.judges[0].id, entry_id=hall.entries[2].id, kind="recused",
                                        reason="同单位"))
    db.session.commit()
    response = client_for(hall.judges[0].user).get(_state_url(hall))
    assert response.status_code == 200
    state = response.json
    assert state["current_slot_id"] == hall.slots[0].id
    current = state["slots"][0]
    assert current["name"] == hall.entries[0].member.name and current["unit"] == hall.entries[0].unit.name
    assert current["title"] == "题目1" and current["position"] == 1
    assert current["sheet"]["state"] == "submitted" and current["sheet"]["total"] == "85.5"
    assert state["slots"][2]["excluded"] == "recused"
    assert (state["done"], state["total"]) == (1, 2)  # the recused contestant is not counted
    assert "71.7" not in response.get_data(as_text=True) and "31.7" not in response.get_data(as_text=True)
    page = client_for(hall.judges[0].user).get(f"/speech/judge/rounds/{hall.round.id}").get_data(as_text=True)
    assert "71.7" not in page and "31.7" not in page


def test_an_unchanged_state_answers_304_and_the_etag_is_the_judges_own(make_contest, client_for):
    hall = make_contest(contestants=2, judges=2)
    _on_stage(hall)
    first, second = client_for(hall.judges[0].user), client_for(hall.judges[1].user)
    one, two = first.get(_state_url(hall)), second.get(_state_url(hall))
    assert one.headers["ETag"] != two.headers["ETag"]
    assert "no-cache" in one.headers["Cache-Control"] and "private" in one.headers["Cache-Control"]
    again = first.get(_state_url(hall), headers={"If-None-Match": one.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert first.get(_state_url(hall), headers={"If-None-Match": two.headers["ETag"]}).status_code == 200
    second.post(f"/speech/judge/rounds/{hall.round.id}/slots/{hall.slots[0].id}/sheet", json={"scores": SHEET})
    changed = first.get(_state_url(hall), headers={"If-None-Match": one.headers["ETag"]})
    assert changed.status_code == 200  # a sheet arrived: the version moved on


def test_an_unchanged_poll_costs_a_few_queries(make_contest, client_for, count_queries):
    hall = make_contest(contestants=30, judges=2)
    _on_stage(hall)
    client = client_for(hall.judges[0].user)
    etag = client.get(_state_url(hall)).headers["ETag"]
    with count_queries() as counter:
        assert client.get(_state_url(hall), headers={"If-None-Match": etag}).status_code == 304
    assert counter.count <= 8, counter.statements


def test_last_contact_is_written_at_most_every_five_seconds(make_contest, client_for):
    hall = make_contest(contestants=1, judges=1)
    db.session.commit()
    client = client_for(hall.judges[0].user)
    start = clock.utcnow().replace(microsecond=0)
    with clock.frozen_at(start):
        client.get(_state_url(hall))
        db.session.expire_all()
        assert db.session.get(SpeechJudge, hall.judges[0].id).last_seen_at == start
        clock.advance(timedelta(seconds=3))
        client.get(_state_url(hall))
        db.session.expire_all()
        assert db.session.get(SpeechJudge, hall.judges[0].id).last_seen_at == start
        clock.advance(timedelta(seconds=3))
        client.get(_state_url(hall))
        db.session.expire_all()
        assert db.session.get(SpeechJudge, hall.judges[0].id).last_seen_at == start + timedelta(seconds=6)


def test_state_and_tablet_of_a_round_the_judge_is_not_on_are_not_found(make_contest, client_for, make_staff):
    hall = make_contest(contestants=1, judges=1)
    db.session.commit()
    outsider = client_for(make_staff("judge"))
    assert outsider.get(_state_url(hall)).status_code == 404
    assert outsider.get(f"/speech/judge/rounds/{hall.round.id}").status_code == 404
    assert outsider.post(f"/speech/judge/rounds/{hall.round.id}/problem", json={"problem": "x"}).status_code == 404


def test_the_problem_flag_reaches_the_round_and_can_be_withdrawn(make_contest, client_for):
    hall = make_contest(contestants=1, judges=1)
    db.session.commit()
    version = hall.round.state_version
    client = client_for(hall.judges[0].user)
    response = client.post(f"/speech/judge/rounds/{hall.round.id}/problem", json={"problem": "平板电量不足"})
    assert response.json == {"status": "ok", "problem": "平板电量不足"}
    db.session.expire_all()
    judge = db.session.get(SpeechJudge, hall.judges[0].id)
    assert judge.problem == "平板电量不足" and judge.problem_raised_at is not None
    assert db.session.get(SpeechRound, hall.round.id).state_version == version + 1
    client.post(f"/speech/judge/rounds/{hall.round.id}/problem", data={"problem": ""})
    db.session.expire_all()
    assert db.session.get(SpeechJudge, hall.judges[0].id).problem is None


def test_the_qr_signs_the_tablet_in_as_that_judge_after_a_confirm(make_contest, client):
    hall = make_contest(contestants=1, judges=2)
    db.session.commit()
    path = binding_path(hall.judges[1])
    page = client.get(path)
    assert page.status_code == 200 and hall.judges[1].user.name in page.get_data(as_text=True)
    assert client.get(f"/speech/judge/rounds/{hall.round.id}/state").status_code in (302, 401)  # not yet
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/speech/judge/rounds/{hall.round.id}")
    state = client.get(f"/speech/judge/rounds/{hall.round.id}/state")
    assert state.status_code == 200 and state.json["judge"]["seat"] == 2


def test_a_reissued_qr_revokes_the_printed_one_and_forged_ones_fail(make_contest, client, organiser):
    hall = make_contest(contestants=1, judges=1)
    db.session.commit()
    old = binding_path(hall.judges[0])
    reissue_binding(hall.judges[0], actor=organiser)
    db.session.commit()
    assert client.get(old).status_code == 404
    assert client.post(old).status_code == 404
    assert client.get(old[:-3] + "abc").status_code == 404
    assert client.get(binding_path(hall.judges[0])).status_code == 200
