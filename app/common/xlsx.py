"""Spreadsheet import and export shared by every feature.

Import: the archive is checked before openpyxl parses anything (a zip bomb is refused in
milliseconds: see check_archive), rows are streamed and reading stops at the row limit, headers are
found by name (any order, title rows above them allowed), every cell is parsed, and all problems are
reported together with their row and column; callers import nothing unless the list is empty.
Export: styled header, frozen first row, fitted widths, typed cells, text that a spreadsheet would
run as a formula neutralised, and characters XML cannot hold dropped, so no stored value can break
an export.
"""
from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.common.clock import to_local
from app.common.text import clean, is_hostile, scrub

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_SEARCH_ROWS = 20
PROGRESS_ROWS = 1000

# Archive limits, checked before parsing. An .xlsx is a zip of XML; a 100,000-row roster is about
# 30 MB of XML compressed about tenfold. A zip bomb declares a member of gigabytes, or a ratio of
# thousands to one. Tune here (README, security section).
ARCHIVE_MAX_MEMBERS = 1000
ARCHIVE_MAX_MEMBER_BYTES = 150 * 1024 * 1024
ARCHIVE_MAX_TOTAL_BYTES = 300 * 1024 * 1024
ARCHIVE_MAX_RATIO = 100  # uncompressed / compressed, for members above ARCHIVE_RATIO_FLOOR
ARCHIVE_RATIO_FLOOR = 1024 * 1024
# Sheet limits, checked while streaming: rows read (blank ones included, since a sheet can declare a
# million empty rows in a few bytes) and columns read per row.
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 200


class CellError(ValueError):
    """Raised by a column parser; the message is shown to the user beside row and column."""


@dataclass(frozen=True)
class Column:
    """One importable column: its canonical header, whether it must be filled, and its parser."""

    key: str
    header: str
    required: bool = False
    parse: Callable[[Any], Any] | None = None
    aliases: tuple[str, ...] = ()
    example: str = ""
    width: int | None = None


@dataclass(frozen=True)
class ImportProblem:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("第 %(row)s 行「%(column)s」列：%(message)s", row=self.row, column=self.column,
                     message=self.message)
        if self.row:
            return _("第 %(row)s 行：%(message)s", row=self.row, message=self.message)
        if self.column:
            return _("「%(column)s」列：%(message)s", column=self.column, message=self.message)
        return self.message


class ImportFailed(Exception):
    """Nothing was imported; `problems` lists every reason with its row and column."""

    def __init__(self, problems: Sequence[ImportProblem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)  # column keys whose cell failed to parse


def normalise_header(value: Any) -> str:
    """Header comparison key: full-width folded, all whitespace removed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).replace("*", "")


def cell_text(value: Any) -> str:
    """A cell as the text the user typed: numbers without '.0', spaces trimmed, '-prefix undone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = clean(str(value))
    # Undo our own export neutralisation so that export then import round-trips.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def read_rows(source: bytes | IO[bytes] | str, columns: Sequence[Column], *,
              max_rows: int | None = None) -> list[ParsedRow]:
    """Parse the first sheet against `columns`; raise ImportFailed listing every problem found."""
    parsed, problems = read_rows_collecting(source, columns, max_rows=max_rows)
    if problems:
        raise ImportFailed(problems)
    if not parsed:
        raise ImportFailed([ImportProblem(None, None, _("表格中没有数据行"))])
    return parsed


def read_rows_collecting(source: bytes | IO[bytes] | str, columns: Sequence[Column], *,
                         max_rows: int | None = None,
                         progress: Callable[[int, int | None], None] | None = None,
                         ) -> tuple[list[ParsedRow], list[ImportProblem]]:
    """Like read_rows, but return the rows with the cell problems, for callers that add row checks.

    A cell that failed to parse (or a required cell left empty) is None in values and its column
    key is in ParsedRow.invalid; so is a text cell holding characters no field may store
    (app.common.text.is_hostile). A missing header, an unreadable or oversized file, or more than
    `max_rows` data rows (checked while reading, not after) raises ImportFailed.
    `progress(rows read, rows the sheet declares or None)` is called every PROGRESS_ROWS rows (jobs).
    """
    workbook = _open_workbook(source)
    try:
        sheet = workbook.worksheets[0]
        declared_rows = getattr(sheet, "max_row", None) if progress is not None else None
        width = min(sheet.max_column or MAX_SHEET_COLUMNS, MAX_SHEET_COLUMNS)  # as declared, within the cap
        rows = sheet.iter_rows(max_col=width, values_only=True)
        header_row_number, positions, header_problems = _find_header(rows, columns)
        if header_problems:
            raise ImportFailed(header_problems)
        parsed: list[ParsedRow] = []
        problems: list[ImportProblem] = []
        for offset, row in enumerate(rows, start=1):
            number = header_row_number + offset
            if number > MAX_SHEET_ROWS:
                raise ImportFailed([ImportProblem(None, None, _(
                    "表格超过 %(max)s 行（空行也计算在内），请删除多余的行或拆分文件", max=MAX_SHEET_ROWS))])
            if progress is not None and offset % PROGRESS_ROWS == 0:
                progress(number, declared_rows)
            raw = {key: (row[index] if index < len(row) else None) for key, index in positions.items()}
            if all(cell_text(value) == "" for value in raw.values()):
                continue  # blank rows (often trailing, or spacers) are not data
            if max_rows is not None and len(parsed) >= max_rows:
                raise ImportFailed([ImportProblem(None, None, _(
                    "一次最多导入 %(max)s 行，请拆分文件", max=max_rows))])
            values: dict[str, Any] = {}
            invalid: set[str] = set()
            for column in columns:
                if column.key not in positions:
                    values[column.key] = None
                    continue
                if isinstance(raw[column.key], str) and is_hostile(raw[column.key]):
                    problems.append(ImportProblem(number, column.header, _("含有不可见的控制字符，请删除后重试")))
                    values[column.key] = None
                    invalid.add(column.key)
                    continue
                text = cell_text(raw[column.key])
                if text == "":
                    if column.required:
                        problems.append(ImportProblem(number, column.header, _("不能为空")))
                        invalid.add(column.key)
                    values[column.key] = None
                    continue
                try:
                    values[column.key] = column.parse(raw[column.key]) if column.parse else text
                except CellError as error:
                    problems.append(ImportProblem(number, column.header, str(error)))
                    values[column.key] = None
                    invalid.add(column.key)
            parsed.append(ParsedRow(number, values, raw, invalid))
        return parsed, problems
    finally:
        workbook.close()


def _not_xlsx() -> ImportFailed:
    return ImportFailed([ImportProblem(None, None, _("文件不是有效的 Excel（.xlsx）文件"))])


def _too_large() -> ImportFailed:
    return ImportFailed([ImportProblem(None, None, _(
        "文件解压后过大或压缩比异常（可能是“压缩炸弹”），未导入。请只保留需要导入的数据后重新保存再上传"))])


def check_archive(source: IO[bytes] | str) -> None:
    """Refuse, before anything is decompressed, an .xlsx whose zip directory declares too many members,
    a member or a total too large, or a compression ratio no spreadsheet has (ARCHIVE_* limits).

    The declared sizes can be trusted as ceilings: zipfile never inflates a member past its declared
    size (it fails the CRC check instead), and openpyxl reads through zipfile.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _not_xlsx() from error
    if len(members) > ARCHIVE_MAX_MEMBERS:
        raise _too_large()
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > ARCHIVE_MAX_MEMBER_BYTES or total > ARCHIVE_MAX_TOTAL_BYTES:
            raise _too_large()
        if member.file_size > ARCHIVE_RATIO_FLOOR and member.file_size > ARCHIVE_MAX_RATIO * max(member.compress_size, 1):
            raise _too_large()


def _open_workbook(source):
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    check_archive(source)
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a non-xlsx upload
        raise _not_xlsx() from error


def _find_header(rows, columns: Sequence[Column]):
    wanted = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            wanted[normalise_header(name)] = column
    required = [column for column in columns if column.required]
    best_missing: list[Column] = required
    for number, row in enumerate(rows, start=1):
        positions: dict[str, int] = {}
        for index, value in enumerate(row):
            column = wanted.get(normalise_header(value))
            if column is not None and column.key not in positions:
                positions[column.key] = index
        if positions:
            missing = [column for column in required if column.key not in positions]
            if not missing:
                return number, positions, []
            if len(missing) < len(best_missing):
                best_missing = missing
        if number >= HEADER_SEARCH_ROWS:
            break
    headers = "、".join(column.header for column in best_missing)
    return 0, {}, [ImportProblem(None, None, _("找不到表头，缺少列：%(headers)s", headers=headers))]


# ---------------------------------------------------------------- export

@dataclass(frozen=True)
class OutColumn:
    """One exported column. kind: text, int, number, percent, datetime, duration (seconds)."""

    header: str
    kind: str = "text"
    width: int | None = None


@dataclass
class Sheet:
    title: str
    columns: Sequence[OutColumn]
    rows: Iterable[Sequence[Any]]
    heading: str | None = None  # printed at the top of every page; the sheet's title when None


_FORMATS = {
    "int": "0",
    "number": "0.##",
    "percent": "0.0%",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "duration": "[h]:mm:ss",
}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FDE9E7")
_CENTRED = Alignment(horizontal="center")
# Excel width units that fit across A4 portrait with the default margins; wider sheets print landscape.
A4_PORTRAIT_WIDTH = 95


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would evaluate (= + - @) with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def display_width(value: Any) -> int:
    """Approximate column width: CJK and full-width characters count double."""
    text = "" if value is None else str(value)
    longest = 0
    for line in text.splitlines() or [""]:
        longest = max(longest, sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line))
    return longest


def xml_safe(text: str) -> str:
    """`text` without the characters an .xlsx (XML) cannot hold: the last line of defence, so that no
    stored value can break an export (app.common.inputs refuses them on the way in)."""
    return scrub(text) if is_hostile(text) else text


def _convert(value: Any, kind: str) -> Any:
    if value is None:
        return None

    if kind == "datetime" and isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    if kind == "duration":
        return float(value) / 86400
    if kind == "text" or isinstance(value, str):
        return neutralise(xml_safe(value if isinstance(value, str) else str(value)))
    return value


def set_print_layout(sheet, spec: Sheet, widths: Sequence[float]) -> None:
    """Every exported sheet prints on A4: landscape when wider than portrait, one page wide, the header
    row repeated on each page, the sheet's heading at the top and page numbers at the bottom."""
    sheet.page_setup.paperSize = 9  # A4 (openpyxl PAPERSIZE_A4)
    sheet.page_setup.orientation = "landscape" if sum(widths) > A4_PORTRAIT_WIDTH else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = xml_safe(spec.heading or spec.title).replace("&", "&&")
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")


def build_workbook(sheets: Sequence[Sheet]) -> bytes:
    """Write the sheets to .xlsx bytes: header row frozen and styled, widths fitted, values typed.

    Write-only mode keeps memory flat; rows are held until the end only because widths must be
    written before them. Text goes in as plain values (a neutralised string is never a formula),
    and only number, percent, date and duration cells carry a format.
    """
    workbook = Workbook(write_only=True)
    texts: dict[str, tuple[Any, int]] = {}  # text -> (as written, display width), shared by the sheets
    for spec in sheets:
        sheet = workbook.create_sheet(title=xml_safe(spec.title)[:31])
        widths = [max(display_width(column.header), 6) for column in spec.columns]
        for index, column in enumerate(spec.columns):
            if column.kind in _FORMATS:
                widths[index] = max(widths[index], 19 if column.kind == "datetime" else 12)
        sheet.freeze_panes = "A2"
        kinds = [column.kind for column in spec.columns]
        # One styled cell per typed column, its value set just before each row is appended (write-only
        # mode writes the row at once): openpyxl hashes a cell's style into the workbook's style table
        # per styled cell, which was most of the cost of a 20,000-row sheet.
        styled: list[WriteOnlyCell | None] = []
        for kind in kinds:
            if kind in _FORMATS:
                cell = WriteOnlyCell(sheet)
                cell.number_format = _FORMATS[kind]
                if kind == "int":  # 名次, 题号: centred, so that a number never runs into the name beside it
                    cell.alignment = _CENTRED
                styled.append(cell)
            else:
                styled.append(None)
        rows_out = []
        for row in spec.rows:
            values = []
            for index, (kind, value) in enumerate(zip(kinds, row, strict=False)):
                if isinstance(value, str) and kind != "duration":
                    # Names of units and branches repeat on every row: convert and measure each text once.
                    known = texts.get(value)
                    if known is None:
                        converted = _convert(value, kind)
                        known = texts[value] = (converted, display_width(converted))
                    converted, width = known
                    if styled[index] is None and width > widths[index]:
                        widths[index] = width
                else:
                    converted = _convert(value, kind)
                    if isinstance(converted, str) and styled[index] is None and 2 * len(converted) > widths[index]:
                        widths[index] = max(widths[index], display_width(converted))
                values.append(converted)
            rows_out.append(values)
        final_widths = [column.width or min(widths[index] + 2, 60) for index, column in enumerate(spec.columns)]
        for index, width in enumerate(final_widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        set_print_layout(sheet, spec, final_widths)
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=xml_safe(column.header))
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(horizontal="center" if column.kind == "int" else None, vertical="center")
            header.append(cell)
        sheet.append(header)
        for values in rows_out:
            for index, converted in enumerate(values):
                cell = styled[index] if index < len(styled) else None
                if cell is not None and converted is not None:
                    cell.value = converted
                    values[index] = cell
            sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook(title: str, columns: Sequence[Column], example_rows: Sequence[Sequence[Any]] = ()) -> bytes:
    """An import template: the importable headers (required ones marked *) and example rows."""
    out_columns = [OutColumn(column.header + (" *" if column.required else ""), width=column.width)
                   for column in columns]
    return build_workbook([Sheet(title, out_columns, example_rows)])
