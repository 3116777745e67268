"""Roster import benchmark: python bench/roster_import.py [--rows 20000] [--database-url postgresql+psycopg://…]

Builds a realistic roster workbook (20 units with branches, common Chinese names so many repeat, staff
IDs with leading zeros stored as text, mobiles stored as numbers, full-width spaces, a merged title row),
imports it into a fresh temporary SQLite database (and into a temporary PostgreSQL database created on
the server of --database-url, dropped afterwards), re-imports it (everything must be unchanged), exports
it, and prints the timings. The baseline unit is one request to a bare Flask endpoint through the test
client, measured in the same run, so figures from different machines can be compared as ratios.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SAISHI_SECRET_KEY", "bench-secret-key")

from flask import Flask
from openpyxl import Workbook

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "志强", "海燕", "玉兰", "鹏", "晓东", "春梅", "国强"]
UNITS = ["市委办公室", "市委组织部", "市委宣传部", "市委统战部", "市委政法委员会", "市纪委监委机关", "市委政策研究室",
         "市委机构编制委员会办公室", "市委机要保密局", "市委党校", "市直机关工委", "市委网信办", "市委老干部局",
         "市委巡察办", "市档案馆", "市委党史研究室", "市委外事办公室", "市委台湾工作办公室", "市委社会工作部",
         "中共某某市委员会（办公厅）"]
POLITICAL = ["中共党员", "党员", "中共党员", "预备党员", "共青团员", "团员", "群众", "民盟盟员", "无党派"]


def roster_rows(rows: int, seed: int = 2026):
    """The cells of a roster as people send it: title rows, odd spacing, numbers where text was meant."""
    rng = random.Random(seed)
    yield ["2026年度全市机关党员知识竞赛参赛人员名册"]
    yield ["填报单位（盖章）：", None, None, "填报日期：2026年3月"]
    yield ["序号", "单 位", "\u3000姓名", "工号", "手机号", "性别", "政治面貌", "支部", "备注"]
    for number in range(1, rows + 1):
        unit = UNITS[rng.randrange(len(UNITS))]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if len(name) == 2 and rng.random() < 0.2:
            name = name[0] + "\u3000" + name[1]  # padded to line up with three-character names
        branch = f"第{rng.randint(1, 8)}党支部" if rng.random() < 0.9 else None
        yield [
            number,
            unit if rng.random() > 0.05 else f"\u3000{unit} ",
            name,
            f"{number:06d}",                                  # text, leading zeros
            13_000_000_000 + number * 7919 % 999_999_999,      # a number, as Excel stores typed mobiles
            rng.choice("男女"),
            rng.choice(POLITICAL),
            branch,
            None,
        ]


def build_workbook(rows: int, writer: str = "excel") -> bytes:
    """The roster as .xlsx: "excel" stores text in a shared-strings table as Excel and WPS do; "openpyxl"
    stores it inline as openpyxl (and so this app's own exports) do, which openpyxl reads more slowly."""
    if writer == "openpyxl":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("人员名册")
        for cells in roster_rows(rows):
            sheet.append(cells)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    return _excel_style_workbook(roster_rows(rows))


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _excel_style_workbook(rows) -> bytes:
    """A minimal SpreadsheetML package with a shared-strings table and a merged title row."""
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}
    sheet_rows = []
    width = 0
    for number, cells in enumerate(rows, start=1):
        width = max(width, len(cells))
        out = []
        for index, value in enumerate(cells):
            if value is None:
                continue
            reference = f"{chr(65 + index)}{number}"
            if isinstance(value, int | float):
                out.append(f'<c r="{reference}"><v>{value}</v></c>')
            else:
                position = strings.setdefault(value, len(strings))
                out.append(f'<c r="{reference}" t="s"><v>{position}</v></c>')
        sheet_rows.append(f'<row r="{number}">{"".join(out)}</row>')
    last_column = chr(64 + width)
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}">'
             f'<dimension ref="A1:{last_column}{len(sheet_rows)}"/><sheetData>{"".join(sheet_rows)}</sheetData>'
             f'<mergeCells count="1"><mergeCell ref="A1:{last_column}1"/></mergeCells></worksheet>')
    shared = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{_MAIN}" '
              f'uniqueCount="{len(strings)}">'
              + "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in strings) + "</sst>")
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<sheets><sheet name="人员名册" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_MAIN}">'
            '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text.encode())
    return buffer.getvalue()


def baseline_seconds(requests: int = 2000) -> float:
    """Seconds per request to a bare Flask endpoint through the test client: the unit of the ratios."""
    app = Flask("baseline")

    @app.get("/")
    def index():
        return "ok"

    client = app.test_client()
    for _ in range(200):
        client.get("/")
    started = time.perf_counter()
    for _ in range(requests):
        client.get("/")
    return (time.perf_counter() - started) / requests


def timed(label: str, results: list, unit: float, function):
    """Run and time `function`; the bare-request unit is measured again just before and after it,
    because on a shared machine the load (and so every figure) changes from minute to minute."""
    before = baseline_seconds(500)
    started = time.perf_counter()
    value = function()
    elapsed = time.perf_counter() - started
    unit = (before + baseline_seconds(500)) / 2
    results.append((label, elapsed, unit))
    print(f"  {label:<34} {elapsed:8.2f} s  ({elapsed / unit:>9,.0f} × bare request of {unit * 1e6:,.0f} µs)",
          flush=True)
    return value


def run_database(label: str, url: str, content: bytes, rows: int, unit: float, password_mode: str) -> list:
    import sqlalchemy as sa

    from app import create_app
    from app.accounts.models import User
    from app.common.xlsx import ImportFailed
    from app.extensions import db
    from app.members.exports import roster_workbook
    from app.members.importing import import_roster

    print(f"\n{label}")
    results: list = []
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()

        def first_import():
            try:
                result = import_roster(content, create_units=True, password_mode=password_mode)
            except ImportFailed as failure:
                raise SystemExit("\n".join(str(problem) for problem in failure.problems[:20])) from None
            db.session.commit()
            return result

        def second_import():
            result = import_roster(content, password_mode=password_mode)
            db.session.commit()
            return result

        first = timed(f"import {rows:,} rows (new members)", results, unit, first_import)
        assert first.created == rows, first
        second = timed(f"re-import {rows:,} rows (unchanged)", results, unit, second_import)
        assert (second.created, second.updated, second.unchanged) == (0, 0, rows), second
        exported = timed(f"export {rows:,} rows", results, unit, lambda: roster_workbook(
            sa.select(User.id).where(User.unit_id.is_not(None))))
        third = timed("import the export (unchanged)", results, unit, lambda: import_roster(exported))
        assert third.unchanged == rows, third
        db.session.rollback()
        print(f"  created {first.created:,}, units {len(first.units_created)}, branches "
              f"{len(first.branches_created)}; re-import unchanged {second.unchanged:,}")
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", help="also run on PostgreSQL: a temporary database is created there")
    parser.add_argument("--passwords", choices=["mobile", "random"], default="mobile")
    parser.add_argument("--writer", choices=["excel", "openpyxl"], default="excel",
                        help="how the workbook stores text: shared strings like Excel (default) or inline")
    options = parser.parse_args()

    print(f"Roster import benchmark: {options.rows:,} rows, initial passwords: {options.passwords}, "
          f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}")
    unit = baseline_seconds()
    print(f"baseline: bare Flask request via test client = {unit * 1e6:.0f} µs")

    started = time.perf_counter()
    content = build_workbook(options.rows, options.writer)
    print(f"built workbook ({options.writer} style): {len(content) / 1e6:.1f} MB in "
          f"{time.perf_counter() - started:.2f} s")

    from app.common.xlsx import read_rows_collecting
    from app.members.fields import ROSTER_COLUMNS

    parse_results: list = []
    print("\nparts of the import, without a database")
    rows, problems = timed("read and check every cell", parse_results, unit,
                           lambda: read_rows_collecting(content, ROSTER_COLUMNS))
    assert len(rows) == options.rows and not problems, problems[:5]
    from app.members.importing import _hash_all

    timed(f"hash {options.rows:,} initial passwords", parse_results, unit,
          lambda: _hash_all([f"{number:06d}" for number in range(options.rows)]))

    with tempfile.TemporaryDirectory() as folder:
        run_database("SQLite (temporary file)", f"sqlite:///{Path(folder) / 'bench.db'}", content, options.rows,
                     unit, options.passwords)

    if options.database_url:
        import sqlalchemy as sa

        base = sa.engine.make_url(options.database_url)
        name = f"saishi_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = base.set(database=name).render_as_string(hide_password=False)
            run_database(f"PostgreSQL (temporary database {name})", url, content, options.rows, unit,
                         options.passwords)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
