"""Zip bombs and huge sheets: the archive is checked before openpyxl parses anything, and reading stops
at the row limit, for the web and command-line imports of the roster and of a question bank."""
import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from app.common import xlsx as xlsx_module
from app.common.xlsx import Column, ImportFailed, check_archive, read_rows_collecting
from tests.security import bombs

PROJECT = Path(__file__).resolve().parents[2]
HEADERS = ["单位", "姓名", "工号"]
COLUMNS = [Column("unit", "单位", required=True), Column("name", "姓名"), Column("staff_id", "工号")]
MEMORY_CAP = 1536 * 1024 * 1024  # the child's address space: a bomb that got through fails fast instead
RSS_GROWTH_LIMIT_MB = 50
CPU_LIMIT_SECONDS = 1.0


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@pytest.fixture(scope="module")
def bomb_report(tmp_path_factory) -> list[dict]:
    """Every hostile file through every import path, measured in a child process."""
    workdir = tmp_path_factory.mktemp("bombs")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "tests.security.bomb_driver", str(workdir)], cwd=PROJECT,
                          env=env, capture_output=True, text=True, timeout=180, preexec_fn=_cap_memory)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0, done.stderr[-3000:]
    return lines


def test_every_bomb_is_refused_with_a_message_in_little_memory_and_time(bomb_report):
    assert {(case["target"], case["way"]) for case in bomb_report} == {
        ("roster", "web"), ("roster", "cli"), ("bank", "web"), ("bank", "cli")}
    assert len(bomb_report) == 16
    problems = [case for case in bomb_report if case["code"] not in (400, 1) or not case["refused_with_message"]
                or case["growth_mb"] >= RSS_GROWTH_LIMIT_MB or case["cpu_seconds"] >= CPU_LIMIT_SECONDS]
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("build", [bombs.sheet_bomb, bombs.shared_strings_bomb, bombs.many_members],
                         ids=["sheet", "sharedStrings", "members"])
def test_the_archive_check_refuses_before_decompressing(tmp_path, build, app):
    path = build(tmp_path / "bomb.xlsx", HEADERS)
    with pytest.raises(ImportFailed) as failure:
        check_archive(str(path))
    assert "压缩炸弹" in str(failure.value.problems[0])


def test_a_high_ratio_member_is_refused_even_below_the_size_limits(tmp_path, app):
    path = bombs.sheet_bomb(tmp_path / "dense.xlsx", HEADERS, expanded_mb=20)  # 20 MB at about 200:1
    with pytest.raises(ImportFailed):
        check_archive(str(path))


def test_a_real_spreadsheet_passes_the_archive_check(app):
    content = xlsx_module.build_workbook([xlsx_module.Sheet(
        "名册", [xlsx_module.OutColumn(header) for header in HEADERS],
        [(f"单位{n % 30}", f"姓名{n}", f"{n:06d}") for n in range(2000)])])
    check_archive(io.BytesIO(content))
    rows, problems = read_rows_collecting(content, COLUMNS)
    assert len(rows) == 2000 and not problems


def test_not_a_zip_is_refused_as_not_an_xlsx(app):
    with pytest.raises(ImportFailed) as failure:
        read_rows_collecting(b"not a spreadsheet", COLUMNS)
    assert "不是有效的 Excel" in str(failure.value.problems[0])


def test_a_million_row_sheet_stops_at_the_sheet_limit(tmp_path, app, monkeypatch):
    monkeypatch.setattr(xlsx_module, "MAX_SHEET_ROWS", 5000)
    with pytest.raises(ImportFailed) as failure:
        read_rows_collecting(str(bombs.tall_sheet(tmp_path / "tall.xlsx", HEADERS)), COLUMNS)
    assert "5000" in str(failure.value.problems[0])


def test_reading_stops_at_the_row_limit_instead_of_parsing_every_row(app, xlsx, monkeypatch):
    content = xlsx([HEADERS] + [[f"单位{n}", f"姓名{n}", f"{n:06d}"] for n in range(3000)])
    parsed = []
    real_cell_text = xlsx_module.cell_text

    def counting(value):
        parsed.append(value)
        return real_cell_text(value)

    monkeypatch.setattr(xlsx_module, "cell_text", counting)
    with pytest.raises(ImportFailed) as failure:
        read_rows_collecting(content, COLUMNS, max_rows=100)
    assert "100" in str(failure.value.problems[0])
    assert len(parsed) < 2 * 101 * len(HEADERS)  # about the first hundred rows, not all 3000


def test_the_bank_import_refuses_past_5000_questions_while_reading(app, xlsx, monkeypatch):
    from quizzes.services import bank_sheets

    monkeypatch.setattr(bank_sheets, "MAX_ROWS", 10)
    content = xlsx([["题型", "题干", "答案"]] + [["判断题", f"第{n}题", "对"] for n in range(50)])
    with pytest.raises(ImportFailed) as failure:
        bank_sheets._read(content)
    assert "10" in str(failure.value.problems[0])
