"""Daily snapshots of a campaign's figures, so "截至 X 月 X 日" can be reproduced later. Rule: one row
per (campaign, Asia/Shanghai day) holding the figures as at the end of that day (or now, for today),
rewritten whenever it is taken again; the trend line reads the snapshots plus today's live figures."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.campaigns.models import Campaign
from app.common.clock import from_local, local_today, utcnow
from app.common.upsert import insert_or_update
from app.extensions import db
from app.participation.figures import ActivityColumn, CampaignFigures, Rate, UnitFigures
from app.participation.models import ParticipationSnapshot

FORMAT = 1


def end_of_day(day: date) -> datetime:
    """The last instant of an Asia/Shanghai day, as naive UTC."""
    return from_local(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(microseconds=1)


# ---------------------------------------------------------------- JSON round trip

def _rate(rate: Rate | None):
    return None if rate is None else [rate.count, rate.of]


def _unit_json(row: UnitFigures) -> dict:
    return {
        "unit_id": row.unit_id, "name": row.name, "branch_id": row.branch_id, "is_branch": row.is_branch,
        "headcount": row.headcount, "exempt": row.exempt,
        "figures": {key: _rate(rate) for key, rate in row.figures.items()}, "offline": dict(row.offline),
        "attendance": _rate(row.attendance), "any_one": _rate(row.any_one), "coverage": _rate(row.coverage),
        "quiz_average": str(row.quiz_average) if row.quiz_average is not None else None,
        "composite": str(row.composite) if row.composite is not None else None, "rank": row.rank,
        "below_target": sorted(row.below_target), "branches": [_unit_json(branch) for branch in row.branches],
    }


def figures_json(figures: CampaignFigures) -> dict:
    columns = []
    for column in figures.columns:
        item = asdict(column)
        item["target_rate"] = str(column.target_rate) if column.target_rate is not None else None
        item["weight"] = str(column.weight)
        columns.append(item)
    return {"format": FORMAT, "campaign_id": figures.campaign_id, "as_of": figures.as_of.isoformat(),
            "computed_at": figures.computed_at.isoformat(), "columns": columns,
            "units": [_unit_json(row) for row in figures.units], "total": _unit_json(figures.total)}


def _rate_of(value) -> Rate | None:
    return None if value is None else Rate(int(value[0]), int(value[1]))


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _unit_of(data: dict) -> UnitFigures:
    return UnitFigures(
        data["unit_id"], data["name"], data["branch_id"], data["is_branch"], data["headcount"], data["exempt"],
        {key: _rate_of(value) for key, value in data["figures"].items()}, dict(data["offline"]),
        _rate_of(data["attendance"]), _rate_of(data["any_one"]), _rate_of(data["coverage"]),
        _decimal(data["quiz_average"]), _decimal(data["composite"]), data["rank"], set(data["below_target"]),
        [_unit_of(branch) for branch in data["branches"]])


def figures_from_json(data: dict) -> CampaignFigures:
    columns = [ActivityColumn(**{**item, "target_rate": _decimal(item["target_rate"]),
                                 "weight": Decimal(item["weight"])}) for item in data["columns"]]
    return CampaignFigures(data["campaign_id"], datetime.fromisoformat(data["as_of"]),
                           datetime.fromisoformat(data["computed_at"]), columns,
                           [_unit_of(row) for row in data["units"]], _unit_of(data["total"]))


# ---------------------------------------------------------------- snapshots

def take_snapshot(campaign: Campaign, *, day: date | None = None) -> CampaignFigures:
    """Store (or rewrite) the figures of `day` (default today): as at the end of the day, or now if the
    day is not over. Never commits."""
    from app.participation.services import campaign_figures

    day = day or local_today()
    as_of = min(end_of_day(day), utcnow())
    figures = campaign_figures(campaign, as_of=as_of)
    insert_or_update(ParticipationSnapshot, {
        "campaign_id": campaign.id, "day": day, "as_of": as_of, "taken_at": utcnow(),
        "figures": figures_json(figures), "series": series_json(figures.total)}, ["campaign_id", "day"],
        ["as_of", "taken_at", "figures", "series"])
    return figures


def snapshot_figures(campaign: Campaign, day: date) -> CampaignFigures | None:
    """The figures stored for `day`, or None when no snapshot was taken that day."""
    data = db.session.scalar(sa.select(ParticipationSnapshot.figures).where(
        ParticipationSnapshot.campaign_id == campaign.id, ParticipationSnapshot.day == day))
    return figures_from_json(data) if data else None


def _series_point(figures_total: dict | UnitFigures) -> dict[str, Decimal | None]:
    if isinstance(figures_total, UnitFigures):
        point = {"coverage": figures_total.coverage.percent, "any_one": figures_total.any_one.percent}
        point.update({key: rate.percent for key, rate in figures_total.figures.items()})
        return point
    point = {"coverage": _rate_of(figures_total["coverage"]).percent,
             "any_one": _rate_of(figures_total["any_one"]).percent}
    point.update({key: _rate_of(value).percent for key, value in figures_total["figures"].items()})
    return point


def series_json(total: UnitFigures) -> dict[str, str | None]:
    """The stored trend point of a snapshot: each percent as text (exact), None without a denominator."""
    return {key: None if value is None else str(value) for key, value in _series_point(total).items()}


def _point_of(stored: dict) -> dict[str, Decimal | None]:
    return {key: _decimal(value) for key, value in stored.items()}


def daily_series(campaign: Campaign, *, live: CampaignFigures | None = None) -> list[tuple[date, dict]]:
    """Per day of the campaign up to today: coverage, "at least one" and each figure's rate (percent,
    None without a denominator) from the snapshots' stored points, today's from the live figures
    (`live`, or computed). Snapshots taken before the series column parse their figures' total."""
    from app.participation.services import campaign_figures

    today = local_today()
    snapshot = ParticipationSnapshot
    days = (snapshot.campaign_id == campaign.id, snapshot.day >= campaign.starts_on,
            snapshot.day <= min(campaign.ends_on, today - timedelta(days=1)))
    rows = db.session.execute(sa.select(snapshot.day, snapshot.series).where(*days).order_by(snapshot.day)).all()
    series = [(day, _point_of(stored)) for day, stored in rows if stored is not None]
    older = [day for day, stored in rows if stored is None]
    if older:
        series += [(day, _series_point(data["total"])) for day, data in db.session.execute(
            sa.select(snapshot.day, snapshot.figures).where(*days, snapshot.day.in_(older)))]
        series.sort(key=lambda item: item[0])
    if campaign.starts_on <= today <= campaign.ends_on:
        series.append((today, _series_point((live or campaign_figures(campaign)).total)))
    return series


def running_campaigns(today: date) -> list[Campaign]:
    """Campaigns whose dates include today or yesterday (yesterday's snapshot is completed at its end)."""
    return list(db.session.scalars(sa.select(Campaign).where(
        Campaign.starts_on <= today, Campaign.ends_on >= today - timedelta(days=1)).order_by(Campaign.id)))


def snapshot_running_campaigns() -> int:
    """Housekeeping: today's snapshot of every running campaign, and yesterday's if it was taken before
    the day ended; idempotent. Returns how many snapshots were written."""
    today, now = local_today(), utcnow()
    yesterday = today - timedelta(days=1)
    campaigns = running_campaigns(today)
    if not campaigns:
        return 0
    finished = set(db.session.scalars(sa.select(ParticipationSnapshot.campaign_id).where(
        ParticipationSnapshot.day == yesterday, ParticipationSnapshot.as_of >= end_of_day(yesterday))))
    written = 0
    for campaign in campaigns:
        if campaign.starts_on <= yesterday <= campaign.ends_on and campaign.id not in finished:
            take_snapshot(campaign, day=yesterday)
            written += 1
        if campaign.starts_on <= today <= campaign.ends_on and now <= end_of_day(today):
            take_snapshot(campaign, day=today)
            written += 1
    return written


WARM_UP_SECONDS = 10  # a worker's warm-up starts no further campaign after this long


def warm_running_campaigns() -> None:
    """Warm-up (gunicorn.conf.py): the figures of the running campaigns, the latest started first and
    as many as a worker keeps (tally.CAMPAIGNS_KEPT) within WARM_UP_SECONDS, worked out and kept in
    this worker."""
    import time

    from app.participation import tally
    from app.participation.services import campaign_figures

    started = time.monotonic()
    campaigns = sorted(running_campaigns(local_today()), key=lambda campaign: (campaign.starts_on, campaign.id))
    for campaign in reversed(campaigns[-tally.CAMPAIGNS_KEPT:]):
        if time.monotonic() - started > WARM_UP_SECONDS:
            break
        campaign_figures(campaign)
