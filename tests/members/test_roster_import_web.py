"""The import page, the template download and the one-time password sheet."""
import os
import time

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.members import password_sheets
from tests.members.helpers import sheet_rows, snapshot, upload


def test_organiser_imports_and_sees_counts(organiser_client, make_unit, roster):
    make_unit("市委办公室")
    response = upload(organiser_client, roster([
        ["市委办公室", "张伟", "A001", 13800138001, "男", "党员", None],
        ["市委办公室", "李娜", "A002", 13800138002, "女", None, None],
    ]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-count="created">2<' in page
    assert response.headers["Cache-Control"].startswith("no-store")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.unit_id.is_not(None))) == 2


def test_problems_are_listed_in_a_table_and_nothing_changes(organiser_client, make_unit, roster):
    make_unit("市委办公室")
    before = snapshot()
    response = upload(organiser_client, roster([
        ["市委办公室", "张伟", "A001", "123", "男", None, None],
        ["火星办公室", "李娜", "A002", 13800138002, "女", None, None],
    ]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "2 个问题" in page
    assert '<td class="num">2</td>' in page and "手机号" in page
    assert '<td class="num">3</td>' in page and "火星办公室" in page
    assert snapshot() == before


def test_create_units_checkbox(organiser_client, roster):
    response = upload(organiser_client, roster([["新单位", "张伟", "A001", 13800138001, None, None, "一支部"]]),
                      create_units="y")
    assert response.status_code == 200
    assert "新单位" in response.get_data(as_text=True)


def test_random_password_sheet_is_for_the_importer_only_and_can_be_deleted(
        organiser_client, make_staff, client_for, make_unit, roster, private_password_folder):
    make_unit("市委办公室")
    response = upload(organiser_client, roster([
        ["市委办公室", "张伟", "A001", None, None, None, None],
        ["市委办公室", "李娜", "00002", None, None, None, None],
    ]), password_mode="random")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    link = page.split('href="/members/import/passwords/')[1].split('"')[0]

    download = organiser_client.get(f"/members/import/passwords/{link}")
    assert download.status_code == 200
    assert download.headers["Cache-Control"].startswith("no-store")
    rows = sheet_rows(download.data)
    assert rows[0] == ("姓名", "工号", "单位", "初始密码")
    people = {user.staff_id: user for user in db.session.scalars(sa.select(User).where(User.unit_id.is_not(None)))}
    for name, staff_id, unit, password in rows[1:]:
        assert people[staff_id].name == name and unit == "市委办公室"
        assert people[staff_id].check_password(password)
    assert {row[1] for row in rows[1:]} == {"A001", "00002"}
    stored = list(private_password_folder.glob("*.xlsx"))
    assert len(stored) == 1 and oct(stored[0].stat().st_mode & 0o777) == "0o600"

    other = client_for(make_staff("organiser"))
    assert other.get(f"/members/import/passwords/{link}").status_code == 404
    assert organiser_client.get(f"/members/import/passwords/{link}x").status_code == 404
    assert organiser_client.get("/members/import/passwords/forged").status_code == 404

    assert organiser_client.post(f"/members/import/passwords/{link}/delete").status_code == 302
    assert list(private_password_folder.glob("*.xlsx")) == []
    assert organiser_client.get(f"/members/import/passwords/{link}").status_code == 404


def test_password_sheets_expire(organiser_client, make_unit, roster, private_password_folder):
    make_unit("市委办公室")
    page = upload(organiser_client, roster([["市委办公室", "张伟", "A001", None, None, None, None]]),
                  password_mode="random").get_data(as_text=True)
    link = page.split('href="/members/import/passwords/')[1].split('"')[0]
    [stored] = private_password_folder.glob("*.xlsx")
    an_hour_ago = time.time() - password_sheets.SHEET_MAX_AGE_SECONDS - 5
    os.utime(stored, (an_hour_ago, an_hour_ago))

    assert organiser_client.get("/members/").status_code == 200  # opening the roster purges old sheets
    assert not stored.exists()
    assert organiser_client.get(f"/members/import/passwords/{link}").status_code == 404


def test_template_download_imports_cleanly(organiser_client, make_unit):
    response = organiser_client.get("/members/import/template")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = sheet_rows(response.data)
    assert rows[0] == ("单位 *", "姓名 *", "工号 *", "手机号", "性别", "政治面貌", "支部", "党小组", "支委")
    assert rows[1][2] == "00123"
    office = make_unit("市委办公室")
    make_unit("第一党支部", parent=office)
    assert upload(organiser_client, response.data).status_code == 200
    person = db.session.scalars(sa.select(User).where(User.staff_id == "00123")).one()
    assert (person.name, person.mobile, person.branch.name) == ("张三", "13800138000", "第一党支部")


def test_hostile_uploads_get_a_message_and_change_nothing(organiser_client, make_unit, roster):
    make_unit("市委办公室")
    before = snapshot()
    good = roster([["市委办公室", "张伟", "A001", 13800138001, None, None, None]])
    cases = [
        upload(organiser_client, b"not a workbook at all", "名册.xlsx"),     # renamed text file
        upload(organiser_client, b"\x00" * 2048, "名册.xlsx"),
        upload(organiser_client, good, "名册.csv"),                          # wrong extension
        upload(organiser_client, good, password_mode="plaintext"),           # unknown choice
        organiser_client.post("/members/import", data={"password_mode": "mobile"}),  # no file
        upload(organiser_client, roster([["市委办公室", "甲" * 5000, "A" * 5000, "1" * 5000, "男" * 300,
                                          "党" * 300, "支" * 5000]])),
    ]
    for response in cases:
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert 'class="field-error"' in page or "个问题" in page
    assert "Excel" in cases[0].get_data(as_text=True)
    assert snapshot() == before


def test_liaisons_and_members_cannot_import(client_for, make_staff, make_unit, roster):
    unit = make_unit("市委办公室")
    content = roster([["市委办公室", "张伟", "A001", 13800138001, None, None, None]])
    for user in (make_staff("liaison", unit=unit), make_staff("member", unit=unit), make_staff("judge")):
        client = client_for(user)
        assert upload(client, content).status_code == 403
        assert client.get("/members/import/template").status_code == 403
    assert db.session.scalar(sa.select(User).where(User.staff_id == "A001")) is None
