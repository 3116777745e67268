"""Panel results from stored sheets: the round's panel, recusal and absence, deductions, and a
constant number of queries whatever the round's size."""
from decimal import Decimal

from app.extensions import db
from events.speech.models import SpeechDeduction, SpeechPanelException
from events.speech.services.panels import load_round_panel, round_results, slot_result

SHEET = {"演讲内容": "36", "语言表达": "27", "形象风度": "9", "综合印象": "18"}  # 90


def _sheet(total_offset: int) -> dict[str, str]:
    return {**SHEET, "演讲内容": str(36 + total_offset)}


def test_five_judges_drop_the_highest_and_lowest_then_the_deduction_comes_off(make_contest):
    hall = make_contest(contestants=1, judges=5)
    slot = hall.slots[0]
    for judge, offset in zip(hall.judges, (0, 1, 2, -3, 4), strict=True):  # totals 90 91 92 87 94
        hall.submit(slot, judge, _sheet(offset))
    db.session.add(SpeechDeduction(slot_id=slot.id, kind="overtime", points=Decimal("0.2"), reason="超时 12 秒"))
    db.session.flush()
    result = slot_result(load_round_panel(hall.round), slot)
    assert result.final
    assert result.trimmed_mean == Decimal(91)  # (90 + 91 + 92) / 3
    assert result.exact == Decimal("90.8")
    struck = {line.judge: line.struck for line in result.judges if line.struck}
    assert set(struck) == {4, 5}  # the 87 and the 94


def test_a_recused_judge_leaves_the_panel_and_a_missing_sheet_keeps_the_result_open(make_contest):
    hall = make_contest(contestants=2, judges=5)
    first, second = hall.slots
    db.session.add(SpeechPanelException(judge_id=hall.judges[0].id, entry_id=first.entry_id, kind="recused",
                                        reason="同单位"))
    for judge in hall.judges[1:]:
        hall.submit(first, judge, SHEET)
    for judge in hall.judges[:4]:
        hall.submit(second, judge, SHEET)
    db.session.flush()
    results = round_results(load_round_panel(hall.round))
    assert results[first.id].final and results[first.id].recused_judges == (1,)
    assert results[first.id].exact == Decimal(90)  # four judges: below K = 5, the plain mean
    assert not results[second.id].final and results[second.id].missing_judges == (5,)


def test_loading_a_round_takes_the_same_queries_for_3_or_12_contestants(make_contest, count_queries):
    small, large = make_contest(contestants=3, judges=3), make_contest(contestants=12, judges=7)
    for hall in (small, large):
        for slot in hall.slots:
            for judge in hall.judges:
                hall.submit(slot, judge, SHEET)
    db.session.flush()
    counts = []
    for hall in (small, large):
        db.session.expire_all()
        with count_queries() as queries:
            round_results(load_round_panel(hall.round))
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_the_state_version_goes_up_in_the_database_and_a_current_poll_gets_304(app, make_contest):
    from app.common.http import versioned_json
    from events.speech.services.state import bump_state, state_etag, state_version

    hall = make_contest(contestants=1, judges=1)
    before = state_version(hall.round.id)
    bump_state(hall.round.id)
    bump_state(hall.round.id)
    assert state_version(hall.round.id) == before + 2
    etag = state_etag(hall.round.id, before + 2, "screen")
    with app.test_request_context(headers={"If-None-Match": f'"{etag}"'}):
        assert versioned_json(etag, lambda: {"never": "built"}).status_code == 304
    with app.test_request_context(headers={"If-None-Match": '"speech-1-1-screen"'}):
        fresh = versioned_json(etag, lambda: {"mode": "standby"})
        assert fresh.status_code == 200 and fresh.get_json() == {"mode": "standby"}
        assert fresh.headers["ETag"] == f'"{etag}"' and "no-cache" in fresh.headers["Cache-Control"]


def test_a_contestant_every_judge_is_recused_from_is_open_with_nothing_missing(make_contest):
    hall = make_contest(contestants=1, judges=2)
    for judge in hall.judges:
        db.session.add(SpeechPanelException(judge_id=judge.id, entry_id=hall.entries[0].id, kind="recused",
                                            reason="同单位"))
    db.session.flush()
    result = slot_result(load_round_panel(hall.round), hall.slots[0])
    assert not result.final and result.missing_judges == () and result.recused_judges == (1, 2)


def test_a_campaign_with_a_contest_cannot_be_deleted(make_contest, organiser):
    import pytest

    from app.campaigns.services import delete_campaign
    from app.common.problems import Problem

    hall = make_contest(contestants=1, judges=1)
    db.session.commit()
    with pytest.raises(Problem, match="不能删除"):
        delete_campaign(organiser, hall.contest.campaign)
