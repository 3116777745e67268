"""What registration shows on other pages: the home page and the campaign page."""
import sqlalchemy as sa

from app.common.access import Role
from app.extensions import db
from events.speech.models import SpeechContest
from events.speech.services import registration as services


def home_section(user) -> dict | None:
    """Members see the contests open for application and their own entries; liaisons their unit's
    entries in contests still taking registrations (hidden when there is nothing)."""
    own = services.member_entries(user) if user.has_role(Role.MEMBER) else {}
    open_contests = services.open_contests()
    member_rows = []
    if user.has_role(Role.MEMBER):
        member_rows = [(contest, own.get(contest.id)) for contest in open_contests
                       if contest.allow_self_apply or contest.id in own]
    unit_rows = []
    unit_id = user.liaison_unit_id
    if unit_id is not None:
        unit_rows = [(contest, services.contest_entries(contest, unit_id=unit_id)) for contest in open_contests]
    if not member_rows and not unit_rows:
        return None
    return {"member_rows": member_rows, "unit_rows": unit_rows}


def campaign_section(campaign, user) -> dict | None:
    """The campaign's speech contests: organisers see every one with a set-up link, liaisons and
    members those open for registration and their own entries."""
    contests = list(db.session.scalars(sa.select(SpeechContest).where(SpeechContest.campaign_id == campaign.id)
                                       .order_by(SpeechContest.id)))
    if not contests:
        return None
    if user.is_organiser:
        return {"organiser": True, "rows": [(contest, None, services.window_state(contest)) for contest in contests]}
    own = services.member_entries(user) if user.has_role(Role.MEMBER) else {}
    rows = [(contest, own.get(contest.id), services.window_state(contest)) for contest in contests
            if contest.id in own or services.window_state(contest) == services.OPEN]
    if not rows:
        return None
    return {"organiser": False, "liaison": user.liaison_unit_id is not None, "rows": rows}


def contests_registering_unit(unit) -> str | None:
    """A unit that speech contest entries represent cannot be deleted: the entries keep their unit
    (the unit a contestant represented stays on the record)."""
    from events.speech.models import SpeechEntry

    titles = list(db.session.scalars(
        sa.select(SpeechContest.title).join(SpeechEntry, SpeechEntry.contest_id == SpeechContest.id)
        .where(SpeechEntry.unit_id == unit.id).distinct().order_by(SpeechContest.title)))
    if not titles:
        return None
    from flask_babel import gettext as _

    return _("还有演讲比赛%(titles)s的报名", titles="、".join(f"「{title}」" for title in titles))
