"""A quiz open to chosen units keeps its scope: deleting its only eligible unit must not open it to all."""
import sqlalchemy as sa

from app.extensions import db
from app.units.models import Unit
from quizzes.models import quiz_eligible_units
from quizzes.services import attempts as engine


def test_deleting_the_only_eligible_unit_of_a_quiz_is_refused_naming_the_quiz(
        organiser_client, make_quiz, make_bank, make_question, make_unit, make_member):
    bank = make_bank()
    for _ in range(2):
        make_question(bank)
    scoped = make_unit("市审计局")
    other = make_unit("市财政局")
    quiz = make_quiz(banks=[bank], rules=[("single", 2, 1)], eligible_units=[scoped], title="审计系统知识竞赛")
    outsider = make_member(unit=other)
    assert not engine.is_eligible(quiz, outsider)

    response = organiser_client.post(f"/units/{scoped.id}/delete")

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "审计系统知识竞赛" in page and "参赛单位" in page
    db.session.expire_all()
    assert db.session.get(Unit, scoped.id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(quiz_eligible_units)) == 1
    assert not engine.is_eligible(db.session.merge(quiz), outsider), "the quiz must stay closed to other units"


def test_a_unit_no_quiz_names_is_deleted_as_before(organiser_client, make_quiz, make_bank, make_question,
                                                   make_unit):
    bank = make_bank()
    make_question(bank)
    make_quiz(banks=[bank], rules=[("single", 1, 1)])  # open to every unit
    spare = make_unit("临时单位")
    assert organiser_client.post(f"/units/{spare.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, spare.id) is None
