"""flask members import/export, and export → import changing nothing."""
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.members.importing import import_roster
from tests.members.helpers import sheet_rows, snapshot, upload, users_by_staff_id


def test_cli_import_prints_counts_and_reimport_is_unchanged(app, make_unit, roster, tmp_path):
    make_unit("市委办公室")
    source = tmp_path / "名册.xlsx"
    source.write_bytes(roster([
        ["市委办公室", "张伟", "00001", 13800138001, "男", "党员", "一支部"],
        ["市委办公室", "张伟", "00002", 13800138002, "男", None, None],
    ]))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["members", "import", str(source), "--create-units"])
    assert first.exit_code == 0, first.output
    assert "新增 2 人，更新 0 人，未变 0 人" in first.output
    assert "一支部" in first.output

    again = runner.invoke(args=["members", "import", str(source)])
    assert again.exit_code == 0, again.output
    assert "新增 0 人，更新 0 人，未变 2 人" in again.output


def test_cli_import_reports_every_problem_and_exits_1(app, make_unit, roster, tmp_path):
    make_unit("市委办公室")
    before = snapshot()
    source = tmp_path / "bad.xlsx"
    source.write_bytes(roster([
        ["市委办公室", "张伟", "00001", 12345, None, None, None],
        ["未知单位", "李娜", "00002", 13800138002, None, None, None],
    ]))
    result = app.test_cli_runner().invoke(args=["members", "import", str(source)])
    assert result.exit_code == 1
    assert "2 个问题" in result.output
    assert "第 2 行「手机号」列" in result.output
    assert "第 3 行「单位」列" in result.output and "未知单位" in result.output
    assert snapshot() == before


def test_cli_random_passwords_go_to_a_private_file(app, make_unit, roster, tmp_path):
    make_unit("市委办公室")
    source = tmp_path / "名册.xlsx"
    source.write_bytes(roster([["市委办公室", "张伟", "00001", None, None, None, None]]))
    runner = app.test_cli_runner()

    missing_out = runner.invoke(args=["members", "import", str(source), "--passwords", "random"])
    assert missing_out.exit_code != 0 and "--passwords-out" in missing_out.output
    assert users_by_staff_id() == {}

    out = tmp_path / "passwords.xlsx"
    result = runner.invoke(args=["members", "import", str(source), "--passwords", "random",
                                 "--passwords-out", str(out)])
    assert result.exit_code == 0, result.output
    [header, (name, staff_id, unit, password)] = sheet_rows(out.read_bytes())
    assert header == ("姓名", "工号", "单位", "初始密码")
    assert (name, staff_id, unit) == ("张伟", "00001", "市委办公室")
    assert users_by_staff_id()["00001"].check_password(password)
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_cli_refuses_a_missing_or_broken_file(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["members", "import", str(tmp_path / "nope.xlsx")]).exit_code != 0
    broken = tmp_path / "broken.xlsx"
    broken.write_text("just text")
    result = runner.invoke(args=["members", "import", str(broken)])
    assert result.exit_code == 1 and "Excel" in result.output


def test_export_then_import_changes_nothing(app, make_unit, make_member, make_staff, roster, tmp_path):
    office = make_unit("市委办公室")
    branch = make_unit("第一党支部", parent=office)
    other = make_unit("中共某某委员会（办公室）")
    make_member(unit=office, branch=branch, name="张伟", staff_id="00123", mobile="13800138000", gender="男",
                political_status="中共党员")
    make_member(unit=office, name="张伟", staff_id="00456")
    make_member(unit=other, name="=SUM(A1)", staff_id="0007", mobile="13900139000", gender="女",
                political_status="群众", active=False)
    make_staff("judge", name="外聘评委", staff_id="J001")  # no unit: not in the roster
    before = snapshot()
    runner = app.test_cli_runner()

    target = tmp_path / "export.xlsx"
    exported = runner.invoke(args=["members", "export", str(target)])
    assert exported.exit_code == 0 and "3 人" in exported.output
    rows = sheet_rows(target.read_bytes())
    assert rows[0] == ("单位", "姓名", "工号", "手机号", "性别", "政治面貌", "支部", "党小组", "支委", "状态")
    assert ("市委办公室", "张伟", "00123", "13800138000", "男", "中共党员", "第一党支部", None, None, "在册") in rows
    assert all(row[1] != "外聘评委" for row in rows)

    result = import_roster(target.read_bytes())
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    users, units, _audits = snapshot()
    assert (users, units) == before[:2]


def test_web_export_is_scoped_and_round_trips(client_for, organiser_client, make_unit, make_member, make_staff):
    office, other = make_unit("市委办公室"), make_unit("市委组织部")
    make_member(unit=office, name="甲", staff_id="A001", mobile="13800138001")
    make_member(unit=other, name="乙", staff_id="B001", mobile="13800138002")
    liaison = make_staff("liaison", unit=office, name="联络员", staff_id="L001")

    everything = organiser_client.get("/members/export")
    assert everything.status_code == 200
    assert {row[2] for row in sheet_rows(everything.data)[1:]} == {"A001", "B001", "L001"}
    filtered = organiser_client.get("/members/export?q=甲")
    assert {row[2] for row in sheet_rows(filtered.data)[1:]} == {"A001"}

    own = client_for(liaison).get(f"/members/export?unit={other.id}")
    assert {row[2] for row in sheet_rows(own.data)[1:]} == set()
    own = client_for(liaison).get("/members/export")
    assert {row[2] for row in sheet_rows(own.data)[1:]} == {"A001", "L001"}

    response = upload(organiser_client, everything.data)
    assert response.status_code == 200
    assert 'data-count="unchanged">3<' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4  # nobody added


def test_the_export_says_who_is_disabled_and_reimport_still_changes_nothing(organiser_client, make_unit, make_member):
    office = make_unit("市委办公室")
    make_member(unit=office, name="在职", staff_id="A001")
    make_member(unit=office, name="离职", staff_id="A002", active=False)

    everything = sheet_rows(organiser_client.get("/members/export").data)
    assert everything[0][-1] == "状态"
    assert {row[2]: row[-1] for row in everything[1:]} == {"A001": "在册", "A002": "已停用"}
    active_only = sheet_rows(organiser_client.get("/members/export?active=1").data)
    assert [row[2] for row in active_only[1:]] == ["A001"]

    before = snapshot()
    response = upload(organiser_client, organiser_client.get("/members/export").data)
    assert 'data-count="unchanged">2<' in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot()[:2] == before[:2]
    assert db.session.scalar(sa.select(User.active).where(User.staff_id == "A002")) is False
