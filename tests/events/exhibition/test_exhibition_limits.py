"""The per-member limit per category holds in the database, even for two phones at the same moment."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.models import Exhibition, Work
from events.exhibition.services import works
from tests.events.exhibition.helpers import category, new_exhibition


def test_two_works_cannot_share_a_slot(make_campaign, make_member):
    exhibition = new_exhibition(make_campaign())
    member = make_member()
    photo_category = category(exhibition, "摄影")
    for number in (1, 2):
        db.session.add(Work(exhibition_id=exhibition.id, category_id=photo_category.id, number=number,
                            author_id=member.id, unit_id=member.unit_id, slot=1, title=f"作品{number}"))
    with pytest.raises(IntegrityError):
        db.session.commit()


@pytest.mark.postgres
def test_two_phones_submitting_at_once_get_one_work(make_campaign, make_member, run_concurrently):
    exhibition = new_exhibition(make_campaign(), works_per_member=1)
    member = make_member()
    exhibition_id, member_id = exhibition.id, member.id
    category_id = category(exhibition, "绘画").id

    def submit(index):
        exhibition = db.session.get(Exhibition, exhibition_id)
        author = db.session.get(User, member_id)
        draft = works.WorkDraft(category_id=category_id, title=f"同时提交{index}", submit=False)
        saved = works.create_work(exhibition, author, draft)
        db.session.commit()
        return saved.work.id

    results = run_concurrently(submit, 2)
    assert sum(isinstance(result, int) for result in results) == 1, results
    refused = [result for result in results if isinstance(result, Problem)]
    assert len(refused) == 1 and "达到每人上限" in refused[0].message
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Work)) == 1
    numbers = db.session.scalars(sa.select(Work.number)).all()
    assert numbers == [1] or numbers == [2]  # a number handed out to the refused one is never reused
