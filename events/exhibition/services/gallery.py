"""What signed-in members see: accepted works by category and unit, a work's page, the slideshow."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.units.models import Unit
from events.exhibition.models import Exhibition, Work, WorkImage

PAGE_SIZE = 48


def accepted(exhibition: Exhibition, *, category_id: int | None = None, unit_id: int | None = None):
    """The accepted, processed works of the exhibition, by number, optionally of one category or unit."""
    query = (sa.select(Work).where(Work.exhibition_id == exhibition.id, Work.status == "accepted",
                                   Work.processing.is_(False))
             .options(selectinload(Work.images), selectinload(Work.author), selectinload(Work.unit),
                      selectinload(Work.category))
             .order_by(Work.number))
    if category_id is not None:
        query = query.where(Work.category_id == category_id)
    if unit_id is not None:
        query = query.where(Work.unit_id == unit_id)
    return query


def page_of(exhibition: Exhibition, page: int, **filters):
    return db.paginate(accepted(exhibition, **filters), page=page, per_page=PAGE_SIZE, error_out=False)


def units_with_works(exhibition: Exhibition) -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in db.session.execute(
        sa.select(Unit.id, Unit.name).join(Work, Work.unit_id == Unit.id)
        .where(Work.exhibition_id == exhibition.id, Work.status == "accepted")
        .group_by(Unit.id, Unit.name, Unit.sort_order).order_by(Unit.sort_order, Unit.name))]


def slides(exhibition: Exhibition) -> list[dict]:
    """Every ready display image of the accepted works, in number order, for the hall screen."""
    rows = db.session.execute(
        sa.select(WorkImage.id, Work.number, Work.title, Unit.name.label("unit"))
        .join(Work, Work.id == WorkImage.work_id).outerjoin(Unit, Unit.id == Work.unit_id)
        .where(Work.exhibition_id == exhibition.id, Work.status == "accepted", WorkImage.status == "ready")
        .order_by(Work.number, WorkImage.position)).all()
    return [{"image_id": row.id, "code": f"{row.number:04d}", "title": row.title, "unit": row.unit or ""}
            for row in rows]


def cover(work: Work) -> WorkImage | None:
    """The work's first ready image (the one its tile shows)."""
    return next((image for image in work.images if image.status == "ready"), None)
