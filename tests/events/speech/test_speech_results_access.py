"""The route walk for the results area with real ids (the generic walk fills unknown ids): every
results route as anonymous, member, liaison, judge, organiser and admin, before publication,
during 公示 and once final — never a 500, staff-only routes refused to others, and unpublished
scores never shown to anyone but organisers."""
import logging
from datetime import timedelta

import pytest

from app.common.access import access_rule_for
from app.common.clock import local_today
from app.extensions import db
from events.speech.services import results
from tests.events.speech.test_speech_results_standings import score_all
from tests.security.routes import STATE_CHANGING, allows, routes, sign_in_directly, url_for_route

pytestmark = pytest.mark.app_config(PROPAGATE_UNEXPECTED=False)


@pytest.fixture
def people(make_member, make_staff):
    return {"anonymous": None, "member": make_member(), "liaison": make_staff("liaison"), "judge": make_staff("judge"),
            "organiser": make_staff("organiser"), "admin": make_staff("admin")}


def _walk(app, hall, people, caplog):
    values = {"round_id": hall.round.id, "slot_id": hall.slots[0].id, "judge_id": hall.judges[0].id}
    found = [route for route in routes(app) if route.endpoint.startswith("speech.results.")]
    assert len(found) >= 9
    outcomes = {}
    for route in found:
        url = url_for_route(app, route, values)
        for who, user in people.items():
            client = sign_in_directly(app, user) if user else app.test_client()
            caplog.clear()
            response = client.open(url, method=route.method, data={} if route.method in STATE_CHANGING else None)
            assert response.status_code < 500, f"{route} as {who}: {response.status_code} {caplog.text}"
            if user is None:
                assert response.status_code in (302, 401), f"{route} reached anonymously"
            elif not allows(user, access_rule_for(route.endpoint)):
                assert response.status_code in (403, 404), f"{route} reached by {who}"
            body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
            outcomes[(route.endpoint, route.method, who)] = (response.status_code, body)
    return outcomes


def test_every_results_route_with_real_ids_before_during_and_after_publication(app, make_contest, people, caplog):
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    hall = make_contest(contestants=2, judges=3)
    for slot in hall.slots:
        score_all(hall, slot, [90, 91, 92])
    db.session.commit()
    organiser = people["organiser"]
    unpublished = "91.00"

    outcomes = _walk(app, hall, people, caplog)
    for who in ("member", "liaison", "judge"):
        for (endpoint, method, someone), (_status, body) in outcomes.items():
            if someone == who and method == "GET":
                assert unpublished not in body, f"{endpoint} showed an unpublished score to {who}"

    results.publish_results(hall.round, organiser, local_today())
    db.session.commit()
    outcomes = _walk(app, hall, people, caplog)
    assert outcomes[("speech.results.notice", "GET", "member")][0] == 200
    assert outcomes[("speech.results.explanation", "GET", "member")][0] == 403

    version = results.latest_version(hall.round)
    version.notice_until = local_today() - timedelta(days=1)
    results.finalise_results(hall.round, organiser)
    db.session.commit()
    outcomes = _walk(app, hall, people, caplog)
    assert outcomes[("speech.results.explanation", "GET", "member")][0] == 200
    assert outcomes[("speech.results.review", "GET", "member")][0] == 403


def test_the_review_page_refuses_a_rehearsal_slot_explanation(app, make_contest, organiser_client):
    from events.speech.models import SpeechSlot

    hall = make_contest(contestants=1, judges=1)
    rehearsal = SpeechSlot(round_id=hall.round.id, entry_id=None, position=0, is_rehearsal=True, rehearsal_name="试评")
    db.session.add(rehearsal)
    db.session.commit()
    assert organiser_client.get(f"/speech/results/slots/{rehearsal.id}/explanation").status_code == 404
    assert organiser_client.get(f"/speech/results/rounds/{hall.round.id}/score-sheets").status_code == 200
