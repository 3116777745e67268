"""The shared workbook writer reuses one styled cell per typed column (app/common/xlsx.py): every row
must still show its own numbers with their formats, text stays neutralised, and widths still fit."""
import io
from decimal import Decimal

from openpyxl import load_workbook

from app.common.xlsx import OutColumn, Sheet, build_workbook


def test_each_row_keeps_its_own_typed_values_and_formats(app):
    columns = [OutColumn("单位"), OutColumn("人数", "int"), OutColumn("参与率", "percent"),
               OutColumn("平均分", "number"), OutColumn("覆盖率", "percent")]
    rows = [["第一党委", 10, Decimal("0.5"), Decimal("81.25"), Decimal("0.25")],
            ["=HYPERLINK(\"x\")", 20, None, Decimal("90"), Decimal("1")],
            ["第一党委", 30, Decimal("0.125"), None, Decimal("0")],
            ["一个名字很长很长很长很长很长的单位", 40, Decimal("0.75"), Decimal("70.5"), Decimal("0.5")]]
    with app.app_context():
        content = build_workbook([Sheet("汇总", columns, rows)])
    sheet = load_workbook(io.BytesIO(content))["汇总"]
    got = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert got == [["第一党委", 10, 0.5, 81.25, 0.25],
                   ["'=HYPERLINK(\"x\")", 20, None, 90, 1],
                   ["第一党委", 30, 0.125, None, 0],
                   ["一个名字很长很长很长很长很长的单位", 40, 0.75, 70.5, 0.5]]
    for number in range(2, 6):
        assert sheet[f"B{number}"].number_format == "0"
        assert sheet[f"B{number}"].alignment.horizontal == "center"
        assert sheet[f"E{number}"].number_format == "0.0%"
    assert sheet["C2"].number_format == "0.0%" and sheet["D2"].number_format == "0.##"
    assert sheet["A2"].number_format == "General"
    assert sheet.column_dimensions["A"].width == 36  # the long name: 17 CJK characters, doubled, + 2
