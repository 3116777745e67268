"""The participation pages on the real engine: a constant number of SQL statements whatever the size,
figures correct at the moment of viewing, and one headcount on the dashboard, the drill-down and the
workbook."""
import io
import re

from openpyxl import load_workbook

from tests.participation.pages_data import populate, settings, submit
from tests.support import forget_kept


def dashboard_statements(client, campaign, count_queries) -> int:
    """The statements of a dashboard view that computes the figures (none kept from the warm-up)."""
    client.get(f"/participation/{campaign.id}")  # warm: the session's user and the first request's lookups
    forget_kept(client.application)
    with count_queries() as counter:
        response = client.get(f"/participation/{campaign.id}")
    assert response.status_code == 200
    return counter.count


def test_dashboard_queries_do_not_grow_with_units_or_members(app, make_unit, make_member, make_campaign,
                                                             organiser_client, count_queries):
    small = make_campaign("小活动")
    populate(make_unit, make_member, small, units=2, per_unit=3)
    settings(small, quiz=(True, 70, 2))
    few = dashboard_statements(organiser_client, small, count_queries)
    large = make_campaign("大活动")
    populate(make_unit, make_member, large, units=8, per_unit=9)
    settings(large, quiz=(True, 70, 2))
    many = dashboard_statements(organiser_client, large, count_queries)
    assert few == many, f"{few} statements for 2 units of 3, {many} for 8 units of 9"


def test_unit_page_and_chase_list_queries_do_not_grow(app, make_unit, make_member, make_campaign, client_for,
                                                      make_staff, count_queries):
    campaign = make_campaign()
    units, _people, _quiz = populate(make_unit, make_member, campaign, units=2, per_unit=3)
    small_unit = units[0]
    big = make_unit("大单位")
    for _ in range(25):
        make_member(unit=big)
    from app.participation.history import record_membership

    record_membership(None)
    counts = {}
    for unit in (small_unit, big):
        client = client_for(make_staff("liaison", unit=unit))
        for page in ("", "/chase"):
            client.get(f"/participation/{campaign.id}/units/{unit.id}{page}")
            forget_kept(app)  # counted: a view that computes the figures, whatever the minute
            with count_queries() as counter:
                assert client.get(f"/participation/{campaign.id}/units/{unit.id}{page}").status_code == 200
            counts.setdefault(page, []).append(counter.count)
    assert counts[""][0] == counts[""][1] and counts["/chase"][0] == counts["/chase"][1], counts


def test_a_new_submission_shows_at_once(app, make_unit, make_member, make_campaign, organiser_client):
    campaign = make_campaign()
    _units, people, quiz = populate(make_unit, make_member, campaign, units=1, per_unit=4)
    settings(campaign, quiz=(True, 70, 1))
    before = organiser_client.get(f"/participation/{campaign.id}?sort=name").get_data(as_text=True)
    assert "2/4" in before
    submit(quiz, people[1])
    after = organiser_client.get(f"/participation/{campaign.id}?sort=name").get_data(as_text=True)
    assert "3/4" in after and "75.0%" in after


def test_headcount_agrees_on_dashboard_drill_down_and_workbook(app, make_unit, make_member, make_campaign,
                                                               organiser_client):
    campaign = make_campaign()
    units, _people, _quiz = populate(make_unit, make_member, campaign, units=2, per_unit=5)
    make_member(unit=units[0], active=False)  # left: counted nowhere
    from app.participation import services
    from app.participation.history import record_membership

    record_membership(None)
    figures = services.campaign_figures(campaign)
    expected = {row.unit_id: row.headcount for row in figures.units}
    counted = services.headcount(campaign, as_of=figures.as_of, unit_ids=list(expected))
    assert all(counted.get(unit_id, 0) == number for unit_id, number in expected.items())
    assert expected[units[0].id] == 5
    dashboard = organiser_client.get(f"/participation/{campaign.id}").get_data(as_text=True)
    for unit in units:
        row = re.search(rf'id="unit-{unit.id}".*?应参与人数</span><span class="pt-value">(\d+)<', dashboard, re.S)
        assert int(row.group(1)) == expected[unit.id]
        page = organiser_client.get(f"/participation/{campaign.id}/units/{unit.id}").get_data(as_text=True)
        assert re.search(r'<div class="value">(\d+)</div><div class="label">应参与人数', page).group(1) == str(
            expected[unit.id])
        assert f"人员参与明细（{expected[unit.id]} 人）" in page
    book = load_workbook(io.BytesIO(organiser_client.get(f"/participation/{campaign.id}/export.xlsx").data))
    rows = {row[0]: row for row in book["单位汇总"].iter_rows(min_row=2, values_only=True) if not row[1]}
    for unit in units:
        assert rows[unit.name][2] == expected[unit.id]
