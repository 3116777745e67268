"""The speech contest blueprint, assembled from one child blueprint per area.

Endpoints read as speech.<area>.<view>.
"""
from importlib import import_module

from flask import Blueprint

# Each area is a module of this package with a `bp` child blueprint.
AREAS: tuple[str, ...] = ("setup", "registration", "judging", "judge", "draw", "live", "results")


def build_blueprint() -> Blueprint:
    parent = Blueprint("speech", __name__, url_prefix="/speech")
    for name in AREAS:
        parent.register_blueprint(import_module(f"events.speech.views.{name}").bp)
    return parent
