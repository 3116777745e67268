"""Roster import from workbooks shaped like the ones people really send."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.common.xlsx import ImportFailed
from app.extensions import db
from app.members.importing import PASSWORD_RANDOM, import_roster
from tests.members.helpers import snapshot, users_by_staff_id


def problems_of(source, **options):
    with pytest.raises(ImportFailed) as failure:
        import_roster(source, **options)
    db.session.rollback()
    return [(problem.row, problem.column, problem.message) for problem in failure.value.problems]


def test_realistic_spreadsheet_imports_every_person(make_unit, xlsx):
    office = make_unit("市委办公室")
    make_unit("第一党支部", parent=office)
    make_unit("市委组织部")
    source = xlsx([
        # headers in odd order, full-width and ordinary spaces around them, an extra column, a required mark
        ["序号", "\u3000姓 名", "手机号 ", "工号*", "单　位", "备注", "政治面貌", "性别", "支部"],
        [1, "张伟", 13800138000, "00123", "市委办公室", "新同志", "党员", "男", "第一党支部"],
        [2, "张伟", 13900139000, "00456", "市委组织部", "", "团员", "女", None],
        [3, "\u3000李　娜\u3000", "139 0013 9001", 789, "\u3000市委办公室 ", None, "中共党员", "女性", None],
        [None, None, None, None, None, None, None, None, None],
        [None, None, None, None, None, None, None, None, None],
    ], title_rows=["2026年度全市党员知识竞赛人员名册", "填报单位：市委办公室"])

    result = import_roster(source)
    db.session.commit()

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    people = users_by_staff_id()
    assert set(people) == {"00123", "00456", "789"}  # leading zeros kept; numbers without ".0"
    first, second, third = people["00123"], people["00456"], people["789"]
    assert first.name == second.name == "张伟"  # two people share a name: two accounts
    assert first.mobile == "13800138000" and third.mobile == "13900139001"
    assert (first.unit.name, first.branch.name) == ("市委办公室", "第一党支部")
    assert second.unit.name == "市委组织部" and second.branch is None
    assert third.name == "李娜" and third.unit_id == office.id
    assert (first.political_status, second.political_status) == ("中共党员", "共青团员")
    assert (first.gender, third.gender) == ("男", "女")
    assert all(person.must_change_password and person.active for person in people.values())
    assert first.check_password("138000") and third.check_password("139001")


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_imported(make_unit, make_member, roster):
    unit = make_unit("市委办公室")
    make_member(unit=unit, staff_id="E001", mobile="13700137000", name="老王")
    before = snapshot()
    source = roster([
        ["市委办公室", "甲", "A001", "12345", "男", "中共党员", None],             # row 2: short mobile
        ["市委办公室", "乙", "A002", "13800138001", "未知", "党员", None],        # row 3: gender
        ["市委办公室", "丙", "A003", "13800138002", "女", "基督徒", None],        # row 4: political status
        ["不存在的单位", "丁", "A004", "13800138003", "女", None, None],           # row 5: unknown unit
        ["市委办公室", None, "A005", "13800138004", None, None, None],            # row 6: name missing
        ["市委办公室", "戊", "A006", "13800138005", None, None, None],            # row 7: staff ID twice
        ["市委办公室", "己", "A006", "13800138006", None, None, None],            # row 8
        ["市委办公室", "庚", "A008", "13800138099", None, None, None],            # row 9: mobile twice
        ["市委办公室", "辛", "A009", "13800138099", None, None, None],            # row 10
        ["市委办公室", "壬", "A010", "13700137000", None, None, None],            # row 11:老王's mobile
        ["市委办公室", "癸", "A011", None, None, None, None],                     # row 12: no mobile for password
        ["市委办公室", "子" * 40, "A012", "13800138012", None, None, None],       # row 13: name too long
        ["市委办公室", "丑", "A 013", "13800138013", None, None, "不存在的支部"],  # row 14: staff ID, branch
    ])

    problems = problems_of(source)

    located = {(row, column) for row, column, _message in problems}
    assert located == {
        (2, "手机号"), (3, "性别"), (4, "政治面貌"), (5, "单位"), (6, "姓名"), (7, "工号"), (8, "工号"),
        (9, "手机号"), (10, "手机号"), (11, "手机号"), (12, "手机号"), (13, "姓名"), (14, "工号"), (14, "支部"),
    }
    messages = dict(((row, column), message) for row, column, message in problems)
    assert "7、8" in messages[(7, "工号")] and "7、8" in messages[(8, "工号")]
    assert "E001" in messages[(11, "手机号")] and "老王" in messages[(11, "手机号")]
    assert "不存在的单位" in messages[(5, "单位")]
    assert [row for row, _column, _message in problems] == sorted(row for row, _c, _m in problems)
    assert snapshot() == before


def test_unknown_units_and_branches_are_created_when_asked(make_unit, roster):
    make_unit("市委办公室")
    source = roster([
        ["市委办公室", "甲", "A001", "13800138001", None, None, "机关第一党支部"],
        ["市财政局", "乙", "A002", "13800138002", None, None, "第二党支部"],
        ["市财政局", "丙", "A003", "13800138003", None, None, "第二党支部"],
    ])
    assert {column for _row, column, _message in problems_of(source)} == {"单位", "支部"}

    result = import_roster(source, create_units=True)
    db.session.commit()

    assert result.units_created == ["市财政局"]
    assert result.branches_created == ["市委办公室 / 机关第一党支部", "市财政局 / 第二党支部"]
    people = users_by_staff_id()
    assert people["A002"].branch_id == people["A003"].branch_id
    assert people["A002"].branch.parent_id == people["A002"].unit_id


def test_unit_names_match_across_full_width_and_spacing(make_unit, roster):
    unit = make_unit("中共某某委员会（办公室）")
    result = import_roster(roster([["中共某某委员会(办公室)", "甲", "A001", "13800138001", None, None, None]]))
    db.session.commit()
    assert result.units_created == []
    assert users_by_staff_id()["A001"].unit_id == unit.id


def test_a_branch_named_in_the_unit_column_gets_a_hint(make_unit, roster):
    office = make_unit("市委办公室")
    make_unit("第一党支部", parent=office)
    [(row, column, message)] = problems_of(roster([["第一党支部", "甲", "A001", "13800138001", None, None, None]]))
    assert (row, column) == (2, "单位") and "市委办公室" in message


def test_reimport_updates_by_staff_id_and_counts(make_unit, roster):
    make_unit("市委办公室")
    make_unit("市委组织部")
    rows = [["市委办公室", f"成员{n}", f"A{n:03d}", f"138001380{n:02d}", "男", "群众", None] for n in range(1, 6)]
    assert import_roster(roster(rows)).created == 5
    db.session.commit()
    passwords = {user.staff_id: user.password_hash for user in users_by_staff_id().values()}

    rows[0][1] = "改名了"
    rows[1][0] = "市委组织部"
    rows[2][5] = "党员"
    rows.append(["市委办公室", "新人", "A099", "13800138099", None, None, None])
    result = import_roster(roster(rows))
    db.session.commit()

    assert (result.created, result.updated, result.unchanged) == (1, 3, 2)
    people = users_by_staff_id()
    assert people["A001"].name == "改名了"
    assert people["A002"].unit.name == "市委组织部"
    assert people["A003"].political_status == "中共党员"
    assert all(people[staff_id].password_hash == hashed for staff_id, hashed in passwords.items())
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "members.imported")).all()
    assert [entry.details["created"] for entry in entries] == [5, 1]
    assert entries[-1].details["updated"] == 3 and entries[-1].details["unchanged"] == 2


def test_missing_optional_columns_leave_fields_alone_but_empty_cells_clear_them(make_unit, make_member, roster):
    office = make_unit("市委办公室")
    branch = make_unit("第一党支部", parent=office)
    make_member(unit=office, branch=branch, staff_id="A001", mobile="13800138001", gender="男",
                political_status="中共党员")
    only_required = roster([["市委办公室", "甲", "A001"]], headers=["单位", "姓名", "工号"])
    result = import_roster(only_required)
    db.session.commit()
    person = users_by_staff_id()["A001"]
    assert result.updated == 1  # the name changed; nothing else did
    assert (person.mobile, person.gender, person.political_status, person.branch_id) == (
        "13800138001", "男", "中共党员", branch.id)

    import_roster(roster([["市委办公室", "甲", "A001", None, None, None, None]]))
    db.session.commit()
    db.session.refresh(person)
    assert (person.mobile, person.gender, person.political_status, person.branch_id) == (None, None, None, None)


def test_mobile_of_another_person_in_the_database_is_refused_but_own_mobile_is_fine(make_unit, make_member, roster):
    unit = make_unit("市委办公室")
    make_member(unit=unit, staff_id="A001", mobile="13800138001", name="甲")
    ok = import_roster(roster([["市委办公室", "甲", "A001", 13800138001, None, None, None]]))
    assert ok.unchanged == 1
    [(row, column, message)] = problems_of(
        roster([["市委办公室", "乙", "A002", "13800138001", None, None, None]]))
    assert (row, column) == (2, "手机号") and "A001" in message


def test_random_passwords_for_new_members_only(make_unit, make_member, roster):
    unit = make_unit("市委办公室")
    existing = make_member(unit=unit, staff_id="A001", name="甲")
    old_hash = existing.password_hash
    result = import_roster(roster([
        ["市委办公室", "甲", "A001", None, None, None, None],
        ["市委办公室", "乙", "A002", None, None, None, None],  # no mobile needed in random mode
        ["市委办公室", "丙", "A003", "13800138003", None, None, None],
    ]), password_mode=PASSWORD_RANDOM)
    db.session.commit()

    assert [(item.staff_id, item.unit) for item in result.passwords] == [("A002", "市委办公室"),
                                                                         ("A003", "市委办公室")]
    people = users_by_staff_id()
    for item in result.passwords:
        assert people[item.staff_id].check_password(item.password)
        assert people[item.staff_id].must_change_password
    assert not people["A003"].check_password("138003")
    assert people["A001"].password_hash == old_hash


def test_mobile_mode_needs_a_mobile_column_for_new_members(make_unit, roster):
    make_unit("市委办公室")
    problems = problems_of(roster([["市委办公室", "甲", "A001"]], headers=["单位", "姓名", "工号"]))
    assert [(row, column) for row, column, _message in problems] == [(2, "手机号")]


@pytest.mark.parametrize(("content", "expected"), [
    (b"PK\x03\x04 this is not really a workbook", "Excel"),
    ("姓名,工号\n张三,1\n".encode(), "Excel"),
    (b"", "Excel"),
])
def test_files_that_are_not_workbooks_are_refused(app, content, expected):
    [(row, column, message)] = problems_of(content)
    assert row is None and column is None and expected in message


def test_missing_header_and_empty_sheet(roster, xlsx):
    [(_row, _column, message)] = problems_of(xlsx([["姓名", "手机号"], ["张三", "13800138000"]]))
    assert "单位" in message and "工号" in message
    [(_row, _column, message)] = problems_of(roster([]))
    assert "没有数据" in message


def test_only_the_first_sheet_is_read_and_formulas_are_not_run(make_unit):
    make_unit("市委办公室")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位", "姓名", "工号", "手机号"])
    sheet.append(["市委办公室", "=1+1", "A001", "13800138001"])
    sheet["B2"].data_type = "s"  # typed as text (as Excel stores '=1+1), not a formula
    workbook.create_sheet("其他").append(["单位", "姓名", "工号"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    import_roster(buffer.getvalue())
    db.session.commit()
    assert users_by_staff_id()["A001"].name == "=1+1"  # kept as typed text, never evaluated


def test_large_import_is_one_audit_entry(make_unit, roster):
    make_unit("市委办公室")
    rows = [["市委办公室", f"成员{n}", f"B{n:05d}", f"139{n:08d}", None, None, None] for n in range(1200)]
    result = import_roster(roster(rows))
    db.session.commit()
    assert result.created == 1200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1
    sample = users_by_staff_id()["B00777"]
    assert sample.check_password("000777") and sample.password_hash.startswith("pbkdf2:sha256:")


def test_workbook_saved_by_openpyxl_reads_back_as_typed(roster):
    """Guard for the fixtures themselves: numbers stay numbers and text stays text in the file."""
    sheet = load_workbook(io.BytesIO(roster([["单位", "甲", "00123", 13800138000]])), read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))[1]
    assert cells[2] == "00123" and cells[3] == 13800138000


@pytest.mark.postgres
def test_two_imports_at_once_never_half_import(make_unit, roster, run_concurrently):
    make_unit("市委办公室")
    source = roster([["市委办公室", f"成员{n}", f"C{n:04d}", f"137{n:08d}", None, None, None] for n in range(300)])
    db.session.commit()

    def import_once(_index):
        result = import_roster(source)
        db.session.commit()
        return result

    outcomes = run_concurrently(import_once, 2)
    created = [outcome.created for outcome in outcomes if not isinstance(outcome, Exception)]
    assert sum(created) == 300, outcomes  # one created everyone; the other saw them (or was refused whole)
    assert all(isinstance(outcome, sa.exc.IntegrityError) for outcome in outcomes if isinstance(outcome, Exception))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 300
