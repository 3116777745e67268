"""Command-line entry points: flask --app wsgi <command>."""


def register_commands(app) -> None:
    pass
