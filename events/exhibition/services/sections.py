"""What the exhibition shows on other pages: the home page, a campaign's page, its participation."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from events.exhibition.models import Exhibition, Work
from events.exhibition.services.setup import open_exhibitions


def home_section(user) -> dict | None:
    """Open exhibitions, with how many works the member has entered in each."""
    exhibitions = open_exhibitions()
    if not exhibitions or user.unit_id is None:
        return None
    mine = dict(db.session.execute(sa.select(Work.exhibition_id, sa.func.count()).where(
        Work.author_id == user.id, Work.status != "withdrawn",
        Work.exhibition_id.in_([e.id for e in exhibitions])).group_by(Work.exhibition_id)).all())
    return {"rows": [{"exhibition": exhibition, "mine": mine.get(exhibition.id, 0)} for exhibition in exhibitions]}


def campaign_section(campaign, user) -> dict | None:
    """The campaign's exhibitions and, per exhibition, submitted and accepted counts."""
    exhibitions = list(db.session.scalars(sa.select(Exhibition).where(Exhibition.campaign_id == campaign.id)
                                          .order_by(Exhibition.opens_at)))
    if not exhibitions:
        return None
    figures = {}
    for exhibition_id, status, count in db.session.execute(
            sa.select(Work.exhibition_id, Work.status, sa.func.count())
            .where(Work.exhibition_id.in_([e.id for e in exhibitions])).group_by(Work.exhibition_id, Work.status)):
        figures.setdefault(exhibition_id, {})[status] = count
    rows = []
    for exhibition in exhibitions:
        counts = figures.get(exhibition.id, {})
        submitted = sum(n for status, n in counts.items() if status not in ("draft", "withdrawn"))
        rows.append({"exhibition": exhibition, "submitted": submitted, "accepted": counts.get("accepted", 0)})
    return {"rows": rows}


def participants(campaign):
    """(user_id, took_part_at, unit_id): authors who submitted a work (not a draft, not withdrawn) to one
    of the campaign's exhibitions, credited to the unit the work was entered for."""
    return (sa.select(Work.author_id.label("user_id"), Work.submitted_at.label("took_part_at"), Work.unit_id)
            .join(Exhibition, Exhibition.id == Work.exhibition_id)
            .where(Exhibition.campaign_id == campaign.id, Work.status.not_in(("draft", "withdrawn")),
                   Work.submitted_at.is_not(None)))


def accepted_participants(campaign):
    """(user_id, took_part_at, unit_id): authors with a work accepted (审核通过), from the review."""
    return (sa.select(Work.author_id.label("user_id"),
                      sa.func.coalesce(Work.reviewed_at, Work.submitted_at).label("took_part_at"), Work.unit_id)
            .join(Exhibition, Exhibition.id == Work.exhibition_id)
            .where(Exhibition.campaign_id == campaign.id, Work.status == "accepted"))


def exhibitions_naming_unit(unit):
    """A unit with works in an exhibition cannot be deleted (the catalogue names it)."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Work).where(Work.unit_id == unit.id))
    if count:
        from flask_babel import gettext as _

        return _("有 %(count)s 件书画摄影展作品属于该单位", count=count)
    return None
