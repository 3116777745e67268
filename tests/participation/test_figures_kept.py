"""The figures a worker keeps (services.campaign_figures under the participation data version, and
tally's parts under their own): a view with no write since the last one is not computed again, and
every kind of write that moves a figure shows on the next view — a submission, a member deactivated on
the roster page, an approved exemption, a settings change — while writes that move none (a sign-in, a
password change) keep them; a submission reads the quiz's records again, never the people."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.common import clock
from app.common.clock import utcnow
from app.extensions import db
from app.participation import exemptions, services, tally
from app.participation.exemptions import ExemptionData
from app.participation.history import record_membership
from tests.participation.pages_data import populate, settings, submit


@pytest.fixture(autouse=True)
def stopped_clock():
    """The kept figures' key holds the minute: views a moment apart must not straddle a minute's end."""
    with clock.frozen_at(utcnow().replace(second=1, microsecond=0)):
        yield


READS: list[str] = []  # what the engine read during a view: "figures" (computed), "people", a figure's key


@pytest.fixture(autouse=True)
def spied(monkeypatch):
    """Record each computation of the figures and each read of tally's parts."""
    computing, people, records = services._figures_at, tally.People, tally.figure_records

    def figures_at(*args, **kwargs):
        READS.append("figures")
        return computing(*args, **kwargs)

    class People(people):
        def __init__(self):
            READS.append("people")
            super().__init__()

    def figure_records(campaign, spec):
        READS.append(spec.key)
        return records(campaign, spec)

    patched = people.patched

    def people_patched(self, user_ids):
        READS.append(f"people {len(user_ids)}")
        return patched(self, user_ids)

    monkeypatch.setattr(services, "_figures_at", figures_at)
    monkeypatch.setattr(tally, "People", People)
    monkeypatch.setattr(people, "patched", people_patched)
    monkeypatch.setattr(tally, "figure_records", figure_records)
    READS.clear()
    yield


def _read(client, campaign, count_queries):
    """(the total's quiz n, what the view read, its statements)."""
    READS.clear()
    with count_queries() as counter:
        response = client.get(f"/participation/{campaign.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    total = html[html.index('data-unit="total"'):]
    quiz = re.search(r'知识竞赛</span><span class="pt-value">[^<]*</span><span class="pt-n">(\d+/\d+)<', total)
    return quiz.group(1), set(READS), counter.statements


def _view(client, campaign, count_queries, *, attendance=False):
    """(the total's quiz n, whether the figures were computed[, whether attendance was read])."""
    quiz, reads, statements = _read(client, campaign, count_queries)
    computed = int("figures" in reads)
    if attendance:
        return quiz, computed, sum(") AS attendance" in statement for statement in statements)
    return quiz, computed


def test_a_view_with_no_write_since_is_not_computed_again(app, make_unit, make_member, make_campaign,
                                                         organiser_client, count_queries):
    campaign = make_campaign()
    populate(make_unit, make_member, campaign, units=2, per_unit=4)
    settings(campaign, quiz=(True, 70, 1))
    first, computed_first = _view(organiser_client, campaign, count_queries)
    again, computed_again = _view(organiser_client, campaign, count_queries)
    assert (first, computed_first) == ("4/8", 1)
    assert (again, computed_again) == ("4/8", 0)


def test_every_kind_of_write_that_moves_a_figure_shows_on_the_next_view(
        app, make_unit, make_member, make_campaign, make_staff, organiser, organiser_client, client_for,
        count_queries):
    campaign = make_campaign()
    _units, people, quiz = populate(make_unit, make_member, campaign, units=1, per_unit=6)
    settings(campaign, quiz=(True, 70, 1))
    assert _view(organiser_client, campaign, count_queries) == ("3/6", 1)

    submit(quiz, people[1])  # the ORM, as a member's submit
    assert _view(organiser_client, campaign, count_queries) == ("4/6", 1)

    response = organiser_client.post(f"/members/{people[3].id}/deactivate")  # the roster page
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert _view(organiser_client, campaign, count_queries) == ("4/5", 1)

    today = utcnow().date()
    exemption = exemptions.enter_exemption(organiser, db.session.get(type(people[5]), people[5].id), ExemptionData(
        "sick_leave", "长期病休", today - timedelta(days=1), today + timedelta(days=30), campaign.id))
    db.session.commit()
    assert _view(organiser_client, campaign, count_queries) == ("4/5", 1)  # pending: moves nothing, recomputed
    exemptions.decide_exemptions(organiser, [exemption], "approved")
    db.session.commit()
    assert _view(organiser_client, campaign, count_queries)[0] == "4/4"

    from app.participation.models import ParticipationSetting

    db.session.execute(sa.update(ParticipationSetting).where(ParticipationSetting.campaign_id == campaign.id)
                       .values(required=False))
    db.session.commit()
    assert _view(organiser_client, campaign, count_queries)[1] == 1

    # A sign-in and a password change write users and login sessions, and move no figure.
    someone = people[0]
    client_for(someone)
    someone = db.session.get(type(someone), someone.id)
    someone.must_change_password = True
    db.session.commit()
    assert _view(organiser_client, campaign, count_queries) == ("4/4", 0)


def test_a_submission_recomputes_the_figures_but_not_the_attendance(app, make_unit, make_member, make_campaign,
                                                                     organiser_client, count_queries):
    """Attendance is kept under its own versions (the check-in tables', the people's): during a quiz
    evening each view after a submission runs the tally again, not the attendance statement; a write
    to a check-in table runs both."""
    campaign = make_campaign()
    _units, people, quiz = populate(make_unit, make_member, campaign, units=1, per_unit=4)
    settings(campaign, quiz=(True, 70, 1))
    assert _view(organiser_client, campaign, count_queries, attendance=True) == ("2/4", 1, 1)
    submit(quiz, people[1])
    assert _view(organiser_client, campaign, count_queries, attendance=True) == ("3/4", 1, 0)
    db.session.execute(sa.text("DELETE FROM checkin_records WHERE id = -1"))  # a write to what attendance reads
    db.session.commit()
    assert _view(organiser_client, campaign, count_queries, attendance=True) == ("3/4", 1, 1)


def test_a_submission_reads_that_activitys_records_and_nothing_else(app, make_unit, make_member, make_campaign,
                                                                     organiser_client, count_queries):
    """What a view after a write reads again: a quiz submission, the quiz's records (not the people, not
    the other activities); a member deactivated, that member's rows of the people (not everyone, not any
    activity's records); a Core write to users that the people's log cannot key, every row of the people."""
    campaign = make_campaign()
    _units, people, quiz = populate(make_unit, make_member, campaign, units=1, per_unit=4)
    settings(campaign, quiz=(True, 70, 1))
    _quiz, first, _statements = _read(organiser_client, campaign, count_queries)
    assert {"figures", "people", "quiz", "speech_registered"} <= first
    submit(quiz, people[1])
    assert _read(organiser_client, campaign, count_queries)[:2] == ("3/4", {"figures", "quiz"})
    response = organiser_client.post(f"/members/{people[3].id}/deactivate")  # one who has not taken part
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert _read(organiser_client, campaign, count_queries)[:2] == ("3/3", {"figures", "people 1"})
    assert _read(organiser_client, campaign, count_queries)[:2] == ("3/3", set())
    db.session.execute(sa.update(User).where(User.id == people[3].id).values(active=True))
    record_membership([people[3].id])
    db.session.commit()
    assert _read(organiser_client, campaign, count_queries)[:2] == ("3/4", {"figures", "people"})
