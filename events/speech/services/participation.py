"""Who took part in a campaign's speech contests, for the campaign's coverage (issue 14): registered,
approved, performed — three providers of group "speech", each a select of (user_id, took_part_at,
unit_id), credited to the unit the entry was made for."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.hooks import ParticipationProvider
from events.speech.models import SpeechContest, SpeechEntry, SpeechSheet, SpeechSlot


def registered_participants(campaign):
    """Members with a registration (pending or approved, not rejected or withdrawn) in a contest of
    `campaign`, from when they registered."""
    return (sa.select(SpeechEntry.member_id.label("user_id"), SpeechEntry.created_at.label("took_part_at"),
                      SpeechEntry.unit_id)
            .join(SpeechContest, SpeechContest.id == SpeechEntry.contest_id)
            .where(SpeechContest.campaign_id == campaign.id, SpeechEntry.status.in_(("registered", "approved"))))


def approved_participants(campaign):
    """Members whose registration was approved, from the decision (or the registration when none)."""
    return (sa.select(SpeechEntry.member_id.label("user_id"),
                      sa.func.coalesce(SpeechEntry.decided_at, SpeechEntry.created_at).label("took_part_at"),
                      SpeechEntry.unit_id)
            .join(SpeechContest, SpeechContest.id == SpeechEntry.contest_id)
            .where(SpeechContest.campaign_id == campaign.id, SpeechEntry.status == "approved"))


def performed_participants(campaign):
    """Members who spoke in a round (on stage or done, or scored by a judge; not 弃权/缺席, not the
    rehearsal), from when they went on stage (or their first sheet)."""
    first_sheet = (sa.select(sa.func.min(SpeechSheet.submitted_at)).where(SpeechSheet.slot_id == SpeechSlot.id)
                   .correlate(SpeechSlot).scalar_subquery())
    has_sheet = sa.select(SpeechSheet.id).where(SpeechSheet.slot_id == SpeechSlot.id).correlate(SpeechSlot).exists()
    return (sa.select(SpeechEntry.member_id.label("user_id"),
                      sa.func.coalesce(SpeechSlot.on_stage_at, first_sheet).label("took_part_at"),
                      SpeechEntry.unit_id)
            .join(SpeechEntry, SpeechEntry.id == SpeechSlot.entry_id)
            .join(SpeechContest, SpeechContest.id == SpeechEntry.contest_id)
            .where(SpeechContest.campaign_id == campaign.id, SpeechSlot.is_rehearsal.is_(False),
                   SpeechSlot.status != "no_show",
                   sa.or_(SpeechSlot.status.in_(("on_stage", "done")), has_sheet)))


def participation_providers() -> list[ParticipationProvider]:
    """The three speech contest figures, each with the definition shown beside it."""
    return [
        ParticipationProvider("speech_registered", _l("演讲比赛·已报名"),
                              _l("报名参加演讲比赛的人员（含待审核，不含被退回和已撤回）"), registered_participants,
                              group="speech"),
        ParticipationProvider("speech_approved", _l("演讲比赛·已通过"), _l("报名经组织者审核通过的人员"),
                              approved_participants, group="speech", counts_for_coverage=False),
        ParticipationProvider("speech_performed", _l("演讲比赛·已登台"),
                              _l("在任一轮比赛中登台演讲的人员（弃权/缺席和试评不计）"), performed_participants,
                              group="speech", counts_for_coverage=False),
    ]
