"""The engine against a campaign worked out by hand (the numbers in the comments are the hand sums).

Units: 甲 (一支部, 二支部, members outside a branch), 乙, 丙 (nobody), 戊 and 己 (one member each).
As of 20 March 12:00 (Shanghai). Figures: quiz (required), speech (required, with the entry's unit),
exhibition, practice (does not count for coverage), meet (with attendance)."""
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.common.clock import from_local
from app.extensions import db
from app.hooks import add_participation_provider
from app.participation import services
from app.participation.figures import Rate
from app.participation.models import OfflineParticipation, ParticipationExemption
from app.participation.settings import SettingData, save_settings
from tests.participation.helpers import literal_provider, member_with_history

pytestmark = pytest.mark.app_config(FEATURES=())


def at(day: int, hour: int = 10) -> datetime:
    """10:00 Shanghai on `day` March 2026, as naive UTC."""
    return from_local(datetime(2026, 3, day, hour))


AS_OF = at(20, 12)
BEFORE = from_local(datetime(2026, 2, 1, 9))


@pytest.fixture
def world(app, make_unit, make_member, make_campaign, make_staff):
    campaign = make_campaign("全覆盖专项", date(2026, 3, 1), date(2026, 3, 31))
    jia, yi, bing = make_unit("甲"), make_unit("乙"), make_unit("丙")
    wu, ji = make_unit("戊"), make_unit("己")
    one, two = make_unit("一支部", parent=jia, sort_order=1), make_unit("二支部", parent=jia, sort_order=2)

    def person(name, *history):
        return member_with_history(make_member, name, list(history))

    m = {}
    for name, branch in (("a1", one), ("a2", one), ("a3", one), ("a4", two), ("a5", two)):
        m[name] = person(name, (BEFORE, jia, branch, True))
    m["a6"] = person("a6", (BEFORE, jia, None, True))
    m["e"] = person("e", (BEFORE, jia, two, True))  # exempt
    m["x_ip"] = person("x_ip", (BEFORE, jia, one, True), (at(12), jia, one, False))  # took part, then left
    m["t"] = person("t", (BEFORE, jia, one, True), (at(10), yi, None, True))  # transferred 甲 → 乙
    for name in ("b1", "b2", "b3"):
        m[name] = person(name, (BEFORE, yi, None, True))
    m["x_i"] = person("x_i", (BEFORE, yi, None, True), (at(10), yi, None, False))
    m["j"] = person("j", (at(15), yi, None, True))  # joined mid-campaign
    m["j_late"] = person("j_late", (at(25), yi, None, True))  # joins after the as-of date
    m["w1"] = person("w1", (BEFORE, wu, None, True))
    m["k1"] = person("k1", (BEFORE, ji, None, True))

    quiz_rows = [(m["a1"], at(2), None), (m["a2"], at(3), None), (m["x_ip"], at(5), None), (m["t"], at(5), None),
                 (m["j"], at(16), None), (m["b1"], at(4), None), (m["a4"], at(21), None),
                 (m["w1"], at(12), None), (m["k1"], at(13), None), (m["a1"], at(9), None)]
    scores = [(m["a1"], 90), (m["a1"], 80), (m["a2"], 70), (m["x_ip"], 60), (m["t"], 100), (m["j"], 50),
              (m["b1"], 85), (m["a4"], 99)]
    add_participation_provider(app, literal_provider("quiz", quiz_rows, group="quiz", scores=scores))
    add_participation_provider(app, literal_provider("practice", [(m["b3"], at(10), None)], group="quiz",
                                                     counts_for_coverage=False))
    add_participation_provider(app, literal_provider("speech", [(m["a1"], at(6), jia), (m["t"], at(15), yi),
                                                                (m["b3"], at(18), yi)], group="speech"))
    add_participation_provider(app, literal_provider("exhibition", [(m["a1"], at(7), jia), (m["a5"], at(9), jia),
                                                                    (m["x_i"], at(8), yi)]))
    add_participation_provider(app, literal_provider(
        "meet", [(m["a1"], at(11), jia), (m["a2"], at(11), jia)],
        attendance=[(m["a1"], 2, 2, jia), (m["a2"], 2, 1, jia), (m["b1"], 1, 0, yi), (m["e"], 2, 0, jia)]))

    organiser = make_staff("organiser")
    db.session.add(ParticipationExemption(user_id=m["e"].id, campaign_id=campaign.id, kind="sick_leave",
                                          reason="长期病休", starts_on=date(2026, 3, 1), status="approved"))
    db.session.add(OfflineParticipation(campaign_id=campaign.id, provider_key="quiz", user_id=m["b2"].id,
                                        unit_id=yi.id, took_part_on=date(2026, 3, 8), took_part_at=at(8, 12),
                                        source="written_quiz", status="approved"))
    db.session.add(OfflineParticipation(campaign_id=campaign.id, provider_key="quiz", user_id=m["b3"].id,
                                        unit_id=yi.id, took_part_on=date(2026, 3, 8), took_part_at=at(8, 12),
                                        source="written_quiz", status="pending"))
    db.session.commit()
    return {"campaign": campaign, "m": m, "organiser": organiser,
            "units": {"甲": jia, "乙": yi, "丙": bing, "戊": wu, "己": ji, "一": one, "二": two}}


def by_name(figures):
    return {row.name: row for row in figures.units}


def branch(row, name):
    return next(item for item in row.branches if item.name == name)


def configure(world, **settings):
    save_settings(world["organiser"], world["campaign"], settings)
    db.session.commit()


def test_every_figure_matches_the_hand_sums(world):
    campaign = world["campaign"]
    figures = services.campaign_figures(campaign, as_of=AS_OF)
    rows = by_name(figures)
    jia, yi, bing, wu = rows["甲"], rows["乙"], rows["丙"], rows["戊"]
    assert [row.name for row in figures.units] == sorted(["甲", "乙", "丙", "戊", "己"])
    assert [column.key for column in figures.columns] == ["quiz", "practice", "speech", "exhibition", "meet",
                                                          "meet_attendance"]

    # headcount at as-of: 甲 a1 a2 a3 | a4 a5 | a6 (e exempt; x_ip inactive; t moved) — 乙 b1 b2 b3 t j
    assert (jia.headcount, jia.exempt, yi.headcount, yi.exempt, bing.headcount) == (6, 1, 5, 0, 0)
    assert [(b.name, b.headcount, b.exempt) for b in jia.branches] == [("一支部", 3, 0), ("二支部", 2, 1),
                                                                       ("未分支部", 1, 0)]
    assert (figures.total.headcount, figures.total.exempt) == (13, 1)
    assert services.headcount(campaign, as_of=AS_OF) == {world["units"]["甲"].id: 6, world["units"]["乙"].id: 5,
                                                         world["units"]["戊"].id: 1, world["units"]["己"].id: 1}

    # quiz: 甲/一 a1 a2 x_ip t over those + a3; 乙 j b1 b2(offline) over those + b3 (t counts in 甲); a4 after as-of
    assert branch(jia, "一支部").figures["quiz"] == Rate(4, 5)
    assert jia.figures["quiz"] == Rate(4, 8) and jia.figures["quiz"].percent == Decimal("50.0")
    assert yi.figures["quiz"] == Rate(3, 4) and yi.offline["quiz"] == 1 and jia.offline["quiz"] == 0
    assert bing.figures["quiz"] == Rate(0, 0) and bing.figures["quiz"].percent is None
    assert figures.total.figures["quiz"] == Rate(9, 14) and figures.total.offline["quiz"] == 1
    # speech, credited to the entry's unit: a1 → 甲 (一支部 from the history), t and b3 → 乙
    assert (jia.figures["speech"], branch(jia, "一支部").figures["speech"], yi.figures["speech"]) == (
        Rate(1, 6), Rate(1, 3), Rate(2, 5))
    assert figures.total.figures["speech"] == Rate(3, 13)
    # exhibition: a1, a5 → 甲; x_i (inactive since, took part before) → 乙
    assert (jia.figures["exhibition"], yi.figures["exhibition"], figures.total.figures["exhibition"]) == (
        Rate(2, 6), Rate(1, 6), Rate(3, 14))
    assert (yi.figures["practice"], figures.total.figures["practice"]) == (Rate(1, 5), Rate(1, 13))
    # meet and its attendance: e is exempt, so her invitations do not count
    assert (jia.figures["meet"], figures.total.figures["meet"]) == (Rate(2, 6), Rate(2, 13))
    assert jia.attendance == Rate(3, 4) and yi.attendance == Rate(0, 1) and figures.total.attendance == Rate(3, 5)
    assert branch(jia, "一支部").attendance == Rate(3, 4) and figures.total.attendance.percent == Decimal("60.0")

    # at least one (not practice): 甲 a1 a2 x_ip t a5 over those + a3 a4 a6; 乙 j b1 b2 b3 x_i over those
    # (t took part, credited to 甲); 15 = 12 who took part + a3 a4 a6
    assert (jia.any_one, yi.any_one, figures.total.any_one) == (Rate(5, 8), Rate(5, 5), Rate(12, 15))
    assert jia.coverage == jia.any_one  # nothing required yet

    # quiz average: each member's score rows, credited to the unit of their quiz (a4's is after as-of)
    assert (jia.quiz_average, yi.quiz_average, wu.quiz_average) == (Decimal("80.00"), Decimal("67.50"), None)
    assert figures.total.quiz_average == Decimal("76.43")

    # the rows sum to the total
    for key in ("quiz", "speech", "exhibition", "practice", "meet", "meet_attendance"):
        assert sum((row.figures[key] for row in figures.units), Rate(0, 0)) == figures.total.figures[key]
    for row in figures.units:
        for key in ("quiz", "speech"):
            assert sum((item.figures[key] for item in row.branches), Rate(0, 0)) == row.figures[key]


def test_required_targets_weights_composite_and_shared_ranks(world):
    configure(world, quiz=SettingData(True, Decimal("70"), Decimal("2"), True),
              speech=SettingData(True, None, Decimal("1"), True),
              meet=SettingData(False, None, Decimal("0"), True))
    figures = services.campaign_figures(world["campaign"], as_of=AS_OF)
    rows = by_name(figures)
    jia, yi = rows["甲"], rows["乙"]
    # coverage = quiz and speech: a1 (completed by speech in 甲/一), t (completed by speech in 乙)
    assert (jia.coverage, branch(jia, "一支部").coverage, yi.coverage) == (Rate(1, 6), Rate(1, 3), Rate(1, 5))
    assert figures.total.coverage == Rate(2, 13) and figures.total.any_one == Rate(12, 15)
    assert "quiz" in jia.below_target and "quiz" not in yi.below_target and not rows["丙"].below_target
    assert "quiz" in branch(jia, "二支部").below_target
    # composite = (2 × quiz + speech + exhibition) / 4 on the one-decimal rates
    assert jia.composite == Decimal("37.50")  # (2×50.0 + 16.7 + 33.3) / 4
    assert yi.composite == Decimal("51.68")  # (2×75.0 + 40.0 + 16.7) / 4 = 51.675
    assert rows["戊"].composite == rows["己"].composite == Decimal("50.00")  # (2×100 + 0 + 0) / 4
    assert rows["丙"].composite is None and rows["丙"].rank is None
    assert [(row.name, row.rank) for row in sorted(figures.units, key=lambda row: (row.rank or 99, row.name))] == [
        ("乙", 1), ("己", 2), ("戊", 2), ("甲", 4), ("丙", None)]
    assert figures.total.composite == Decimal("43.28")  # (2×64.3 + 23.1 + 21.4) / 4


def test_drill_down_chase_and_exempt_lists(world):
    configure(world, quiz=SettingData(True, None, Decimal("1"), True),
              speech=SettingData(True, None, Decimal("1"), True))
    campaign, units = world["campaign"], world["units"]
    jia_members = {status.name: status for status in services.unit_members(campaign, units["甲"].id, as_of=AS_OF)}
    assert set(jia_members) == {"a1", "a2", "a3", "a4", "a5", "a6", "e", "x_ip", "t"}
    assert jia_members["t"].transferred and jia_members["t"].unit_name == "乙"
    assert not jia_members["a1"].transferred and jia_members["a1"].branch_name == "一支部"
    assert jia_members["a1"].done["quiz"] == at(2) and jia_members["a1"].missing_required == []
    assert jia_members["a2"].missing_required == ["speech"] and jia_members["e"].exempt_reason == "长期病休"
    one = services.unit_members(campaign, units["甲"].id, as_of=AS_OF, branch_id=units["一"].id)
    assert {status.name for status in one} == {"a1", "a2", "a3", "x_ip", "t"}

    yi_members = {status.name: status for status in services.unit_members(campaign, units["乙"].id, as_of=AS_OF)}
    assert set(yi_members) == {"b1", "b2", "b3", "t", "j", "x_i"}
    assert yi_members["b2"].offline == {"quiz"} and yi_members["t"].transferred
    assert yi_members["b3"].done["quiz"] is None  # the pending offline record does not count

    assert {s.name for s in services.chase_list(campaign, units["甲"].id, as_of=AS_OF)} == {"a3", "a4", "a6"}
    assert {s.name for s in services.chase_list(campaign, units["甲"].id, as_of=AS_OF, key="speech")} == {
        "a2", "a3", "a4", "a5", "a6"}
    assert services.chase_list(campaign, units["乙"].id, as_of=AS_OF) == []
    assert [s.name for s in services.chase_list(campaign, units["乙"].id, as_of=AS_OF, key="quiz")] == ["b3"]
    exempt = services.exempt_members(campaign, as_of=AS_OF)
    assert [(s.name, s.exempt_reason, s.unit_name, s.branch_name) for s in exempt] == [("e", "长期病休", "甲", "二支部")]
    assert services.exempt_members(campaign, as_of=AS_OF, unit_id=units["乙"].id) == []


def test_the_headcount_agrees_everywhere(world):
    campaign, units = world["campaign"], world["units"]
    figures = services.campaign_figures(campaign, as_of=AS_OF)
    counts = services.headcount(campaign, as_of=AS_OF)
    for row in figures.units:
        on_roster = [s for s in services.unit_members(campaign, row.unit_id, as_of=AS_OF)
                     if s.unit_id == row.unit_id and s.exempt_reason is None and s.name not in ("x_ip", "x_i")]
        assert row.headcount == counts.get(row.unit_id, 0) == len(on_roster)
    assert services.headcount(campaign, as_of=AS_OF, unit_ids=[units["乙"].id]) == {units["乙"].id: 5}


def test_an_earlier_as_of_and_a_later_one(world):
    campaign = world["campaign"]
    early = by_name(services.campaign_figures(campaign, as_of=at(5, 9)))
    # 5 March 09:00: j has not joined, t is still in 甲, x_ip and x_i are active
    assert (early["甲"].headcount, early["乙"].headcount) == (8, 4)
    assert early["甲"].figures["quiz"] == Rate(2, 8)  # a1 a2 by then
    late = by_name(services.campaign_figures(campaign, as_of=at(26)))
    assert late["乙"].headcount == 6 and late["甲"].figures["quiz"] == Rate(5, 8)  # j_late joined; a4 took part


def test_snapshot_round_trip_and_daily_series(world):
    from app.common import clock
    from app.participation.snapshots import snapshot_running_campaigns

    campaign = world["campaign"]
    with clock.frozen_at(at(20, 12)):
        first = services.take_snapshot(campaign, day=date(2026, 3, 19))
        again = services.take_snapshot(campaign, day=date(2026, 3, 19))  # idempotent: one row, rewritten
        stored = services.snapshot_figures(campaign, date(2026, 3, 19))
        assert stored.total == again.total == first.total and stored.units == first.units
        assert stored.columns == first.columns and stored.as_of == first.as_of
        assert services.snapshot_figures(campaign, date(2026, 3, 18)) is None
        assert snapshot_running_campaigns() == 1  # today only: yesterday's was taken after its end
        series = services.daily_series(campaign)
    assert [day for day, _point in series] == [date(2026, 3, 19), date(2026, 3, 20)]
    # the end of 19 March holds the same participants as noon on the 20th (a4's quiz is on the 21st)
    assert series[0][1]["quiz"] == series[1][1]["quiz"] == Decimal("64.3")
    assert series[1][1]["any_one"] == Decimal("80.0") and series[1][1]["coverage"] == Decimal("80.0")
    count = db.session.scalar(sa.text("SELECT count(*) FROM participation_snapshots"))
    assert count == 2


def test_settings_save_is_audited_and_defaults_hold(world):
    from app.audit.models import AuditEntry
    from app.participation.settings import columns_for

    columns = {column.key: column for column in columns_for(world["campaign"])}
    assert columns["quiz"].weight == 1 and columns["practice"].weight == 0
    assert not columns["practice"].counts_for_coverage and columns["meet_attendance"].kind == "attendance"
    configure(world, quiz=SettingData(True, Decimal("80"), Decimal("3"), True))
    columns = {column.key: column for column in columns_for(world["campaign"])}
    assert columns["quiz"].required and columns["quiz"].target_rate == Decimal("80.0")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participation.settings_saved"))
    assert entry.details["keys"] == ["quiz"]


def test_daily_series_reads_the_stored_points_not_the_figures(world):
    """The trend reads each snapshot's small series point: with its figures blanked the points stand,
    and a snapshot from before the series column (NULL) still counts, from its figures."""
    from app.common import clock

    campaign = world["campaign"]
    with clock.frozen_at(at(20, 12)):
        services.take_snapshot(campaign, day=date(2026, 3, 18))
        services.take_snapshot(campaign, day=date(2026, 3, 19))
        db.session.execute(sa.text("UPDATE participation_snapshots SET figures = :blank WHERE day = :day"),
                           {"blank": "{}", "day": date(2026, 3, 19)})
        db.session.execute(sa.text("UPDATE participation_snapshots SET series = NULL WHERE day = :day"),
                           {"day": date(2026, 3, 18)})
        db.session.expire_all()
        series = services.daily_series(campaign)
    assert [day for day, _point in series] == [date(2026, 3, 18), date(2026, 3, 19), date(2026, 3, 20)]
    assert series[0][1] == series[1][1] and series[1][1]["quiz"] == Decimal("64.3")
    assert series[1][1]["coverage"] == series[2][1]["coverage"] == Decimal("80.0")
