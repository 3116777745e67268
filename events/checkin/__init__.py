"""Meetings and QR check-in (三会一课 与扫码签到): events per campaign, a rotating venue code that
survives a login, personal member codes scanned by stewards, leave, exemptions and attendance.

init_app registers the blueprint, navigation and audit labels through app/hooks.py.
"""


def init_app(app) -> None:
    """Plug check-in into the platform (blueprint, navigation, audit labels)."""
    from events.checkin.att_plugin import build_parent, register_attendance

    app.register_blueprint(build_parent())
    register_attendance(app)
