"""Command-line entry points: flask --app wsgi <command>. Each feature keeps its commands beside it."""


def register_commands(app) -> None:
    from app.demo import demo_command
    from app.jobs_cli import jobs_cli
    from app.members.cli import members_cli
    from quizzes.cli import quiz_cli

    app.cli.add_command(demo_command)
    app.cli.add_command(members_cli)
    app.cli.add_command(quiz_cli)
    app.cli.add_command(jobs_cli)
