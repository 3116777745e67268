"""The attendance-side areas of the check-in blueprint, each a child blueprint: attendance (考勤统计),
leave (请假与不计入), calendar (三会一课), records (会议记录, 签到表, 纸质签到录入)."""
from flask import Blueprint


def register_areas(parent: Blueprint) -> None:
    """Add the attendance-side child blueprints to the check-in blueprint (endpoints checkin.<area>.<view>)."""
    from events.checkin.views import attendance, calendar, leave, records

    for module in (attendance, leave, calendar, records):
        parent.register_blueprint(module.bp)
