"""A small scene for the input side's tests: two units, their liaisons and members, an organiser and a
campaign running from 30 days ago to 30 days ahead."""
from dataclasses import dataclass
from datetime import date, timedelta

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.common.clock import local_today
from app.units.models import Unit


@dataclass
class Scene:
    unit_a: Unit
    unit_b: Unit
    liaison_a: User
    liaison_b: User
    member_a: User
    other_a: User
    member_b: User
    organiser: User
    campaign: Campaign

    @property
    def today(self) -> date:
        return local_today()


def make_scene(make_unit, make_user, make_staff, make_campaign) -> Scene:
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    return Scene(
        unit_a=unit_a, unit_b=unit_b,
        liaison_a=make_staff("liaison", unit=unit_a, name="甲联络员"),
        liaison_b=make_staff("liaison", unit=unit_b, name="乙联络员"),
        member_a=make_user(unit=unit_a, name="张三", staff_id="A001"),
        other_a=make_user(unit=unit_a, name="李四", staff_id="A002"),
        member_b=make_user(unit=unit_b, name="王五", staff_id="B001"),
        organiser=make_staff("organiser", name="组织者"),
        campaign=make_campaign("全覆盖专项活动", local_today() - timedelta(days=30), local_today() + timedelta(days=30)),
    )
