"""The organiser's panel set-up: seating judges (judge role, free seat, once per round), groups and the
chief judge, same-unit recusal suggestions and declared conflicts, removing a judge without sheets,
the binding QR page; and a walk of every judging route with real ids (no 500, roles refused)."""
import pytest

from app.common.problems import Problem
from app.extensions import db
from events.speech.models import SpeechJudge, SpeechPanelException
from events.speech.services import judging, sheets
from tests.security.routes import STATE_CHANGING, routes, sign_in_directly, url_for_route

SHEET = {"演讲内容": "36.5", "语言表达": "27", "形象风度": "9", "综合印象": "13"}


def test_seating_a_judge_over_http(make_contest, make_staff, organiser_client):
    hall = make_contest(contestants=1, judges=1)
    db.session.commit()
    newcomer = make_staff("judge", name="新评委")
    url = f"/speech/judging/rounds/{hall.round.id}/panel"
    page = organiser_client.get(url).get_data(as_text=True)
    assert "新评委" in page and 'value="2"' in page  # the next free seat is suggested
    taken = organiser_client.post(url, data={"user_id": newcomer.id, "seat": 1, "group": ""})
    assert taken.status_code == 400 and "1号席位已有评委" in taken.get_data(as_text=True)
    response = organiser_client.post(url, data={"user_id": newcomer.id, "seat": 2, "group": "专家评委",
                                                "is_chief": "y"})
    assert response.status_code == 302
    judge = db.session.scalars(db.select(SpeechJudge).where(SpeechJudge.user_id == newcomer.id)).one()
    assert (judge.seat, judge.group, judge.is_chief) == (2, "专家评委", True) and len(judge.binding_secret) == 16
    again = organiser_client.post(url, data={"user_id": newcomer.id, "seat": 3})
    assert again.status_code == 400 and "已在本轮评委席中" in again.get_data(as_text=True)


def test_only_accounts_with_the_judge_role_are_seated(make_contest, make_member, organiser):
    hall = make_contest(contestants=1, judges=0)
    with pytest.raises(Problem):
        judging.seat_judge(hall.round, judging.SeatInput(make_member().id, 1), actor=organiser)
    with pytest.raises(Problem):
        judging.seat_judge(hall.round, judging.SeatInput(organiser.id, 0), actor=organiser)


def test_same_unit_judges_are_suggested_for_recusal_and_recorded_on_request(make_contest, make_staff, organiser):
    hall = make_contest(contestants=3, judges=1, units=3)
    colleague = make_staff("judge", unit=hall.units[1], name="同单位评委")
    judge = judging.seat_judge(hall.round, judging.SeatInput(colleague.id, 2), actor=organiser)
    suggestions = judging.same_unit_suggestions(hall.round)
    assert [(s_judge.id, entry.id) for s_judge, entry in suggestions] == [(judge.id, hall.entries[1].id)]
    assert judging.apply_suggestions(hall.round, actor=organiser) == 1
    exception = db.session.scalars(db.select(SpeechPanelException)).one()
    assert (exception.kind, exception.reason, exception.entry_id) == ("recused", "同单位", hall.entries[1].id)
    assert judging.same_unit_suggestions(hall.round) == []
    with pytest.raises(sheets.ScoringRefused):
        sheets.submit_judge_sheet(hall.round, hall.slots[1], judge, {"scores": SHEET}, actor=colleague)


def test_a_declared_conflict_needs_a_reason_and_can_be_withdrawn(make_contest, organiser_client):
    hall = make_contest(contestants=2, judges=2)
    db.session.commit()
    url = f"/speech/judging/rounds/{hall.round.id}/recusals"
    form = {"recusal-judge_id": hall.judges[0].id, "recusal-entry_id": hall.entries[1].id}
    assert organiser_client.post(url, data={**form, "recusal-reason": ""}).status_code == 400
    assert organiser_client.post(url, data={**form, "recusal-reason": "师生关系"}).status_code == 302
    assert organiser_client.post(url, data={**form, "recusal-reason": "再次"}).status_code == 400
    exception = db.session.scalars(db.select(SpeechPanelException)).one()
    assert exception.reason == "师生关系"
    response = organiser_client.post(f"/speech/judging/rounds/{hall.round.id}/exceptions/{exception.id}/remove")
    assert response.status_code == 302
    assert db.session.scalars(db.select(SpeechPanelException)).all() == []


def test_a_judge_with_sheets_stays_on_the_panel(make_contest, organiser):
    hall = make_contest(contestants=1, judges=2)
    sheets.submit_judge_sheet(hall.round, hall.slots[0], hall.judges[0], {"scores": SHEET}, actor=hall.judges[0].user)
    with pytest.raises(Problem):
        judging.unseat_judge(hall.judges[0], actor=organiser)
    judging.unseat_judge(hall.judges[1], actor=organiser)
    db.session.flush()
    assert [judge.seat for judge in db.session.scalars(db.select(SpeechJudge))] == [1]


def test_the_qr_page_shows_the_binding_address(make_contest, organiser_client):
    hall = make_contest(contestants=1, judges=1)
    db.session.commit()
    page = organiser_client.get(f"/speech/judging/rounds/{hall.round.id}/judges/{hall.judges[0].id}/qr")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)


# ---------------------------------------------------------------- every judging route with real ids

ORGANISER_ONLY = "speech.judging."
JUDGE_AREA = "speech.judge."


@pytest.mark.app_config(PROPAGATE_UNEXPECTED=False)
def test_every_judging_route_with_real_ids_refuses_the_wrong_people_and_never_fails(
        app, make_contest, make_staff, make_member, make_unit):
    hall = make_contest(contestants=2, judges=2)
    sheet = sheets.submit_judge_sheet(hall.round, hall.slots[0], hall.judges[0], {"scores": SHEET},
                                      actor=hall.judges[0].user).sheet
    exception = SpeechPanelException(judge_id=hall.judges[1].id, entry_id=hall.entries[1].id, kind="recused",
                                     reason="同单位")
    db.session.add(exception)
    db.session.commit()
    from events.speech.services.binding import binding_token

    values = {"round_id": hall.round.id, "slot_id": hall.slots[0].id, "judge_id": hall.judges[1].id,
              "sheet_id": sheet.id, "exception_id": exception.id, "token": binding_token(hall.judges[0])}
    people = {"member": make_member(), "liaison": make_staff("liaison", unit=make_unit()),
              "outsider_judge": make_staff("judge"), "seated_judge": hall.judges[1].user,
              "organiser": make_staff("organiser"), "admin": make_staff("admin")}
    walked = [route for route in routes(app) if route.endpoint.startswith(("speech.judging.", "speech.judge."))]
    assert len(walked) >= 20
    problems = []
    for route in walked:
        url = url_for_route(app, route, values)
        for who, user in people.items():
            client = sign_in_directly(app, user)
            response = client.open(url, method=route.method, data={} if route.method in STATE_CHANGING else None)
            status = response.status_code
            if status >= 500:
                problems.append(f"{route} as {who}: {status}")
            organiser_route = route.endpoint.startswith(ORGANISER_ONLY) and route.endpoint != "speech.judging.unlock"
            if organiser_route and who not in ("organiser", "admin") and status not in (403, 404):
                problems.append(f"{route} as {who}: {status} (organisers only)")
            judge_route = route.endpoint.startswith(JUDGE_AREA) and route.endpoint not in (
                "speech.judge.bind", "speech.judge.index")
            if judge_route and who != "seated_judge" and status not in (403, 404):
                problems.append(f"{route} as {who}: {status} (the round's judges only)")
            if route.endpoint == "speech.judging.unlock" and who != "organiser" and who != "admin" \
                    and status not in (403, 404):
                problems.append(f"{route} as {who}: {status} (organisers and the chief judge only)")
    assert not problems, "\n".join(problems)
    db.session.expire_all()
    assert db.session.get(type(sheet), sheet.id).locked  # nobody unlocked it with an empty form


def test_a_contestant_keeps_at_least_one_scoring_judge(make_contest, make_staff, organiser):
    hall = make_contest(contestants=1, judges=1, units=1)
    colleague = make_staff("judge", unit=hall.units[0])
    judging.seat_judge(hall.round, judging.SeatInput(colleague.id, 2), actor=organiser)
    entry = hall.entries[0]
    judging.recuse(hall.round, hall.judges[0], entry, reason="师生关系", actor=organiser)
    assert judging.apply_suggestions(hall.round, actor=organiser) == 0  # the colleague is the last one left
    with pytest.raises(Problem, match="至少要有一位评委"):
        sheets.mark_absent(hall.round, hall.slots[0], db.session.scalars(
            db.select(SpeechJudge).where(SpeechJudge.user_id == colleague.id)).one(), actor=organiser, reason="离场")


def test_a_hostile_problem_text_is_cleaned_not_stored(make_contest):
    hall = make_contest(contestants=1, judges=1)
    judging.raise_problem(hall.round, hall.judges[0], "网络\x00断开\x1b")
    assert hall.judges[0].problem == "网络断开"
