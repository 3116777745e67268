"""The public live polls: the big screen and the audience each poll their own version, so a judge's
submit leaves the 300 phones on 304s; the host's next contestant and reveals change them; a current
poll is a bare 304 from one read before Flask; the public pages and states need no sign-in and
never carry an unrevealed score."""
import pytest

from app.extensions import db
from events.speech.models import SpeechRound, SpeechSheet
from events.speech.services import live, sheets

SHEET = {"演讲内容": "37", "语言表达": "27", "形象风度": "9", "综合印象": "18"}  # 91


def _urls(round_id: int) -> dict[str, str]:
    return {"screen": f"/speech/rounds/{round_id}/state?lang=zh",
            "audience": f"/speech/rounds/{round_id}/watch/state?lang=zh",
            "host": f"/speech/rounds/{round_id}/host/state"}


def _etags(urls, client, organiser_client) -> dict[str, str]:
    tags = {}
    for view, url in urls.items():
        response = (organiser_client if view == "host" else client).get(url)
        assert response.status_code == 200, (view, response.status_code)
        tags[view] = response.headers["ETag"]
    return tags


def _submit(hall, slot, judge):
    round_ = db.session.get(SpeechRound, hall.round.id)
    sheets.submit_judge_sheet(round_, slot, judge, {"scores": SHEET}, actor=judge.user)
    db.session.commit()


@pytest.fixture
def hall(make_contest):
    hall = make_contest(contestants=2, judges=3)
    db.session.commit()
    return hall


def test_a_judges_submit_leaves_the_audience_etag_and_changes_the_screen_and_host(hall, client, organiser_client,
                                                                                organiser):
    live.put_on_stage(organiser, hall.round, hall.slots[0])
    db.session.commit()
    urls = _urls(hall.round.id)
    before = _etags(urls, client, organiser_client)
    _submit(hall, hall.slots[0], hall.judges[0])
    after = _etags(urls, client, organiser_client)
    assert after["audience"] == before["audience"]
    assert client.get(urls["audience"], headers={"If-None-Match": before["audience"]}).status_code == 304
    assert after["screen"] != before["screen"]  # "评委 1/3 已提交"
    assert client.get(urls["screen"]).json["progress"] == {"submitted": 1, "expected": 3}
    assert after["host"] != before["host"]
    assert "progress" not in client.get(urls["audience"]).json or client.get(urls["audience"]).json["progress"] is None


def test_the_next_contestant_and_a_reveal_change_the_audience_etag(hall, client, organiser_client):
    urls = _urls(hall.round.id)
    standby = client.get(urls["audience"]).headers["ETag"]
    assert organiser_client.post(f"/speech/rounds/{hall.round.id}/host/next").status_code == 302
    on_stage = client.get(urls["audience"], headers={"If-None-Match": standby})
    assert on_stage.status_code == 200 and on_stage.json["current"]["slot_id"] == hall.slots[0].id
    for judge in hall.judges:
        _submit(hall, hall.slots[0], judge)
    assert client.get(urls["audience"], headers={"If-None-Match": on_stage.headers["ETag"]}).status_code == 304
    assert organiser_client.post(f"/speech/rounds/{hall.round.id}/host/reveal/{hall.slots[0].id}").status_code == 302
    revealed = client.get(urls["audience"], headers={"If-None-Match": on_stage.headers["ETag"]})
    assert revealed.status_code == 200 and revealed.json["reveal"]["final"] == "91.00"
    assert organiser_client.post(f"/speech/rounds/{hall.round.id}/host/next").status_code == 302
    second = client.get(urls["audience"], headers={"If-None-Match": revealed.headers["ETag"]})
    assert second.status_code == 200 and second.json["current"]["slot_id"] == hall.slots[1].id


def test_a_deduction_changes_the_public_views_only_once_the_slot_is_revealed(hall, client, organiser):
    urls = _urls(hall.round.id)
    slot = hall.slots[0]
    live.put_on_stage(organiser, hall.round, slot)
    db.session.commit()
    tags = {view: client.get(urls[view]).headers["ETag"] for view in ("screen", "audience")}
    live.add_deduction(organiser, hall.round, slot, "0.5", "使用道具")
    db.session.commit()
    assert {view: client.get(urls[view]).headers["ETag"] for view in ("screen", "audience")} == tags
    for judge in hall.judges:
        _submit(hall, slot, judge)
    live.reveal(organiser, db.session.get(SpeechRound, hall.round.id), slot)
    db.session.commit()
    revealed = client.get(urls["audience"])
    assert revealed.json["reveal"]["final"] == "90.50"
    live.add_deduction(organiser, db.session.get(SpeechRound, hall.round.id), slot, "0.3", "超出范围")
    db.session.commit()
    again = client.get(urls["audience"], headers={"If-None-Match": revealed.headers["ETag"]})
    assert again.status_code == 200 and again.json["reveal"]["final"] == "90.20"


def test_a_corrected_sheet_of_a_revealed_contestant_changes_the_audience(hall, client, organiser):
    slot = hall.slots[0]
    live.put_on_stage(organiser, hall.round, slot)
    for judge in hall.judges:
        _submit(hall, slot, judge)
    live.reveal(organiser, db.session.get(SpeechRound, hall.round.id), slot)
    db.session.commit()
    url = _urls(hall.round.id)["audience"]
    revealed = client.get(url)
    assert revealed.json["reveal"] is not None
    sheet = db.session.scalars(db.select(SpeechSheet).where(SpeechSheet.slot_id == slot.id)).first()
    sheets.unlock_judge_sheet(db.session.get(SpeechRound, hall.round.id), sheet, actor=organiser, reason="录错")
    db.session.commit()
    unlocked = client.get(url, headers={"If-None-Match": revealed.headers["ETag"]})
    assert unlocked.status_code == 200
    judge = next(judge for judge in hall.judges if judge.id == sheet.judge_id)
    sheets.submit_judge_sheet(db.session.get(SpeechRound, hall.round.id), slot, judge,
                              {"scores": {**SHEET, "演讲内容": "36"}}, actor=judge.user)
    db.session.commit()
    corrected = client.get(url, headers={"If-None-Match": unlocked.headers["ETag"]})
    assert corrected.status_code == 200 and corrected.json["reveal"]["final"] == "90.67"


def test_a_current_poll_is_a_bare_304_from_one_read_before_flask(hall, client, client_for, count_queries):
    urls = _urls(hall.round.id)
    signed_in = client_for(hall.judges[0].user)  # a cookie does not make it load the user
    for view in ("screen", "audience"):
        first = client.get(urls[view])
        assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=1"
        for poller in (client, signed_in):
            with count_queries() as queries:
                again = poller.get(urls[view], headers={"If-None-Match": first.headers["ETag"]})
            assert again.status_code == 304 and again.get_data() == b""
            reads = [statement for statement in queries.statements if statement.strip().upper() != "BEGIN"]
            assert len(reads) == 1 and "speech_rounds" in reads[0], queries.statements
            assert again.headers["ETag"] == first.headers["ETag"]
            assert again.headers["Cache-Control"] == "public, max-age=0, s-maxage=1"
            assert "Set-Cookie" not in again.headers and "Vary" not in again.headers
    stale = client.get(urls["audience"], headers={"If-None-Match": '"speech-1-0-audience-zh"'})
    assert stale.status_code == 200 and stale.json["view"] == "audience"


def test_the_state_speaks_the_language_in_its_url_and_nothing_else(hall, client, organiser):
    from events.speech.services import screen

    screen.forget_memo()
    slot = hall.slots[0]
    live.put_on_stage(organiser, hall.round, slot)
    for judge in hall.judges:
        _submit(hall, slot, judge)
    live.reveal(organiser, db.session.get(SpeechRound, hall.round.id), slot)
    live.set_screen_mode(organiser, db.session.get(SpeechRound, hall.round.id), "leaderboard")
    db.session.commit()
    base = f"/speech/rounds/{hall.round.id}/watch/state"
    english = client.get(base + "?lang=en", headers={"Accept-Language": "zh"})
    chinese = client.get(base + "?lang=zh", headers={"Accept-Language": "en"})
    assert english.json["leaderboard"]["rows"][0]["award"] == "First prize"
    assert chinese.json["leaderboard"]["rows"][0]["award"] == "一等奖"
    assert english.headers["ETag"] != chinese.headers["ETag"]
    unknown = client.get(base + "?lang=xx", headers={"Accept-Language": "en"})
    assert unknown.headers["ETag"] == chinese.headers["ETag"]  # the default language, not the browser's
    assert client.get(base + "?lang=en", headers={"If-None-Match": chinese.headers["ETag"]}).status_code == 200


def test_public_pages_and_states_need_no_sign_in_and_hold_no_unrevealed_score(hall, client, organiser):
    round_id = hall.round.id
    slot = hall.slots[0]
    live.put_on_stage(organiser, hall.round, slot)
    for judge in hall.judges:
        _submit(hall, slot, judge)
    live.finish_current(organiser, db.session.get(SpeechRound, round_id))
    db.session.commit()
    pages = {"screen": f"/speech/rounds/{round_id}/screen", "watch": f"/speech/rounds/{round_id}/watch"}
    for url in pages.values():
        page = client.get(url)
        assert page.status_code == 200
        assert "91.0" not in page.get_data(as_text=True)
    for view, url in _urls(round_id).items():
        if view == "host":
            assert client.get(url).status_code in (302, 401)
            continue
        state = client.get(url)
        assert state.status_code == 200
        body = state.get_data(as_text=True)
        assert state.json["reveal"] is None and "91.0" not in body and '"total"' not in body and '"final"' not in body
        assert state.json["current"]["name"] == slot.entry.member.name
    assert client.get(_urls(round_id)["screen"]).json["progress"] == {"submitted": 3, "expected": 3}
    watch_page = client.get(pages["watch"]).get_data(as_text=True)
    assert f"/speech/rounds/{round_id}/watch/state?lang=" in watch_page


@pytest.mark.parametrize("path", ["/speech/rounds/987654/watch/state", "/speech/rounds/9876543210123/state"])
def test_unknown_rounds_polled_with_an_etag_are_404(client, path):
    assert client.get(path, headers={"If-None-Match": '"speech-987654-1-screen-zh"'}).status_code == 404


def test_a_changed_state_is_built_once_per_worker_and_replayed_to_the_next_phones(hall, client, client_for,
                                                                                 organiser, count_queries):
    """The 300 phones that poll within a second of the host's next contestant cost one build: the
    next phone gets the same 200 (body and headers) from the one version read, before Flask."""
    url = _urls(hall.round.id)["audience"]
    standby = client.get(url).headers["ETag"]
    live.put_on_stage(organiser, hall.round, hall.slots[0])
    db.session.commit()
    with count_queries() as built:
        first = client.get(url, headers={"If-None-Match": standby})
    assert first.status_code == 200 and first.json["current"]["slot_id"] == hall.slots[0].id
    assert len(built.statements) > 1
    for phone in (client, client_for(hall.judges[1].user)):
        for headers in ({"If-None-Match": standby}, {}):  # a phone that saw the standby, one just opened
            with count_queries() as replayed:
                again = phone.get(url, headers=headers)
            reads = [statement for statement in replayed.statements if statement.strip().upper() != "BEGIN"]
            assert len(reads) == 1 and "speech_rounds" in reads[0], replayed.statements
            assert again.status_code == 200 and again.get_data() == first.get_data()
            assert {name: value for name, value in again.headers if name != "Date"} == {
                name: value for name, value in first.headers if name != "Date"}
    live.put_on_stage(organiser, db.session.get(SpeechRound, hall.round.id), hall.slots[1])
    db.session.commit()
    moved = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200 and moved.json["current"]["slot_id"] == hall.slots[1].id


def test_the_poll_layer_replays_only_a_cookie_free_200_tagged_with_the_etag_it_read(app):
    from werkzeug.test import Client

    from app.common.http import NotModifiedBeforeFlask

    version = {"now": 1}
    calls = []

    def inner(environ, start_response):
        calls.append(environ["PATH_INFO"])
        headers = [("Content-Type", "application/json"), ("ETag", f'"v{version["now"]}"')]
        if environ["PATH_INFO"] == "/cookie":
            headers.append(("Set-Cookie", "session=x"))
        if environ["PATH_INFO"] == "/other-tag":
            headers[1] = ("ETag", '"v0"')
        start_response("200 OK", headers)
        return [f'{{"v": {version["now"]}}}'.encode()]

    layer = NotModifiedBeforeFlask(app, inner, lambda path, query: path, lambda connection, key: f"v{version['now']}",
                                   "no-cache", remember=2)
    browser = Client(layer)
    for path in ("/state", "/cookie", "/other-tag"):
        assert browser.get(path).get_data() == b'{"v": 1}'
        assert browser.get(path).get_data() == b'{"v": 1}'
    assert calls == ["/state", "/cookie", "/cookie", "/other-tag", "/other-tag"]
    assert browser.get("/state", headers={"If-None-Match": '"v1"'}).status_code == 304
    version["now"] = 2
    assert browser.get("/state").get_data() == b'{"v": 2}' and calls[-1] == "/state"
    assert browser.get("/state").get_data() == b'{"v": 2}' and len(calls) == 6
