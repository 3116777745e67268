"""The members' vote (人气奖): one vote per member per work, a daily limit that holds for two phones
at once, never for one's own work, no reopening after close, and counts kept from every browser
until the organiser shows them."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.common import clock
from app.common.clock import to_local, utcnow
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.award_models import ExhibitionVote, ExhibitionVoteDay
from events.exhibition.models import Work
from events.exhibition.services import votes
from tests.events.exhibition.awards_support import accepted_work
from tests.events.exhibition.helpers import category, new_exhibition


def _local(moment):
    return to_local(moment).replace(tzinfo=None)


@pytest.fixture
def hall(make_campaign, make_member, organiser):
    exhibition = new_exhibition(make_campaign())
    author, partner = make_member(name="作者乙"), make_member(name="合作者丙")
    photo = category(exhibition, "摄影")
    works = [accepted_work(exhibition, photo, author, f"照片{i}", coauthors=[partner] if i == 1 else [])
             for i in range(1, 6)]
    now = utcnow()
    votes.set_voting(organiser, exhibition, _local(now - timedelta(hours=1)), _local(now + timedelta(days=3)), 2)
    db.session.commit()
    return {"exhibition": exhibition, "works": works, "author": author, "partner": partner}


def test_own_work_is_refused_for_author_and_coauthor(hall):
    first = hall["works"][0]
    for person in (hall["author"], hall["partner"]):
        with pytest.raises(Problem, match="不能给自己的作品投票"):
            votes.cast_vote(person, first)


def test_one_vote_per_work_and_a_daily_limit(hall, make_member):
    voter = make_member(name="观众甲")
    works = hall["works"]
    assert votes.cast_vote(voter, works[0])[1] is True
    assert votes.cast_vote(voter, works[0])[1] is False  # a second tap: the same vote, counted once
    db.session.commit()
    assert votes.cast_vote(voter, works[1])[1] is True
    db.session.commit()
    with pytest.raises(Problem, match="今天的 2 票已用完"):
        votes.cast_vote(voter, works[2])
    db.session.rollback()
    assert votes.count_for(works[0]) == 1
    assert db.session.scalar(sa.select(ExhibitionVoteDay.used)) == 2
    clock.advance(timedelta(days=1))
    try:
        assert votes.cast_vote(voter, works[2])[1] is True  # a new day, new votes
        db.session.commit()
    finally:
        clock.reset()


def test_not_accepted_works_and_closed_votes_are_refused_and_it_never_reopens(hall, make_member, organiser):
    voter = make_member()
    works, exhibition = hall["works"], hall["exhibition"]
    works[3].status = "rejected"
    works[3].reject_reason = "不符合要求"
    db.session.commit()
    with pytest.raises(Problem, match="不在展出中"):
        votes.cast_vote(voter, works[3])
    votes.close_voting(organiser, exhibition)
    db.session.commit()
    with pytest.raises(Problem, match="投票已结束"):
        votes.cast_vote(voter, works[0])
    now = utcnow()
    with pytest.raises(Problem, match="不能重新开启"):
        votes.set_voting(organiser, exhibition, _local(now), _local(now + timedelta(days=9)), 5)
    with pytest.raises(Problem, match="投票已结束"):
        votes.close_voting(organiser, exhibition)


def test_a_vote_not_open_yet(make_campaign, make_member, organiser):
    exhibition = new_exhibition(make_campaign())
    work = accepted_work(exhibition, category(exhibition, "书法"), make_member(), "书法作品")
    now = utcnow()
    votes.set_voting(organiser, exhibition, _local(now + timedelta(days=1)), _local(now + timedelta(days=2)), 1)
    with pytest.raises(Problem, match="投票尚未开始"):
        votes.cast_vote(make_member(), work)
    with pytest.raises(Problem, match="晚于开始时间"):
        votes.set_voting(organiser, exhibition, _local(now + timedelta(days=2)), _local(now + timedelta(days=1)), 1)


def test_counts_are_hidden_from_html_and_json_until_shown(hall, client_for, make_member, organiser_client):
    works, exhibition = hall["works"], hall["exhibition"]
    voter = client_for(make_member(name="观众乙"))
    page = voter.get(f"/exhibition/works/{works[1].id}").get_data(as_text=True)
    assert "投一票" in page and "今天还可投 2 票" in page and "exhibition-vote.js" in page
    response = voter.post(f"/exhibition/works/{works[1].id}/vote", headers={"Accept": "application/json"})
    body = response.get_json()
    assert response.status_code == 200 and body["voted"] and body["remaining"] == 1 and "votes" not in body
    assert voter.post(f"/exhibition/works/{works[1].id}/vote").status_code == 302  # a form post, second tap
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitionVote)) == 1

    other = client_for(make_member(name="观众丙"))
    for client in (voter, other, organiser_client):
        html = client.get(f"/exhibition/works/{works[1].id}").get_data(as_text=True)
        assert "得票" not in html
        assert "votes" not in client.get(f"/exhibition/works/{works[1].id}/vote").get_json()
        assert "人气奖（会员投票" not in client.get(f"/exhibition/{exhibition.id}/results").get_data(as_text=True)
    manage = organiser_client.get(f"/exhibition/manage/{exhibition.id}/vote").get_data(as_text=True)
    assert "1 票（1 人）" in manage and "得票排名" not in manage and "照片2" not in manage

    assert organiser_client.post(f"/exhibition/manage/{exhibition.id}/vote/show").status_code == 302
    assert other.get(f"/exhibition/works/{works[1].id}/vote").get_json()["votes"] == 1
    assert "得票：1" in other.get(f"/exhibition/works/{works[1].id}").get_data(as_text=True)
    notice = other.get(f"/exhibition/{exhibition.id}/results").get_data(as_text=True)
    assert "人气奖（会员投票，与评委评选结果分开）" in notice and "照片2" in notice


def test_vote_pages_permissions_and_bad_input(hall, client_for, make_member, make_staff):
    works, exhibition = hall["works"], hall["exhibition"]
    author = client_for(hall["author"])
    page = author.get(f"/exhibition/works/{works[0].id}").get_data(as_text=True)
    assert "不能给自己的作品投票" in page and "投一票" not in page
    response = author.post(f"/exhibition/works/{works[0].id}/vote", headers={"Accept": "application/json"})
    assert response.status_code == 409 and response.get_json()["message"] == "不能给自己的作品投票"
    member = client_for(make_member())
    for url in (f"/exhibition/manage/{exhibition.id}/vote", f"/exhibition/manage/{exhibition.id}/vote/show",
                f"/exhibition/manage/{exhibition.id}/vote/close"):
        assert (member.get(url) if url.endswith("/vote") else member.post(url)).status_code == 403
    works[4].status = "submitted"
    db.session.commit()
    assert member.post(f"/exhibition/works/{works[4].id}/vote").status_code == 404  # not in the gallery
    assert member.get("/exhibition/works/999999/vote").status_code == 404
    organiser = client_for(make_staff("organiser"))
    response = organiser.post(f"/exhibition/manage/{exhibition.id}/vote",
                              data={"opens_at": "garbage", "closes_at": "", "daily_limit": "abc"})
    assert response.status_code == 400


@pytest.mark.postgres
def test_two_phones_voting_at_once_never_pass_the_daily_limit(hall, make_member, run_concurrently):
    voter = make_member(name="快手")
    voter_id, work_ids = voter.id, [work.id for work in hall["works"][1:5]]

    def vote(index):
        person = db.session.get(User, voter_id)
        work = db.session.get(Work, work_ids[index])
        _vote, cast = votes.cast_vote(person, work)
        db.session.commit()
        return cast

    results = run_concurrently(vote, 4)
    assert results.count(True) == 2, results  # the limit is 2 a day
    refused = [result for result in results if isinstance(result, Problem)]
    assert len(refused) == 2 and all("已用完" in problem.message for problem in refused)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitionVote)) == 2
    assert db.session.scalar(sa.select(ExhibitionVoteDay.used)) == 2


@pytest.mark.postgres
def test_a_double_tap_at_the_same_moment_counts_once(hall, make_member, run_concurrently):
    voter = make_member(name="连点")
    voter_id, work_id = voter.id, hall["works"][2].id

    def vote(index):
        _vote, cast = votes.cast_vote(db.session.get(User, voter_id), db.session.get(Work, work_id))
        db.session.commit()
        return cast

    results = run_concurrently(vote, 3)
    assert results.count(True) == 1 and results.count(False) == 2, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(ExhibitionVoteDay.used)) == 1
