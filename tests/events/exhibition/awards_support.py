"""Helpers for the awards and vote tests: accepted works made directly, and the standings the
judging rounds would give (WorkStanding lists built by hand)."""
from decimal import Decimal

from app.extensions import db
from events.exhibition.models import Work
from events.exhibition.services.rounds import WorkStanding


def accepted_work(exhibition, category, author, title: str, *, coauthors=()) -> Work:
    exhibition.last_number += 1
    work = Work(exhibition_id=exhibition.id, category_id=category.id, number=exhibition.last_number,
                author_id=author.id, unit_id=author.unit_id, slot=None, title=title, status="accepted")
    work.coauthors = list(coauthors)
    db.session.add(work)
    db.session.commit()
    return work


def standing(work: Work, rank, score, *, final: bool = True, note: str = "") -> WorkStanding:
    value = None if score is None else Decimal(score)
    return WorkStanding(work_id=work.id, category_id=work.category_id, number=work.code, score=value,
                        exact=value, rank=rank, final=final, note=note)
