"""Judging rounds through HTTP: the organiser sets up, previews, opens, follows progress (no scores)
and closes; judges see works by number only, never their own unit's, never another judge's scores;
members reach none of it; a double-tapped submit on PostgreSQL stores one sheet."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from events.exhibition.round_models import ExhibitionRound, ExhibitionSheet, ExhibitionSheetVersion
from events.exhibition.services import assignments, rounds
from tests.events.exhibition.helpers import category, new_exhibition
from tests.events.exhibition.round_helpers import accepted_work, assigned_ids, new_round
from tests.support import POSTGRES_URL


@pytest.fixture
def setting(make_campaign, make_unit, make_user):
    campaign = make_campaign()
    exhibition = new_exhibition(campaign)
    photo = category(exhibition, "摄影")
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    judges = [make_user(name="甲评委", roles=["judge"], unit=unit_a), make_user(name="评委二", roles=["judge"]),
              make_user(name="评委三", roles=["judge"])]
    author_a = make_user(name="甲作者", unit=unit_a)
    author_b = make_user(name="乙作者", unit=unit_b)
    works = [accepted_work(exhibition, photo, author_a, title="甲单位的晨曦"),
             accepted_work(exhibition, photo, author_b, title="乙单位的黄昏")]
    return exhibition, photo, judges, works, author_b


def test_organiser_sets_up_previews_opens_and_closes(setting, organiser_client):
    exhibition, photo, judges, _works, _author = setting
    response = organiser_client.post(f"/exhibition/manage/{exhibition.id}/rounds/new", data={
        "name": "初评", "method": "score", "category_ids": [str(photo.id)], "quorum": "2", "advance_kind": "top",
        "advance_value": "1", "step": "0.1", "trim_from": "5", "trim_each_end": "1"})
    assert response.status_code == 302
    round_ = db.session.scalars(sa.select(ExhibitionRound)).one()
    base = f"/exhibition/manage/{exhibition.id}/rounds/{round_.id}"
    for judge in judges:
        assert organiser_client.post(f"{base}/judges", data={"user_id": str(judge.id)}).status_code == 302
    page = organiser_client.get(base).get_data(as_text=True)
    assert "开始前预览" in page and "甲评委（本单位作品）" in page
    organiser_client.post(f"{base}/open", data={})
    db.session.expire_all()
    assert round_.status == "open"
    page = organiser_client.get(base).get_data(as_text=True)
    assert "0 / 2" in page and "评审期间不显示个人评分" in page
    assert organiser_client.get(f"{base}/results").status_code == 302  # nothing before the close
    response = organiser_client.post(f"{base}/close", data={"reason": ""}, follow_redirects=True)
    assert "提前结束须填写原因" in response.get_data(as_text=True)
    organiser_client.post(f"{base}/close", data={"reason": "评委临时有事"})
    results = organiser_client.get(f"{base}/results").get_data(as_text=True)
    assert "本轮在评分未齐时结束：评委临时有事" in results and "评分未齐" in results


def test_judge_sees_numbers_only_never_own_unit_and_sheet_lifecycle(setting, client_for, organiser_client):
    exhibition, photo, judges, works, _author = setting
    round_ = new_round(exhibition, [photo], judges, quorum=2)
    assignments.open_round(None, round_)
    db.session.commit()
    judge_a = client_for(judges[0])
    listing = judge_a.get(f"/exhibition/judge/rounds/{round_.id}").get_data(as_text=True)
    assert works[1].code in listing and works[0].code not in listing
    assert "黄昏" not in listing and "乙作者" not in listing and "乙单位" not in listing
    assert judge_a.get(f"/exhibition/judge/rounds/{round_.id}/works/{works[0].id}").status_code == 404
    image = works[0].images[0]
    assert judge_a.get(f"/exhibition/judge/rounds/{round_.id}/images/{image.id}/display").status_code == 404
    page = judge_a.get(f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}").get_data(as_text=True)
    assert f"作品 {works[1].code}" in page and "黄昏" not in page and "乙作者" not in page and "创作说明" not in page
    own = works[1].images[0]
    assert judge_a.get(f"/exhibition/judge/rounds/{round_.id}/images/{own.id}/display").status_code == 200
    assert judge_a.get(f"/exhibition/judge/rounds/{round_.id}/images/{own.id}/original").status_code == 404
    url = f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}/sheet"
    assert judge_a.post(url, json={"scores": {"得分": "101"}}).status_code == 422
    first = judge_a.post(url, json={"scores": {"得分": "88.5"}})
    assert first.status_code == 200 and first.json["status"] == "submitted"
    assert judge_a.post(url, json={"scores": {"得分": "88.5"}}).json["same"] is True
    assert judge_a.post(url, json={"scores": {"得分": "90"}}).status_code == 409
    # another judge of the same work sees only their own (empty) sheet, the organiser no score
    other = next(j for j in judges[1:] if works[1].id in assigned_ids(round_, j))
    assert "88.5" not in client_for(other).get(f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}").get_data(
        as_text=True)
    progress = organiser_client.get(f"/exhibition/manage/{exhibition.id}/rounds/{round_.id}").get_data(as_text=True)
    assert "88.5" not in progress and "1 / 1" in progress


def test_named_round_and_originals_when_the_round_allows(setting, client_for):
    exhibition, photo, judges, works, _author = setting
    round_ = new_round(exhibition, [photo], judges[1:], quorum=2, shows_names=True, allows_originals=True)
    assignments.open_round(None, round_)
    db.session.commit()
    judge = client_for(judges[1])
    page = judge.get(f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}").get_data(as_text=True)
    assert "乙单位的黄昏" in page and "查看原图" in page
    image = works[1].images[0]
    response = judge.get(f"/exhibition/judge/rounds/{round_.id}/images/{image.id}/original")
    assert response.status_code == 200 and response.data[:2] == b"\xff\xd8"


def test_members_and_judges_outside_the_round_reach_nothing(setting, client_for, make_user):
    exhibition, photo, judges, works, author = setting
    round_ = new_round(exhibition, [photo], judges, quorum=2)
    assignments.open_round(None, round_)
    db.session.commit()
    member = client_for(author)
    outsider = client_for(make_user(name="别的评委", roles=["judge"]))
    paths = [f"/exhibition/judge/rounds/{round_.id}", f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}",
             f"/exhibition/judge/rounds/{round_.id}/images/{works[1].images[0].id}/display"]
    for path in paths:
        assert member.get(path).status_code == 403
        assert outsider.get(path).status_code == 404
    assert member.get(f"/exhibition/manage/{exhibition.id}/rounds/{round_.id}/results").status_code == 403
    assert member.post(f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}/sheet",
                       json={"scores": {"得分": "99"}}).status_code == 403
    gallery = member.get(f"/exhibition/works/{works[1].id}").get_data(as_text=True)
    assert "得分" not in gallery


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_double_tapped_submit_stores_one_sheet_on_postgresql(setting, client_for, run_concurrently):
    exhibition, photo, judges, works, _author = setting
    round_ = new_round(exhibition, [photo], judges, quorum=2)
    assignments.open_round(None, round_)
    db.session.commit()
    judge = next(j for j in judges if works[1].id in assigned_ids(round_, j))
    url = f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}/sheet"
    clients = [client_for(judge) for _ in range(4)]
    statuses = run_concurrently(lambda index: clients[index].post(url, json={"scores": {"得分": "77.5"}}).status_code,
                                count=4)
    assert statuses == [200, 200, 200, 200]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitionSheet)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitionSheetVersion)) == 1
    assert db.session.scalars(sa.select(ExhibitionSheet)).one().total == Decimal("77.5")


def test_organiser_unlocks_a_sheet_without_seeing_it_and_the_judge_submits_version_two(setting, client_for,
                                                                                     organiser_client):
    exhibition, photo, judges, works, _author = setting
    round_ = new_round(exhibition, [photo], judges[1:], quorum=2)
    assignments.open_round(None, round_)
    db.session.commit()
    judge = client_for(judges[1])
    url = f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}/sheet"
    judge.post(url, json={"scores": {"得分": "71"}})
    row = next(j for j in round_.judges if j.user_id == judges[1].id)
    base = f"/exhibition/manage/{exhibition.id}/rounds/{round_.id}/judges/{row.id}"
    page = organiser_client.get(base).get_data(as_text=True)
    shown = page[page.index("<main"):page.index("</main>")]  # not the asset hashes in <head>
    assert "已提交" in shown and not re.search(r"(?<![\w.])71(?![\w.])", shown)
    organiser_client.post(f"{base}/works/{works[1].id}/unlock", data={"reason": "评委申请更正"})
    assert judge.post(url, json={"scores": {"得分": "75"}}).json["version"] == 2


def test_judge_list_page_queries_do_not_grow_with_the_works(setting, client_for, count_queries):
    exhibition, _photo, judges, _works, author = setting
    judge = client_for(judges[1])
    counts = []
    for name, title, count in (("书法", "初评", 1), ("绘画", "复评", 6)):
        group = category(exhibition, name)
        for index in range(count):
            accepted_work(exhibition, group, author, title=f"{name}{index}")
        round_ = new_round(exhibition, [group], judges[1:2], name=title, quorum=1, advance_kind="none")
        assignments.open_round(None, round_)
        db.session.commit()
        with count_queries() as counter:
            page = judge.get(f"/exhibition/judge/rounds/{round_.id}").get_data(as_text=True)
        assert page.count('class="xr-tile') == count
        counts.append(counter.count)
        rounds.close_round(None, round_, reason="测试")
        db.session.commit()
    assert counts[0] == counts[1]


def test_ranking_round_page_and_whole_submit(setting, client_for):
    exhibition, photo, judges, works, _author = setting
    round_ = new_round(exhibition, [photo], judges[1:], method="ranking", quorum=2)
    assignments.open_round(None, round_)
    db.session.commit()
    judge = client_for(judges[1])
    page = judge.get(f"/exhibition/judge/rounds/{round_.id}").get_data(as_text=True)
    assert page.count("data-score") == 2 and "提交名次" in page and "黄昏" not in page
    assert judge.get(f"/exhibition/judge/rounds/{round_.id}/works/{works[1].id}").status_code == 404
    url = f"/exhibition/judge/rounds/{round_.id}/ranking"
    twice = judge.post(url, json={"places": {str(works[0].id): "1", str(works[1].id): "1"}})
    assert twice.status_code == 422 and twice.json["problems"][0]["message"] == "每个名次只能用一次"
    done = judge.post(url, json={"places": {str(works[0].id): "2", str(works[1].id): "1"}})
    assert done.status_code == 200 and done.json["status"] == "submitted"
    page = judge.get(f"/exhibition/judge/rounds/{round_.id}").get_data(as_text=True)
    assert "已提交" in page and "提交名次" not in page
