"""Campaign events held in rooms and halls: the speech contest (speech/), the calligraphy, painting
and photography exhibition (exhibition/), meetings with QR check-in (checkin/), and judging/, the
scoring rules and sheet lifecycle that the speech contest and the exhibition share.

Each sub-package has the feature shape (models, services, forms, views, exports) and its own
init_app(app); add it to SUB_FEATURES and it is plugged in with everything it registers.
"""
from importlib import import_module

SUB_FEATURES: tuple[str, ...] = ("events.speech", "events.checkin", "events.exhibition")


def init_app(app) -> None:
    """Plug each event sub-feature into the platform, in order."""
    for name in SUB_FEATURES:
        import_module(name).init_app(app)
