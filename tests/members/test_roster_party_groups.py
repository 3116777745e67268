"""Party groups (党小组) and the branch-committee flag (支委) in the roster import, export and pages."""
import pytest
import sqlalchemy as sa

from app.common.xlsx import ImportFailed
from app.extensions import db
from app.members.exports import roster_workbook
from app.members.importing import import_roster
from app.units.models import PartyGroup
from tests.members.helpers import sheet_rows, users_by_staff_id

HEADERS = ["单位", "姓名", "工号", "手机号", "支部", "党小组", "支委"]


def problems_of(source, **options):
    with pytest.raises(ImportFailed) as failure:
        import_roster(source, **options)
    db.session.rollback()
    return [(problem.row, problem.column, problem.message) for problem in failure.value.problems]


@pytest.fixture
def office(make_unit):
    office = make_unit("市委办公室")
    make_unit("第一党支部", parent=office)
    db.session.commit()
    return office


def test_groups_and_committee_flags_are_imported_and_groups_created_on_request(office, xlsx):
    source = xlsx([HEADERS,
                   ["市委办公室", "甲", "A1", "13800000001", "第一党支部", "第一党小组", "是"],
                   ["市委办公室", "乙", "A2", "13800000002", "第一党支部", "第一党小组", None],
                   ["市委办公室", "丙", "A3", "13800000003", "第一党支部", "第二党小组", "√"]])
    result = import_roster(source, create_units=True)
    db.session.commit()
    people = users_by_staff_id()
    assert {person.party_group.name for person in people.values()} == {"第一党小组", "第二党小组"}
    assert people["A1"].party_group_id == people["A2"].party_group_id != people["A3"].party_group_id
    assert (people["A1"].is_branch_committee, people["A2"].is_branch_committee,
            people["A3"].is_branch_committee) == (True, False, True)
    assert sorted(result.groups_created) == ["市委办公室 / 第一党支部 / 第一党小组", "市委办公室 / 第一党支部 / 第二党小组"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PartyGroup)) == 2

    # export then import changes nothing
    exported = roster_workbook(sa.select(sa.literal_column("users.id")).select_from(sa.table("users")))
    rows = sheet_rows(exported)
    assert rows[0][7:9] == ("党小组", "支委")
    assert {row[2]: row[7:9] for row in rows[1:]}["A1"] == ("第一党小组", "是")
    again = import_roster(exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_unknown_group_without_creating_and_group_without_branch_are_refused(office, xlsx):
    source = xlsx([HEADERS,
                   ["市委办公室", "甲", "A1", "13800000001", "第一党支部", "不存在的小组", "否"],
                   ["市委办公室", "乙", "A2", "13800000002", None, "第一党小组", None],
                   ["市委办公室", "丙", "A3", "13800000003", "第一党支部", None, "也许"]])
    problems = problems_of(source)
    assert [(row, column) for row, column, _message in problems] == [(2, "党小组"), (3, "党小组"), (4, "支委")]
    assert "没有党小组「不存在的小组」" in problems[0][2]
    assert "支部" in problems[1][2]
    assert users_by_staff_id() == {}


def test_absent_columns_keep_the_group_and_moving_branch_leaves_it(office, make_unit, xlsx):
    import_roster(xlsx([HEADERS, ["市委办公室", "甲", "A1", "13800000001", "第一党支部", "第一党小组", "是"]]),
                  create_units=True)
    db.session.commit()
    import_roster(xlsx([["单位", "姓名", "工号", "支部"], ["市委办公室", "甲", "A1", "第一党支部"]]))
    db.session.commit()
    person = users_by_staff_id()["A1"]
    assert person.party_group.name == "第一党小组" and person.is_branch_committee
    make_unit("第二党支部", parent=office)
    db.session.commit()
    import_roster(xlsx([["单位", "姓名", "工号", "支部"], ["市委办公室", "甲", "A1", "第二党支部"]]))
    db.session.commit()
    db.session.expire_all()
    person = users_by_staff_id()["A1"]
    assert person.branch.name == "第二党支部" and person.party_group is None and person.is_branch_committee


def test_roster_pages_show_the_group_and_committee(office, xlsx, organiser_client):
    import_roster(xlsx([HEADERS, ["市委办公室", "甲", "A1", "13800000001", "第一党支部", "第一党小组", "是"]]),
                  create_units=True)
    db.session.commit()
    client = organiser_client
    listing = client.get("/members/").get_data(as_text=True)
    assert "第一党小组" in listing and "支委" in listing
    person = users_by_staff_id()["A1"]
    page = client.get(f"/members/{person.id}").get_data(as_text=True)
    assert "第一党小组" in page


def test_the_member_form_sets_the_group_and_committee_within_the_branch(office, organiser_client, make_member):
    branch = office.branches[0]
    other_branch = PartyGroup(branch_id=branch.id, name="第一党小组")
    db.session.add(other_branch)
    db.session.commit()
    member = make_member(unit=office, branch=branch, name="甲", staff_id="A1")
    data = {"name": "甲", "staff_id": "A1", "unit_id": office.id, "branch_id": branch.id,
            "party_group_id": other_branch.id, "is_branch_committee": "y"}
    assert "第一党小组" in organiser_client.get(f"/members/{member.id}/edit").get_data(as_text=True)
    assert organiser_client.post(f"/members/{member.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert member.party_group_id == other_branch.id and member.is_branch_committee
    # a group outside the chosen branch is refused beside its field
    refused = organiser_client.post(f"/members/{member.id}/edit", data={**data, "branch_id": 0})
    assert refused.status_code == 400 and "该党小组不属于所选支部" in refused.get_data(as_text=True)
