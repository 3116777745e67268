"""What check-in shows on other pages: the stewards' events on the home page."""
from flask_login import current_user

from events.checkin.services.scanning import staffed_events


def home_section(user=None) -> dict | None:
    """Events taking check-ins now that the user staffs (stewards; organisers see them in 签到活动)."""
    user = user or current_user
    if not user.is_authenticated or user.is_organiser:
        return None
    events = staffed_events(user)
    return {"events": events} if events else None
