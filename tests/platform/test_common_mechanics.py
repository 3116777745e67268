"""The shared response and text mechanics: download names, private responses, integer arguments."""
import pytest
from werkzeug.exceptions import BadRequest

from app.common.http import content_disposition, int_arg, no_store, xlsx_download
from app.common.problems import Problem, attach_problem
from app.common.text import download_safe_name, has_control_characters, like_pattern


def test_download_name_keeps_chinese_and_drops_control_characters(app):
    header = content_disposition("成绩\r\n\x00\x1b\ud800表.xlsx")
    assert "\r" not in header and "\n" not in header and "\x00" not in header and "\x1b" not in header
    assert "filename*=UTF-8''" in header
    assert header.encode("latin-1")  # a header value the WSGI server can send
    assert "%E6%88%90%E7%BB%A9" in header  # 成绩, percent-encoded in UTF-8


def test_download_name_is_never_empty_or_a_path():
    assert download_safe_name("") == "download"
    assert "/" not in download_safe_name("../../etc/passwd")
    assert len(download_safe_name("长" * 400 + ".xlsx")) <= 150
    assert download_safe_name("长" * 400 + ".xlsx").endswith(".xlsx")


def test_xlsx_download_is_private(app):
    with app.test_request_context():
        response = xlsx_download(b"PK", "名单.xlsx")
        assert response.headers["Cache-Control"].startswith("no-store")
        assert response.mimetype.endswith("spreadsheetml.sheet")
        assert "attachment" in response.headers["Content-Disposition"]


def test_no_store(app):
    with app.test_request_context():
        response = no_store(app.response_class("x"))
        assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("raw", ["x", "-1", "1e3", "99999999999999999999", "１２", "1.5"])
def test_int_arg_refuses_what_is_not_a_small_whole_number(app, raw):
    with app.test_request_context(query_string={"page": raw}), pytest.raises(BadRequest):
        int_arg("page")


def test_int_arg_reads_numbers_and_defaults(app):
    with app.test_request_context(query_string={"page": " 7 "}):
        assert int_arg("page") == 7
        assert int_arg("missing", 1) == 1


def test_text_helpers():
    assert has_control_characters("a\x00b") and has_control_characters("a\x1bb")
    assert not has_control_characters("a\tb", allow="\t")
    assert like_pattern("50%_a\\") == "%50\\%\\_a\\\\%"


def test_problem_goes_beside_its_field(app):
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class Form(FlaskForm):
        title = StringField()

    with app.test_request_context():
        form = Form(meta={"csrf": False})
        assert attach_problem(form, Problem("标题已存在", field="title"))
        assert form.title.errors == ["标题已存在"]
        assert not attach_problem(form, Problem("别的问题"))
        assert str(Problem("x", "y")) == "x"


def test_commit_or_show_keeps_nothing_a_refused_action_wrote(app):
    from flask import session

    from app.common.problems import commit_or_show
    from app.extensions import db
    from app.units.models import Unit

    class Form:
        name = type("Field", (), {"errors": []})()

    def refused():
        db.session.add(Unit(name="半途单位"))
        db.session.flush()
        raise Problem("名称已被使用", "name")

    with app.test_request_context():
        form = Form()
        outcome = commit_or_show(form, refused, "已保存。")
        assert not outcome and form.name.errors == ["名称已被使用"]
        assert db.session.scalar(db.select(Unit).filter_by(name="半途单位")) is None
        assert not session.get("_flashes")

        outcome = commit_or_show(None, lambda: Unit(name="新单位"), "已保存。")
        assert outcome and outcome.value.name == "新单位"
        assert session["_flashes"] == [("success", "已保存。")]
