"""What the liaison enters reaches the figures only once approved: an offline record adds to the
activity's count (shown apart as offline), an exemption leaves the headcount and is listed."""
from datetime import timedelta

from app.extensions import db
from app.participation import exemptions, offline, services
from app.participation.exemptions import ExemptionData
from app.participation.offline import OfflineData


def unit_row(figures, unit):
    return next(row for row in figures.units if row.unit_id == unit.id)


def test_offline_and_exemptions_change_the_figures_once_approved(scene):
    before = unit_row(services.campaign_figures(scene.campaign), scene.unit_a)
    record = offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a],
                                   OfflineData("quiz", scene.today - timedelta(days=1), "written_quiz"))[0]
    exemption = exemptions.enter_exemption(scene.liaison_a, scene.other_a, ExemptionData(
        "sick_leave", "长期病休", scene.today - timedelta(days=5)))
    db.session.commit()
    pending = unit_row(services.campaign_figures(scene.campaign), scene.unit_a)
    assert (pending.headcount, pending.figures["quiz"].count, pending.offline.get("quiz", 0)) == (
        before.headcount, before.figures["quiz"].count, 0)

    offline.decide_offline(scene.organiser, [record], "approved")
    exemptions.decide_exemptions(scene.organiser, [exemption], "approved")
    db.session.commit()
    after = unit_row(services.campaign_figures(scene.campaign), scene.unit_a)
    assert after.headcount == before.headcount - 1 and after.exempt == before.exempt + 1
    assert after.figures["quiz"].count == before.figures["quiz"].count + 1
    assert after.offline["quiz"] == 1
    assert [member.name for member in services.exempt_members(scene.campaign, unit_id=scene.unit_a.id)] == ["李四"]
