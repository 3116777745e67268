"""`flask participation snapshot`: take today's (or a given day's) snapshot of campaigns' figures."""
from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.campaigns.models import Campaign
from app.common.clock import local_today
from app.extensions import db

participation_cli = AppGroup("participation", help="参与统计（全覆盖）")


@participation_cli.command("snapshot")
@click.option("--campaign", "campaign_id", type=int, help="只处理这个专项活动（编号）；默认所有进行中的活动")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), help="快照日期（YYYY-MM-DD），默认今天")
def snapshot_command(campaign_id: int | None, day) -> None:
    """Store the figures of `day` (default today) for one campaign or every running one; idempotent."""
    from app.participation.snapshots import take_snapshot

    target: date = day.date() if day else local_today()
    if campaign_id is not None:
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:
            raise click.ClickException(f"没有编号为 {campaign_id} 的专项活动")
        campaigns = [campaign]
    else:
        campaigns = list(db.session.scalars(sa.select(Campaign).where(
            Campaign.starts_on <= target, Campaign.ends_on >= target).order_by(Campaign.id)))
    for campaign in campaigns:
        figures = take_snapshot(campaign, day=target)
        coverage = figures.total.coverage
        click.echo(f"{campaign.name}：{target:%Y-%m-%d} 快照已保存（全覆盖 {coverage.count}/{coverage.of}）")
    db.session.commit()
    if not campaigns:
        click.echo(f"{target:%Y-%m-%d} 没有进行中的专项活动")
