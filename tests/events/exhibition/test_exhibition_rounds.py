"""Judging rounds without HTTP: assignments meet the quorum and the exclusions, the preview, the
mid-round changes, closing with missing scores, each method's result worked out by hand, the
advancement into the next round and final_standings."""
from decimal import Decimal
from fractions import Fraction

import pytest

from app.common.problems import Problem
from app.extensions import db
from events.exhibition.round_models import ExhibitionAssignment
from events.exhibition.services import assignments, round_results, round_sheets, rounds
from events.judging.numbers import exact
from tests.events.exhibition.helpers import category, new_exhibition
from tests.events.exhibition.round_helpers import accepted_work, assigned_ids, judge_row, new_round, score


@pytest.fixture
def scene(make_campaign, make_unit, make_user, make_staff):
    """Two units; four judges (judge A in unit A); four photographs by members of unit A and B, one
    co-authored by judge B."""
    campaign = make_campaign()
    exhibition = new_exhibition(campaign)
    photo = category(exhibition, "摄影")
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    judges = [make_user(name=f"评委{i}", roles=["judge"], unit=unit_a if i == 1 else None) for i in range(1, 5)]
    author_a, author_b = make_user(name="甲作者", unit=unit_a), make_user(name="乙作者", unit=unit_b)
    works = [accepted_work(exhibition, photo, author_a, image=False),
             accepted_work(exhibition, photo, author_b, image=False),
             accepted_work(exhibition, photo, author_b, coauthors=[judges[1]], image=False),
             accepted_work(exhibition, photo, author_a, image=False)]
    return exhibition, photo, judges, works


def test_assignments_meet_the_quorum_balanced_and_never_a_judges_own_or_own_unit(scene):
    exhibition, photo, judges, works = scene
    round_ = new_round(exhibition, [photo], judges, quorum=2)
    assert assignments.open_round(None, round_) == 8
    db.session.commit()
    by_work = {work.id: [a.judge.user_id for a in db.session.query(ExhibitionAssignment).filter_by(work_id=work.id)]
               for work in works}
    assert all(len(set(ids)) == 2 for ids in by_work.values())
    assert judges[0].id not in by_work[works[0].id] + by_work[works[3].id]  # unit A's works
    assert judges[1].id not in by_work[works[2].id]  # co-author
    loads = sorted(len(assigned_ids(round_, judge)) for judge in judges)
    assert loads == [2, 2, 2, 2]


def test_preview_lists_what_is_left_out_and_why(scene, make_user):
    exhibition, photo, judges, works = scene
    works[1].status = "submitted"
    db.session.commit()
    round_ = new_round(exhibition, [photo], judges[:2], quorum=2)
    preview = assignments.preview_round(round_)
    reasons = {line.work.id: line.reason for line in preview.lines}
    assert reasons[works[1].id] == "尚未审核"
    assert reasons[works[0].id] == "可评审的评委不足 2 人"  # judge 1 is of unit A
    assert reasons[works[2].id] == "可评审的评委不足 2 人"  # judge 2 co-authored it
    line = next(line for line in preview.lines if line.work.id == works[0].id)
    assert [(user.name, why) for user, why in line.excluded_judges] == [("评委1", "本单位作品")]
    with pytest.raises(Problem, match="可评审的评委不足"):
        assignments.open_round(None, round_)


def test_score_round_result_by_hand_close_with_missing_needs_a_reason(scene):
    exhibition, photo, judges, works = scene
    round_ = new_round(exhibition, [photo], judges, quorum=2, advance_value=Decimal(1))
    assignments.open_round(None, round_)
    db.session.commit()
    given = {}
    for judge in judges:
        for work_id in assigned_ids(round_, judge):
            value = {works[0].id: 80, works[1].id: 90, works[2].id: 70, works[3].id: 85}[work_id] + judges.index(judge)
            if work_id == works[3].id and work_id in given:
                continue  # the second judge of work 4 never scores
            score(round_, judge, db.session.get(type(works[0]), work_id), value)
            given.setdefault(work_id, []).append(Decimal(value))
    with pytest.raises(Problem, match="提前结束须填写原因"):
        rounds.close_round(None, round_)
    rounds.close_round(None, round_, reason="4号评委因病未能完成")
    db.session.commit()
    lines = round_results.stored_results(round_)[photo.id]
    means = {row.work_id: row.exact_value for row in lines}
    for work_id, values in given.items():  # fewer than 5 judges: the plain mean of what was scored
        assert means[work_id] == exact(Fraction(sum(values)) / len(values))
    assert next(row.work_id for row in lines) == works[1].id and lines[0].rank == 1 and lines[0].advanced
    assert sum(row.advanced for row in lines) == 1
    missing = next(row for row in lines if row.work_id == works[3].id)
    assert not missing.final and missing.sheets == 1 and missing.expected == 2
    standings = rounds.final_standings(exhibition)[photo.id]
    four = next(item for item in standings if item.work_id == works[3].id)
    assert (four.final, four.note, four.number) == (False, "4号评委因病未能完成", works[3].code)
    assert all(item.final for item in standings if item.work_id != works[3].id)
    assert standings[0].rank == 1 and isinstance(standings[0].exact, Decimal)


def test_trimmed_mean_with_five_judges_and_shared_rank(scene, make_user):
    exhibition, photo, judges, works = scene
    more = [*judges, make_user(name="评委5", roles=["judge"]), make_user(name="评委6", roles=["judge"])]
    works[2].status = "withdrawn"  # co-authored by judge 2: only four could score it
    round_ = new_round(exhibition, [photo], more[1:], quorum=5, advance_kind="threshold",
                       advance_value=Decimal("85"))
    assignments.open_round(None, round_)
    db.session.commit()
    sheets = {works[1].id: [70, 80, 90, 95, 100], works[3].id: [60, 85, 90, 95, 99]}
    for work_id, values in sheets.items():
        panel = [a.judge.user for a in db.session.query(ExhibitionAssignment).filter_by(round_id=round_.id,
                                                                                        work_id=work_id)
                 .order_by(ExhibitionAssignment.id)]
        for user, value in zip(panel, values, strict=True):
            score(round_, user, db.session.get(type(works[0]), work_id), value)
    rounds.close_round(None, round_, reason="只评两件")
    lines = {row.work_id: row for row in round_results.stored_results(round_)[photo.id]}
    assert lines[works[1].id].exact_value == exact(Fraction(265, 3))  # 80 + 90 + 95, highest and lowest struck
    assert lines[works[3].id].exact_value == Decimal(90)  # 85 + 90 + 95
    assert lines[works[3].id].rank == 1 and lines[works[1].id].rank == 2
    assert lines[works[3].id].advanced and lines[works[1].id].advanced  # 90 and 88.33 ≥ 85


def test_shortlist_counts_yes_votes_and_advances_at_k(scene):
    exhibition, photo, judges, works = scene
    works[2].status = "withdrawn"
    round_ = new_round(exhibition, [photo], judges[1:], method="shortlist", quorum=3, advance_kind="threshold",
                       advance_value=Decimal(2))
    assignments.open_round(None, round_)
    db.session.commit()
    votes = {works[0].id: [1, 1, 0], works[1].id: [1, 0, 0], works[3].id: [1, 1, 1]}
    for work_id, values in votes.items():
        for user, vote in zip(judges[1:], values, strict=True):
            if work_id in assigned_ids(round_, user):
                score(round_, user, db.session.get(type(works[0]), work_id), vote)
    rounds.close_round(None, round_)
    lines = {row.work_id: row for row in round_results.stored_results(round_)[photo.id]}
    assert lines[works[3].id].display == "3" and lines[works[3].id].rank == 1
    assert lines[works[0].id].advanced and not lines[works[1].id].advanced
    # the next round covers only what advanced
    second = new_round(exhibition, [photo], judges[1:], name="复评", quorum=1)
    preview = assignments.preview_round(second)
    assert {line.work.id for line in preview.included} == {works[0].id, works[3].id}
    assert {line.reason for line in preview.left_out} == {"未在初评晋级"}


def test_ranking_mean_place_lower_is_better_all_or_nothing(scene, make_user):
    exhibition, photo, _judges, works = scene
    two = [make_user(name="排序评委甲", roles=["judge"]), make_user(name="排序评委乙", roles=["judge"])]
    round_ = new_round(exhibition, [photo], two, method="ranking", quorum=2, advance_value=Decimal(1))
    assignments.open_round(None, round_)
    db.session.commit()
    ids = [work.id for work in works]
    first = {ids[0]: 1, ids[1]: 2, ids[2]: 3, ids[3]: 4}
    second = {ids[0]: 2, ids[1]: 1, ids[2]: 4, ids[3]: 3}
    bad = dict(second, **{str(ids[3]): 1})
    with pytest.raises(round_sheets.SheetProblem, match="每个名次只能用一次"):
        round_sheets.submit_ranking(round_, judge_row(round_, two[1]), {"places": bad}, actor=two[1])
    for user, places in ((two[0], first), (two[1], second)):
        round_sheets.submit_ranking(round_, judge_row(round_, user), {"places": places}, actor=user)
    db.session.commit()
    same = round_sheets.submit_ranking(round_, judge_row(round_, two[0]), {"places": first}, actor=two[0])
    assert all(outcome.same for outcome in same)
    with pytest.raises(round_sheets.SheetLocked):
        round_sheets.submit_ranking(round_, judge_row(round_, two[0]), {"places": second}, actor=two[0])
    db.session.rollback()
    rounds.close_round(None, round_)
    lines = {row.work_id: row for row in round_results.stored_results(round_)[photo.id]}
    assert lines[ids[0]].display == "1.50" and lines[ids[1]].display == "1.50"
    assert lines[ids[0]].rank == lines[ids[1]].rank == 1 and lines[ids[3]].rank == 3
    assert lines[ids[0]].advanced and lines[ids[1]].advanced and not lines[ids[2]].advanced
    assert round_.close_reason == ""


def test_reassign_and_remove_judge_respect_exclusions(scene, make_user):
    exhibition, photo, judges, works = scene
    round_ = new_round(exhibition, [photo], judges, quorum=2)
    assignments.open_round(None, round_)
    db.session.commit()
    leaving = judges[3]
    mine = assigned_ids(round_, leaving)
    score(round_, leaving, db.session.get(type(works[0]), mine[0]), 88)
    newcomer = make_user(name="新评委", roles=["judge"], unit=judges[0].unit)
    assignments.add_judge(None, round_, newcomer)
    moved = assignments.remove_judge(None, round_, judge_row(round_, leaving))
    db.session.commit()
    assert moved == len(mine) - 1
    assert assigned_ids(round_, leaving) == [mine[0]]  # the scored work stays with its sheet
    for judge in [*judges[:3], newcomer]:
        for work_id in assigned_ids(round_, judge):
            work = db.session.get(type(works[0]), work_id)
            assert assignments.exclusion(judge, work) is None
    with pytest.raises(round_sheets.ScoringRefused):
        score(round_, leaving, db.session.get(type(works[0]), mine[0]), 88)
    report = assignments.progress(round_)
    line = next(item for item in report.judges if item.judge.user_id == leaving.id)
    assert (line.done, line.assigned) == (1, 1)
    assert report.totals[1] == 8


def test_sheet_lifecycle_same_again_is_safe_different_is_locked_unlock_makes_version_two(scene, organiser):
    exhibition, photo, judges, works = scene
    round_ = new_round(exhibition, [photo], judges, quorum=2)
    assignments.open_round(None, round_)
    db.session.commit()
    judge = judges[2]
    work = db.session.get(type(works[0]), assigned_ids(round_, judge)[0])
    assert score(round_, judge, work, "86.5").created
    assert score(round_, judge, work, "86.5").same
    with pytest.raises(round_sheets.SheetLocked):
        score(round_, judge, work, "87")
    db.session.rollback()
    with pytest.raises(round_sheets.SheetProblem, match="0 至 100"):
        score(round_, judge, work, "101")
    sheet = round_sheets.own_sheet(round_, judge_row(round_, judge), work.id)
    round_sheets.unlock_work_sheet(round_, sheet, actor=organiser, reason="录入错误")
    db.session.commit()
    assert score(round_, judge, work, "87").sheet.version == 2
    assert [version.superseded_reason for version in sheet.versions] == ["录入错误", None]


def test_settings_are_checked_and_fixed_once_open(scene):
    exhibition, photo, judges, _works = scene
    bad = rounds.RoundSettings(name="复评", method="shortlist", category_ids=[photo.id], quorum=2,
                               advance_kind="threshold", advance_value=Decimal(3))
    with pytest.raises(Problem, match="入选票数"):
        rounds.create_round(None, exhibition, bad)
    round_ = new_round(exhibition, [photo], judges, quorum=2)
    assignments.open_round(None, round_)
    with pytest.raises(Problem, match="不能再修改"):
        rounds.update_round(None, round_, bad)
    later = new_round(exhibition, [photo], judges, name="终评", quorum=2)
    with pytest.raises(Problem, match="请先结束初评"):
        assignments.open_round(None, later)
