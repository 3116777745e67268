"""The demo exhibition gains award tiers, a vote in progress with votes (counts not shown), and the
awards published for 公示 wherever the rounds' demo closed a scoring round."""
import sqlalchemy as sa

from app.extensions import db
from events.exhibition.award_models import ExhibitionAwardTier, ExhibitionVote, ExhibitionVoting
from events.exhibition.demo import DEMO_TITLE
from events.exhibition.models import Exhibition
from events.exhibition.services import awards, votes
from events.exhibition.services.rounds import final_standings


def test_the_demo_has_tiers_a_vote_in_progress_and_published_awards_where_judged(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "人气奖投票进行中" in result.output
    exhibition = db.session.scalar(sa.select(Exhibition).where(Exhibition.title == DEMO_TITLE))
    voting = db.session.scalar(sa.select(ExhibitionVoting).where(ExhibitionVoting.exhibition_id == exhibition.id))
    assert votes.is_open(voting) and not votes.counts_visible(voting)
    cast = db.session.scalars(sa.select(ExhibitionVote).where(ExhibitionVote.exhibition_id == exhibition.id)).all()
    assert len(cast) >= 5 and all(vote.work.status == "accepted" for vote in cast)
    assert all(vote.voter_id != vote.work.author_id and vote.voter_id not in {p.id for p in vote.work.coauthors}
               for vote in cast)
    tiers = db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitionAwardTier))
    assert tiers == 4 * len(exhibition.categories)
    latest = awards.latest_version(exhibition)
    if final_standings(exhibition):
        assert latest is not None and latest.status == "published"
        assert any(row["award"] for row in latest.standings)
    else:
        assert latest is None and "评选结果未发布" in result.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "奖项与人气奖投票已存在" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitionVote)) == len(cast)
