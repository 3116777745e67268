"""The demo question bank loaded by `flask --app wsgi demo`."""
import sqlalchemy as sa

from app.extensions import db
from app.hooks import hooks_of
from quizzes.demo import DEMO_BANK_NAME, QUESTIONS, load_demo_bank
from quizzes.models import Question
from quizzes.services import bank_sheets, banks


def test_the_demo_bank_holds_every_type_and_category_and_loads_once(app):
    bank = load_demo_bank()
    db.session.commit()
    summary = banks.bank_summary(bank)
    assert bank.name == DEMO_BANK_NAME
    assert summary.active_total == len(QUESTIONS) >= 60
    assert all(summary.active[kind] >= 10 for kind in ("single", "multiple", "judge", "fill"))
    assert banks.bank_categories(bank) == sorted(["党史", "党章党规", "理论知识", "解放思想"])
    questions = db.session.scalars(sa.select(Question).where(Question.bank_id == bank.id)).all()
    assert all(question.explanation and question.difficulty in ("易", "中", "难") for question in questions)

    again = load_demo_bank()
    db.session.commit()
    assert again.id == bank.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == len(QUESTIONS)
    report = bank_sheets.import_questions(bank, bank_sheets.export_bank(bank))
    assert report.total("unchanged") == len(QUESTIONS)


def test_the_demo_command_runs_the_bank_loader(app):
    assert load_demo_bank in hooks_of(app).demo_loaders
