"""The demo contest (judge1–3 seated, some contestants scored, a live round) and the participation
providers (registered / approved / performed) that issue 14's coverage reads."""

import sqlalchemy as sa

from app.extensions import db
from app.hooks import hooks_of
from events.speech.demo import DEMO_CONTEST_TITLE, SCORED
from events.speech.models import SpeechContest, SpeechEntry, SpeechSheet, SpeechSlot
from events.speech.services.panels import load_round_panel, slot_result
from events.speech.services.results import provisional_standings
from tests.events.speech.test_speech_results_standings import score_all
from tests.support import log_in


def _run_demo(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_the_demo_holds_a_live_contest_with_three_judges_and_scored_contestants(app):
    output = _run_demo(app)
    assert DEMO_CONTEST_TITLE in output and "judge1" in output
    contest = db.session.scalar(sa.select(SpeechContest).where(SpeechContest.title == DEMO_CONTEST_TITLE))
    round_ = contest.rounds[0]
    assert round_.status == "live" and len(contest.entries) == 8
    assert sorted(judge.user.staff_id for judge in round_.judges) == ["judge1", "judge2", "judge3"]
    panel = load_round_panel(round_)
    finals = [slot_result(panel, slot).final for slot in panel.slots]
    assert finals[:SCORED] == [True] * SCORED and finals[SCORED:] == [False] * (8 - SCORED)
    assert round_.current_slot_id == panel.slots[SCORED].id
    standings = provisional_standings(round_)
    assert len(standings.rows) == SCORED and len(standings.open) == 8 - SCORED

    sheets = db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSheet))
    _run_demo(app)  # a second run adds nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSheet)) == sheets
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechContest)) == 1


def test_the_demo_organiser_sees_the_contest_results(app):
    _run_demo(app)
    from app.accounts.models import User

    organiser = db.session.scalar(sa.select(User).where(User.staff_id == "organiser"))
    client = log_in(app.test_client(), organiser, "Organiser@2026")
    contest = db.session.scalar(sa.select(SpeechContest).where(SpeechContest.title == DEMO_CONTEST_TITLE))
    page = client.get(f"/speech/results/rounds/{contest.rounds[0].id}")
    assert page.status_code == 200 and "评分未完成" in page.get_data(as_text=True)


def _participants(app, key, campaign):
    provider = next(p for p in hooks_of(app).participation_providers if p.key == key)
    return sorted(db.session.execute(provider.participants(campaign)).all())


def test_participation_counts_registered_approved_and_performed(app, make_contest):
    hall = make_contest(contestants=5, judges=3)
    campaign = hall.contest.campaign
    one, two, three, four, five = hall.entries
    four.status, five.status = "registered", "withdrawn"
    hall.slots[3].status = hall.slots[4].status = "waiting"
    for index in range(3):
        hall.slots[index].status = "done"
    hall.slots[2].status = "no_show"
    db.session.flush()
    score_all(hall, hall.slots[3], [90, None, None])  # scored while the host never marked them done
    registered = {row.user_id for row in _participants(app, "speech_registered", campaign)}
    approved = {row.user_id for row in _participants(app, "speech_approved", campaign)}
    performed = _participants(app, "speech_performed", campaign)
    assert registered == {one.member_id, two.member_id, three.member_id, four.member_id}
    assert approved == {one.member_id, two.member_id, three.member_id}
    assert {row.user_id for row in performed} == {one.member_id, two.member_id, four.member_id}
    scored_row = next(row for row in performed if row.user_id == four.member_id)
    sheet = db.session.scalar(sa.select(SpeechSheet).where(SpeechSheet.slot_id == hall.slots[3].id))
    assert scored_row.took_part_at == sheet.submitted_at
    other = make_contest(contestants=1, judges=1)  # another campaign's contest does not count
    assert other.entries[0].member_id not in registered


def test_the_rehearsal_never_counts_as_performing(app, make_contest):
    hall = make_contest(contestants=1, judges=1)
    db.session.add(SpeechSlot(round_id=hall.round.id, entry_id=None, position=0, is_rehearsal=True,
                              rehearsal_name="试评", status="done"))
    db.session.flush()
    assert _participants(app, "speech_performed", hall.contest.campaign) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechEntry)) == 1
