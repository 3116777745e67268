"""Helpers for the question-bank tests: rows in the import template's columns, and reading a sheet back."""
import io

from openpyxl import load_workbook

HEADER = ["题型", "题干", *(f"选项{letter}" for letter in "ABCDEFGH"), "答案", "解析", "分类", "难度", "分值"]


def row(question_type, stem, answer, options=(), explanation=None, category=None, difficulty=None, points=None):
    """One data row in HEADER's order; options fill 选项A onwards (None leaves a cell empty)."""
    cells = list(options) + [None] * (8 - len(options))
    return [question_type, stem, *cells, answer, explanation, category, difficulty, points]


def read_sheet(data: bytes) -> list[list]:
    """Every row of the first sheet, as values."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
