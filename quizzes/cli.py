"""flask --app wsgi quiz import-bank|export-bank|close-expired."""
from flask.cli import AppGroup

quiz_cli = AppGroup("quiz", help="Question banks and quiz maintenance.")
