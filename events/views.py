from flask import Blueprint

# Routes arrive with the speech-contest, exhibition and check-in issues.
bp = Blueprint("events", __name__, url_prefix="/events")
