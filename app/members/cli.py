"""flask --app wsgi members import|export."""
from flask.cli import AppGroup

members_cli = AppGroup("members", help="Import and export the member roster (人员名册).")
