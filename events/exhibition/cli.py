"""`flask exhibition-judge-copies`: the judges' copies of images processed before they existed."""
import click
from flask.cli import with_appcontext

from app.extensions import db

BATCH = 50


@click.command("exhibition-judge-copies")
@click.option("--exhibition", "exhibition_id", type=int, default=None, help="only this exhibition")
@with_appcontext
def judge_copies_command(exhibition_id: int | None) -> None:
    """Make the missing judges' copies, a batch at a time, committing each batch (files written for a
    batch that does not commit are removed)."""
    from events.exhibition.services import files
    from events.exhibition.services.processing import backfill_judge_copies

    total = 0
    while True:
        done, written = backfill_judge_copies(exhibition_id, limit=BATCH)
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            files.remove_files(written)
            raise
        total += done
        if done < BATCH:
            break
    click.echo(f"judges' copies made: {total}")
