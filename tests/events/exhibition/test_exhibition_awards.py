"""Awards per category by tier counts from the rounds' final standings, and their 公示 → 更正 → 最终
versions; the results notice for signed-in members; score and award in the catalogue."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.common import clock
from app.common.clock import local_today
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.services import awards
from tests.events.exhibition.awards_support import accepted_work, standing
from tests.events.exhibition.helpers import category, new_exhibition


@pytest.fixture
def field(make_campaign, make_member, organiser):
    """An exhibition with six calligraphy works and four paintings, and the standings a round gave."""
    exhibition = new_exhibition(make_campaign())
    calligraphy, painting = category(exhibition, "书法"), category(exhibition, "绘画")
    author = make_member(name="作者甲")
    c = [accepted_work(exhibition, calligraphy, author, f"书法{i}") for i in range(1, 7)]
    p = [accepted_work(exhibition, painting, author, f"绘画{i}") for i in range(1, 5)]
    standings = {
        calligraphy.id: [standing(c[0], 1, "95.5"), standing(c[1], 2, "90"), standing(c[2], 2, "90"),
                         standing(c[3], 4, "88"), standing(c[4], 5, "80"), standing(c[5], 6, "70")],
        painting.id: [standing(p[0], 1, "91"), standing(p[1], 1, "91"),
                      standing(p[2], 3, "85", final=False, note="评委临时缺席，按已有评分计算"),
                      standing(p[3], None, None, final=False, note="评委临时缺席，按已有评分计算")],
    }
    awards.set_tiers(organiser, calligraphy, [("一等奖", 1), ("二等奖", 1), ("三等奖", 2), ("优秀奖", None)])
    awards.set_tiers(organiser, painting, [("一等奖", 1), ("二等奖", 2)])
    db.session.commit()
    return {"exhibition": exhibition, "c": c, "p": p, "standings": standings, "calligraphy": calligraphy,
            "painting": painting}


def _compute(field):
    return lambda exhibition: awards.compute_awards(exhibition, standings=field["standings"])


def _award_of(result, work):
    return next(row["award"] for row in result.rows if row["work_id"] == work.id)


def test_tiers_by_count_per_category_with_ties(field):
    result = _compute(field)(field["exhibition"])
    c, p = field["c"], field["p"]
    # 书法 limits 1, 2, 4, all: the tie at 2 takes both into 二等奖, 三等奖 shrinks to one place.
    assert [_award_of(result, work) for work in c] == ["一等奖", "二等奖", "二等奖", "三等奖", "优秀奖", "优秀奖"]
    # 绘画: a tie for first takes 一等奖 twice; rank 3 is within 二等奖's limit of 3; unscored gets nothing.
    assert [_award_of(result, work) for work in p] == ["一等奖", "一等奖", "二等奖", None]
    assert result.problems == []
    incomplete = result.categories[1].incomplete
    assert [row["work_id"] for row in incomplete] == [p[2].id, p[3].id]
    assert incomplete[0]["note"] == "评委临时缺席，按已有评分计算"
    assert result.categories[2].judged is False  # 摄影: no round covers it, no rows


def test_tier_rules(field, organiser):
    calligraphy = field["calligraphy"]
    for tiers, message in (([("一等奖", None), ("二等奖", 2)], "只有最后一个奖项"),
                           ([("一等奖", 1), ("一等奖", 2)], "不能重复"),
                           ([("", 3)], "请填写奖项名称"),
                           ([("一等奖", -1)], "不小于 0")):
        with pytest.raises(Problem, match=message):
            awards.set_tiers(organiser, calligraphy, tiers)
        db.session.rollback()
    assert [tier.name for tier in awards.tiers_of(calligraphy)] == ["一等奖", "二等奖", "三等奖", "优秀奖"]


def test_a_judged_category_without_tiers_cannot_be_published(field, organiser):
    awards.set_tiers(organiser, field["painting"], [])
    with pytest.raises(Problem, match="请先设置“绘画”的奖项名额"):
        awards.publish_awards(field["exhibition"], organiser, local_today(), compute=_compute(field))


def test_the_notice_lifecycle(field, organiser):
    exhibition, compute = field["exhibition"], _compute(field)
    with pytest.raises(Problem, match="请先发布成绩进行公示"):
        awards.finalise_awards(exhibition, organiser, compute=compute)
    with pytest.raises(Problem, match="不能早于今天"):
        awards.publish_awards(exhibition, organiser, local_today() - timedelta(days=1), compute=compute)
    first = awards.publish_awards(exhibition, organiser, local_today() + timedelta(days=3), compute=compute)
    db.session.commit()
    assert (first.version, first.status, first.correction_note) == (1, "published", "")
    with pytest.raises(Problem, match="期满后才能确定"):
        awards.finalise_awards(exhibition, organiser, compute=compute)
    with pytest.raises(Problem, match="请填写更正说明"):
        awards.publish_awards(exhibition, organiser, local_today() + timedelta(days=3), compute=compute)

    # A score is corrected after publishing: finalising the old version is refused until a 更正.
    field["standings"][field["calligraphy"].id][5] = standing(field["c"][5], 5, "80")
    clock.advance(timedelta(days=4))
    try:
        with pytest.raises(Problem, match="请先发布更正版本"):
            awards.finalise_awards(exhibition, organiser, compute=compute)
        second = awards.publish_awards(exhibition, organiser, local_today(), "书法 0006 号复核后改为 80 分",
                                       compute=compute)
        db.session.commit()
        assert second.version == 2 and second.correction_note.startswith("书法 0006")
        assert first.standings != second.standings  # the first stays as it was published
        clock.advance(timedelta(days=1))
        final = awards.finalise_awards(exhibition, organiser, compute=compute)
        db.session.commit()
        assert final.version == 2 and final.is_final and final.finalised_by_id == organiser.id
        with pytest.raises(Problem, match="不能再发布新版本"):
            awards.publish_awards(exhibition, organiser, local_today(), "再改", compute=compute)
        with pytest.raises(Problem, match="不能再修改奖项"):
            awards.set_tiers(organiser, field["calligraphy"], [("一等奖", 2)])
    finally:
        clock.reset()


def test_members_see_only_published_results_and_the_catalogue_gains_scores(field, organiser, client_for,
                                                                          make_member, organiser_client):
    exhibition = field["exhibition"]
    member = client_for(make_member(name="观众"))
    page = member.get(f"/exhibition/{exhibition.id}/results").get_data(as_text=True)
    assert "评选结果尚未公布" in page and "95.5" not in page
    workbook = load_workbook(io.BytesIO(organiser_client.get(f"/exhibition/manage/{exhibition.id}/catalogue.xlsx").data))
    assert all(row[8] in (None, "") for row in workbook.active.iter_rows(min_row=2, values_only=True))

    awards.publish_awards(exhibition, organiser, local_today() + timedelta(days=5), compute=_compute(field))
    db.session.commit()
    response = member.get(f"/exhibition/{exhibition.id}/results")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "评选结果公示" in page and "公示期" in page
    assert "书法1" in page and "一等奖" in page and "95.5" in page
    assert "绘画4" not in page  # no award, not on the notice
    assert 'data-print' in page and "exhibition-print.js" in page

    rows = {row[0]: row for row in load_workbook(io.BytesIO(organiser_client.get(
        f"/exhibition/manage/{exhibition.id}/catalogue.xlsx").data)).active.iter_rows(min_row=2, values_only=True)}
    assert (rows[field["c"][0].code][7], rows[field["c"][0].code][8]) == ("95.5", "一等奖")
    assert rows[field["p"][3].code][8] in (None, "")


def test_the_organisers_page_and_permissions(field, organiser_client, client_for, make_member, make_staff):
    exhibition = field["exhibition"]
    page = organiser_client.get(f"/exhibition/manage/{exhibition.id}/awards")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "还没有结束的评分轮次" in text and "一等奖" in text  # no round has closed in this database
    for person in (make_member(), make_staff("judge")):
        client = client_for(person)
        assert client.get(f"/exhibition/manage/{exhibition.id}/awards").status_code == 403
        assert client.post(f"/exhibition/manage/{exhibition.id}/awards/publish",
                           data={"notice_until": local_today().isoformat()}).status_code == 403
    response = organiser_client.post(
        f"/exhibition/manage/{exhibition.id}/awards/categories/{field['calligraphy'].id}/tiers",
        data={f"c{field['calligraphy'].id}-tiers-0-name": "金奖", f"c{field['calligraphy'].id}-tiers-0-count": "x"})
    assert response.status_code == 400
    response = organiser_client.post(
        f"/exhibition/manage/{exhibition.id}/awards/categories/{field['calligraphy'].id}/tiers",
        data={f"c{field['calligraphy'].id}-tiers-0-name": "金奖", f"c{field['calligraphy'].id}-tiers-0-count": "2",
              f"c{field['calligraphy'].id}-tiers-1-name": "银奖"})
    assert response.status_code == 302
    assert [(t.name, t.count) for t in awards.tiers_of(field["calligraphy"])] == [("金奖", 2), ("银奖", None)]
    response = organiser_client.post(f"/exhibition/manage/{exhibition.id}/awards/publish",
                                     data={"notice_until": local_today().isoformat()})
    assert response.status_code == 400 and "还没有结束的评分轮次" in response.get_data(as_text=True)


def test_computing_awards_costs_the_same_queries_for_more_works(field, make_member, count_queries):
    exhibition, calligraphy = field["exhibition"], field["calligraphy"]
    db.session.expire_all()
    with count_queries() as few:
        awards.compute_awards(exhibition, standings=field["standings"])
    author = make_member(name="作者戊")
    more = [accepted_work(exhibition, calligraphy, author, f"加投{i}") for i in range(12)]
    field["standings"][calligraphy.id].extend(standing(work, 7 + i, "60") for i, work in enumerate(more))
    db.session.expire_all()
    with count_queries() as many:
        result = awards.compute_awards(exhibition, standings=field["standings"])
    def real(counter):  # a transaction's BEGIN is not the page's work
        return [statement for statement in counter.statements if not statement.startswith("BEGIN")]

    assert len(real(many)) == len(real(few)) <= 8, real(many)
    assert len(result.categories[0].rows) == 18
