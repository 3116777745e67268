"""`flask speech-verify-draw ROUND_ID`: re-run a round's draw from its stored seed and algorithm and
compare with the stored running order (anyone with the database can check the draw)."""
import click
from flask.cli import with_appcontext

from app.extensions import db
from events.speech.models import SpeechRound
from events.speech.services.draw import verify_draw


@click.command("speech-verify-draw")
@click.argument("round_id", type=int)
@with_appcontext
def verify_draw_command(round_id: int) -> None:
    """Re-run ROUND_ID's seeded draw; exit status 1 when the stored order differs or cannot be checked."""
    round_ = db.session.get(SpeechRound, round_id)
    if round_ is None:
        raise click.ClickException(f"no round {round_id}")
    check = verify_draw(round_)
    click.echo(f"round {round_.id} {round_.name}: algorithm={check.algorithm} seed={check.seed}")
    click.echo("stored:   " + " ".join(str(entry_id) for entry_id in check.stored))
    if not check.verifiable:
        click.echo("not verifiable: the order was typed in from a physical draw (or not drawn)")
        raise SystemExit(1)
    click.echo("computed: " + " ".join(str(entry_id) for entry_id in check.computed))
    click.echo("MATCH" if check.matches else "DIFFERENT (see the audit log for changes after the draw)")
    if not check.matches:
        raise SystemExit(1)
