"""The check-in blueprint, one child per area; endpoints read checkin.<area>.<view>:
manage (organisers' set-up), display (the venue screen), scan (members: venue code, pending, own
code), desk (stewards and organisers: member codes, USB scanner, lookup, manual, annul)."""
from flask import Blueprint


def build_blueprint() -> Blueprint:
    from events.checkin.views import desk, display, manage, scan

    parent = Blueprint("checkin", __name__, url_prefix="/checkin")
    for module in (manage, display, scan, desk):
        parent.register_blueprint(module.bp)
    return parent
