"""flask --app wsgi demo: a realistic, idempotent demo data set with known logins."""
import click


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no users yet.")
def demo_command(if_empty: bool) -> None:
    """Load the demo campaign, units, members and staff accounts, then print the demo logins."""
