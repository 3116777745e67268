"""The input boundary (app.common.inputs, app.common.forms.Form): hostile text is refused with a message
before it reaches the database, everywhere, and every page form carries the field rules."""
import io

import pytest
import sqlalchemy as sa
import wtforms
from flask import request
from flask_wtf import FlaskForm

from app.common.access import public
from app.common.forms import Form, SubForm
from app.extensions import db
from app.units.models import Unit

pytestmark = pytest.mark.app_config(PROPAGATE_UNEXPECTED=False)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["login", "password"])
@pytest.mark.parametrize("hostile", ["\x00", "\x1b", "\x07", "\x9b"])
def test_sign_in_with_a_control_character_is_refused_with_a_message(client, make_member, field, hostile):
    member = make_member(staff_id="A001")
    data = {"login": member.staff_id, "password": "whatever"}
    data[field] += hostile
    response = client.post("/login", data=data)
    assert response.status_code == 400 and "控制字符" in text(response)


@pytest.mark.parametrize("query", ["q=%00", "action=%00", "actor=%1B", "%00=1"])
def test_audit_filters_with_a_control_character_are_refused(admin_client, query):
    response = admin_client.get(f"/audit/?{query}")
    assert response.status_code == 400 and "控制字符" in text(response)


def test_a_path_segment_with_a_nul_is_refused(organiser_client):
    response = organiser_client.get("/members/import/passwords/abc%00def")
    assert response.status_code == 400


def test_an_upload_name_with_a_line_break_is_refused(organiser_client):
    response = organiser_client.post("/members/import", data={
        "file": (io.BytesIO(b"PK"), "名册\r\n.xlsx"), "password_mode": "mobile"},
        content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_single_line_field_refuses_a_line_break_but_not_a_pasted_trailing_one(organiser_client):
    refused = organiser_client.post("/units/", data={"name": "市委\n办公室"})
    assert refused.status_code == 400 and "只能填写一行" in text(refused)
    pasted = organiser_client.post("/units/", data={"name": "市委办公室\r\n"})
    assert pasted.status_code in (302, 303)
    assert db.session.scalar(sa.select(Unit.name)) == "市委办公室"


def test_a_view_reading_the_form_directly_cannot_store_hostile_text(app, client):
    """The commit guard: even a view that skips the forms cannot commit text the boundary saw."""
    @public
    def careless():
        db.session.add(Unit(name=request.form["name"]))
        db.session.commit()
        return "stored"

    app.add_url_rule("/_test/careless", "test_careless", careless, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/_test/careless", data={"name": "甲\x00乙"})
    assert response.status_code == 400 and "控制字符" in text(response)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0
    assert client.post("/_test/careless", data={"name": "甲乙"}).status_code == 200


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_app_derives_from_the_base_forms(app):
    """A new form on FlaskForm or wtforms.Form directly would skip the field rules: derive it from
    app.common.forms.Form (or SubForm, nested in a FieldList)."""
    ours = ("app.", "quizzes.", "events.")
    strays = [f"{cls.__module__}.{cls.__qualname__}" for cls in set(_subclasses(wtforms.Form))
              if cls.__module__.startswith(ours) and cls not in (Form, SubForm)
              and not issubclass(cls, Form | SubForm) and cls is not FlaskForm]
    assert not strays, f"forms that skip app.common.forms.Form: {strays}"


def test_an_imported_cell_with_a_control_character_is_named_by_row_and_column(app, tmp_path):
    from app.common.xlsx import Column, read_rows_collecting
    from tests.security.bombs import raw_sheet

    path = raw_sheet(tmp_path / "c1.xlsx", ["单位", "姓名"], [["市委办", "张\x85三"], ["市委办", "李四\x9b"],
                                                              ["市委办", "王五"]])
    rows, problems = read_rows_collecting(str(path), [Column("unit", "单位"), Column("name", "姓名")])
    assert [(problem.row, problem.column) for problem in problems] == [(2, "姓名"), (3, "姓名")]
    assert "控制字符" in str(problems[0])
    assert [row.values["name"] for row in rows] == [None, None, "王五"]


def test_the_roster_import_refuses_a_control_character_in_any_column(organiser_client, tmp_path, make_unit):
    from tests.security.bombs import raw_sheet

    make_unit("市委办")
    path = raw_sheet(tmp_path / "roster.xlsx", ["单位", "姓名", "工号", "手机号"],
                     [["市委办", "张三", "A\x85001", "13800000000"]])
    response = organiser_client.post("/members/import", data={
        "file": (io.BytesIO(path.read_bytes()), "名册.xlsx"), "password_mode": "mobile"},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "控制字符" in text(response)


def test_a_json_body_nested_past_the_parser_limit_is_a_400(client):
    response = client.post("/login", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400
