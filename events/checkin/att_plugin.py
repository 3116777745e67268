"""The attendance side's registrations, called from events.checkin.init_app: menu entries, home and
campaign sections, audit labels, the participation provider and the demo loader."""
from flask_babel import lazy_gettext as _l


def register_attendance(app) -> None:
    """Plug attendance, leave, 三会一课, records and their sections into the platform (app/hooks.py)."""
    from app import hooks
    from events.checkin import att_sections
    from events.checkin.att_demo import load_demo_meetings

    hooks.add_navigation(app, "checkin.attendance.index", _l("会议考勤"), order=320)
    hooks.add_navigation(app, "checkin.calendar.index", _l("三会一课"), order=330)
    hooks.add_navigation(app, "checkin.leave.mine", _l("会议请假"), order=340)
    hooks.add_home_section(app, "events/checkin/sections/_home.html", att_sections.home_section, order=60)
    hooks.add_campaign_section(app, "events/checkin/sections/_campaign.html", att_sections.campaign_section,
                               order=120)
    hooks.add_audit_labels(app, {
        "checkin.leave.requested": _l("申请会议请假"),
        "checkin.leave.approved": _l("批准会议请假"),
        "checkin.leave.rejected": _l("不批准会议请假"),
        "checkin.leave.withdrawn": _l("撤回会议请假"),
        "checkin.exemption.added": _l("设为不计入应到"),
        "checkin.exemption.removed": _l("恢复计入应到"),
        "checkin.paper_entered": _l("录入纸质签到表"),
        "checkin.minutes.saved": _l("保存会议记录"),
        "checkin.photo.added": _l("上传会议照片"),
        "checkin.photo.deleted": _l("删除会议照片"),
        "checkin.attendance_exported": _l("导出会议考勤"),
    })
    hooks.add_participation_provider(app, hooks.ParticipationProvider(
        "checkin", _l("会议签到"), _l("在受邀会议中至少签到一次的人员"),
        att_sections.checkin_participants, group="checkin", attendance=att_sections.checkin_attendance,
        attendance_changes=att_sections.checkin_attendance_changes))
    hooks.add_demo_loader(app, load_demo_meetings)

