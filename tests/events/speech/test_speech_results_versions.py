"""Publishing for 公示, corrections as new versions with a 更正 note, finalising after the notice
period, and advancing the top N into the next round."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.common.clock import local_today
from app.common.problems import Problem
from app.extensions import db
from events.speech.models import SpeechRound, SpeechSlot
from events.speech.services import results
from tests.events.speech.test_speech_results_standings import score_all, sheet


@pytest.fixture
def scored(make_contest):
    def build(contestants=3, judges=3, **fields):
        hall = make_contest(contestants=contestants, judges=judges, **fields)
        for index, slot in enumerate(hall.slots):
            score_all(hall, slot, [90 - index] * judges)
        return hall

    return build


def _end_notice(version):
    version.notice_until = local_today() - timedelta(days=1)
    db.session.flush()


def test_publishing_freezes_the_standings_as_version_one(scored, organiser):
    hall = scored()
    before = hall.round.state_version
    version = results.publish_results(hall.round, organiser, local_today() + timedelta(days=5))
    assert version.version == 1 and version.status == "published" and version.correction_note == ""
    assert [row["score"] for row in version.standings] == ["90.00", "89.00", "88.00"]
    assert [row["name"] for row in version.standings] == [entry.member.name for entry in hall.entries]
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "speech.results_published"
    db.session.refresh(hall.round)
    assert hall.round.state_version > before  # the leaderboard screen shows the published version


def test_nothing_is_published_while_a_sheet_is_missing(make_contest, organiser):
    hall = make_contest(contestants=2, judges=3)
    score_all(hall, hall.slots[0], [90, 90, 90])
    score_all(hall, hall.slots[1], [90, 90, None])
    with pytest.raises(Problem, match="评分不完整"):
        results.publish_results(hall.round, organiser, local_today())
    assert results.latest_version(hall.round) is None


def test_the_notice_date_is_required_and_not_in_the_past(scored, organiser):
    hall = scored()
    with pytest.raises(Problem) as missing:
        results.publish_results(hall.round, organiser, None)
    assert missing.value.field == "notice_until"
    with pytest.raises(Problem, match="不能早于今天"):
        results.publish_results(hall.round, organiser, local_today() - timedelta(days=1))


def test_a_correction_is_a_new_version_with_its_note_and_the_old_one_stays(scored, organiser):
    hall = scored()
    first = results.publish_results(hall.round, organiser, local_today() + timedelta(days=3))
    for sheet_row in hall.slots[2].sheets[:2]:
        sheet_row.scores, sheet_row.total = sheet(93), 93
    db.session.flush()
    with pytest.raises(Problem) as no_note:
        results.publish_results(hall.round, organiser, local_today() + timedelta(days=3))
    assert no_note.value.field == "correction_note"
    second = results.publish_results(hall.round, organiser, local_today() + timedelta(days=3), "3号选手评分录入有误，已更正")
    assert second.version == 2 and second.correction_note == "3号选手评分录入有误，已更正"
    assert [row["score"] for row in first.standings][2] == "88.00"
    assert second.standings[0]["slot_id"] == hall.slots[2].id  # (93 + 93 + 88) / 3 = 91.33 now leads
    assert [version.version for version in results.result_versions(hall.round)] == [2, 1]
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "speech.results_corrected"


def test_finalising_waits_for_the_end_of_the_notice_period(scored, organiser):
    hall = scored()
    version = results.publish_results(hall.round, organiser, local_today())
    with pytest.raises(Problem, match="期满后"):
        results.finalise_results(hall.round, organiser)
    _end_notice(version)
    final = results.finalise_results(hall.round, organiser)
    assert final.status == "final" and final.finalised_by_id == organiser.id and hall.round.status == "closed"
    with pytest.raises(Problem, match="不能再发布"):
        results.publish_results(hall.round, organiser, local_today(), "再改")


def test_a_change_after_publishing_blocks_finalising_until_a_correction(scored, organiser):
    hall = scored()
    version = results.publish_results(hall.round, organiser, local_today())
    _end_notice(version)
    sheet_row = hall.slots[0].sheets[0]
    sheet_row.scores, sheet_row.total = sheet(80), 80
    db.session.flush()
    with pytest.raises(Problem, match="请先发布更正版本"):
        results.finalise_results(hall.round, organiser)
    correction = results.publish_results(hall.round, organiser, local_today(), "1号评委更正")
    _end_notice(correction)
    assert results.finalise_results(hall.round, organiser).version == 2


def _two_rounds(scored, advance_count=2):
    hall = scored(contestants=4, judges=3)
    hall.round.name, hall.round.advance_count = "初赛", advance_count
    final_round = SpeechRound(contest_id=hall.contest.id, position=2, name="决赛")
    db.session.add(final_round)
    db.session.flush()
    return hall, final_round


def test_the_top_n_of_final_results_go_on_to_the_next_round_waiting_for_its_draw(scored, organiser):
    hall, final_round = _two_rounds(scored)
    with pytest.raises(Problem, match="最终确定后"):
        results.advance_to_next_round(hall.round, organiser)
    _end_notice(results.publish_results(hall.round, organiser, local_today()))
    results.finalise_results(hall.round, organiser)
    target, created = results.advance_to_next_round(hall.round, organiser)
    assert target.id == final_round.id
    assert [slot.entry_id for slot in created] == [hall.entries[0].id, hall.entries[1].id]
    assert {slot.status for slot in created} == {"waiting"} and final_round.status == "setup"
    _again, none = results.advance_to_next_round(hall.round, organiser)  # a second click adds nobody
    assert none == []
    assert db.session.scalar(sa.select(sa.func.count()).where(SpeechSlot.round_id == final_round.id)) == 2


def test_contestants_tied_on_the_last_advancing_place_all_go_on(make_contest, organiser):
    hall = make_contest(contestants=3, judges=3)
    for slot, total in zip(hall.slots, (90, 88, 88), strict=True):
        score_all(hall, slot, [total] * 3)
    hall.round.advance_count = 2
    db.session.add(SpeechRound(contest_id=hall.contest.id, position=2, name="决赛"))
    db.session.flush()
    _end_notice(results.publish_results(hall.round, organiser, local_today()))
    results.finalise_results(hall.round, organiser)
    hall.round.advance_count = 1
    _target, created = results.advance_to_next_round(hall.round, organiser)
    assert len(created) == 1
    hall.round.advance_count = 2
    _target, created = results.advance_to_next_round(hall.round, organiser)
    assert len(created) == 2  # both 88s share rank 2


def test_no_advance_once_the_next_round_is_drawn(scored, organiser):
    hall, final_round = _two_rounds(scored)
    _end_notice(results.publish_results(hall.round, organiser, local_today()))
    results.finalise_results(hall.round, organiser)
    final_round.status = "drawn"
    with pytest.raises(Problem, match="已抽签"):
        results.advance_to_next_round(hall.round, organiser)


def test_the_explanation_is_for_organisers_always_and_for_others_once_final(scored, organiser, make_member):
    hall = scored()
    member = make_member()
    assert results.explanation_visible(hall.round, organiser)
    assert not results.explanation_visible(hall.round, member)
    version = results.publish_results(hall.round, organiser, local_today())
    assert not results.explanation_visible(hall.round, member)
    _end_notice(version)
    results.finalise_results(hall.round, organiser)
    assert results.explanation_visible(hall.round, member)


def test_two_organisers_publishing_at_once_make_one_version(app, scored, make_staff, client_for, run_concurrently):
    """On PostgreSQL the two requests really race; the unique (round, version) settles it either way."""
    from events.speech.models import SpeechResultVersion

    hall = scored()
    db.session.commit()
    clients = [client_for(make_staff("organiser")) for _ in range(2)]
    url = f"/speech/results/rounds/{hall.round.id}/publish"
    day = local_today().isoformat()
    db.session.commit()  # no transaction left open in this thread (SQLite: it would hold the write lock)
    codes = run_concurrently(lambda index: clients[index].post(url, data={"notice_until": day}).status_code)
    assert sorted(codes) == [302, 400]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechResultVersion)) == 1


def test_two_organisers_finalising_at_once_record_it_once(app, scored, make_staff, run_concurrently):
    from app.accounts.models import User

    hall = scored()
    _end_notice(results.publish_results(hall.round, make_staff("organiser"), local_today()))
    db.session.commit()
    round_id = hall.round.id
    ids = [make_staff("organiser").id for _ in range(2)]
    db.session.commit()

    def finalise(index):
        round_ = db.session.get(SpeechRound, round_id)
        try:
            results.finalise_results(round_, db.session.get(User, ids[index]))
        except Problem:
            db.session.rollback()
            return "refused"
        db.session.commit()
        return "final"

    assert sorted(run_concurrently(finalise)) == ["final", "refused"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "speech.results_finalised")) == 1
