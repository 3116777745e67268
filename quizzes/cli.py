"""flask --app wsgi quiz import-bank|export-bank|close-expired."""
import click
from flask.cli import AppGroup

quiz_cli = AppGroup("quiz", help="Question banks and quiz maintenance.")


# ---------------------------------------------------------------- question banks (题库)

@quiz_cli.command("import-bank")
@click.argument("bank_name")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_bank_command(bank_name: str, path: str) -> None:
    """Import questions from an .xlsx into BANK_NAME (created if missing); nothing changes on any error."""
    from flask_babel import gettext as _

    from app.common.xlsx import ImportFailed
    from app.extensions import db
    from quizzes.services import bank_sheets, banks

    bank = banks.find_bank(bank_name)
    created = bank is None
    try:
        if created:
            bank = banks.create_bank(None, bank_name)
        report = bank_sheets.import_questions(bank, path, None, filename=path, bank_created=created)
    except banks.BankProblem as problem:
        db.session.rollback()
        click.echo(str(problem), err=True)
        raise click.exceptions.Exit(1) from None
    except ImportFailed as failure:
        db.session.rollback()
        click.echo(_("导入失败，没有导入任何题目（共 %(count)s 个问题）：", count=len(failure.problems)), err=True)
        for problem in failure.problems:
            click.echo(f"  {problem}", err=True)
        raise click.exceptions.Exit(1) from None
    db.session.commit()
    if created:
        click.echo(_("已新建题库「%(name)s」。", name=bank.name))
    first, *per_type = report.lines()
    click.echo(first)
    for line in per_type:
        click.echo(f"  {line}")


@quiz_cli.command("export-bank")
@click.argument("bank_name")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_bank_command(bank_name: str, path: str) -> None:
    """Write every question of BANK_NAME to an .xlsx in the import template's columns."""
    from pathlib import Path

    from flask_babel import gettext as _

    from quizzes.services import bank_sheets, banks

    bank = banks.find_bank(bank_name)
    if bank is None:
        click.echo(_("没有名为「%(name)s」的题库。", name=bank_name), err=True)
        raise click.exceptions.Exit(1)
    Path(path).write_bytes(bank_sheets.export_bank(bank))
    summary = banks.bank_summary(bank)
    click.echo(_("已导出题库「%(name)s」共 %(total)s 题（启用 %(active)s，停用 %(disabled)s）到 %(path)s。",
                 name=bank.name, total=summary.total, active=summary.active_total, disabled=summary.disabled,
                 path=path))


@quiz_cli.command("export-results")
@click.argument("quiz_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_results_command(quiz_id: int, path: str) -> None:
    """Write QUIZ_ID's results workbook (the same five sheets as the organiser's download) to PATH.

    For very large quizzes, where a web download would outlast the server's request timeout.
    Expired attempts are scored first, as the web pages do.
    """
    from pathlib import Path

    from flask_babel import gettext as _

    from app.audit.services import record
    from app.extensions import db
    from quizzes.exports import results_workbook
    from quizzes.models import Quiz
    from quizzes.services.attempts import finalize_expired

    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        click.echo(_("没有编号为 %(id)s 的竞赛。", id=quiz_id), err=True)
        raise click.exceptions.Exit(1)
    finalize_expired(quiz.id)
    content = results_workbook(quiz)
    Path(path).write_bytes(content)
    record("quiz.results_exported", target=quiz, summary=quiz.title, via="cli")
    db.session.commit()
    click.echo(_("已导出「%(title)s」的成绩到 %(path)s（%(size)s KB）。", title=quiz.title, path=path,
                 size=max(1, len(content) // 1024)))


# ---------------------------------------------------------------- quiz clock (close-expired)

@quiz_cli.command("close-expired")
@click.option("--quiz", "quiz_id", type=int, default=None, help="Only this quiz (id); default: every quiz.")
def close_expired_command(quiz_id: int | None) -> None:
    """Submit and score every attempt whose time ran out (deadline + grace) and was never submitted.

    Pages do this lazily as well; run it from cron every minute so results are complete even when
    nobody looks:  * * * * * cd /srv/saishi && .venv/bin/flask --app wsgi quiz close-expired
    """
    from flask_babel import gettext as _

    from app.extensions import db
    from quizzes.services.attempts import finalize_expired

    try:
        count = finalize_expired(quiz_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(_("已自动交卷 %(count)s 份到时未交的试卷。", count=count))
