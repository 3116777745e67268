"""The roster's pages on one blueprint, `members`: common.py the blueprint and what the pages share,
roster.py people (list, person page, edit, (de)activate, password reset, roles), transfer.py
import and export."""
from app.members.views import roster, transfer  # noqa: F401  (their routes are on bp)
from app.members.views.common import bp

__all__ = ["bp"]
