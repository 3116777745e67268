"""Roster fixtures: password sheets kept in the test's temp folder, roster workbooks, signed-in staff."""
import pytest

HEADERS = ["单位", "姓名", "工号", "手机号", "性别", "政治面貌", "支部"]


@pytest.fixture(autouse=True)
def private_password_folder(app, tmp_path):
    app.config["ROSTER_PASSWORD_FOLDER"] = str(tmp_path / "roster-passwords")
    return tmp_path / "roster-passwords"


@pytest.fixture
def roster(xlsx):
    """roster([row, …], headers=HEADERS, title_rows=()) -> .xlsx bytes with the roster header."""

    def build(rows, headers=HEADERS, title_rows=()):
        return xlsx([headers, *rows], title_rows=title_rows)

    return build

