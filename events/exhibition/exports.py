"""The organiser's files: the catalogue workbook (a thumbnail in each row, A4) and, per category, a
ZIP of the originals named 编号_单位_作者_作品名.ext, streamed."""
from __future__ import annotations

import io
from pathlib import Path

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.common.text import download_safe_name
from app.common.xlsx import OutColumn, Sheet, display_width, neutralise, set_print_layout, xml_safe
from app.extensions import db
from events.exhibition.models import Exhibition, ExhibitionCategory
from events.exhibition.services import files
from events.exhibition.services.awards import published_by_work
from events.exhibition.services.gallery import accepted, cover

THUMB_CELL_PX = 90  # the picture in each row, on its long edge
ROW_HEIGHT_POINTS = 72  # 96 px


def _size(work) -> str:
    if work.width_cm is None or work.height_cm is None:
        return ""
    return f"{work.width_cm.normalize():f} × {work.height_cm.normalize():f} cm"


def _author(work) -> str:
    names = [work.author.name, *(person.name for person in work.coauthors)]
    return "、".join(names)


def catalogue_rows(exhibition: Exhibition):
    """(work, row values) for each accepted work, by category then number; score and award from the
    latest published (公示 or final) awards, empty before they are published."""
    works = db.session.scalars(accepted(exhibition)).all()
    order = {category.id: category.position for category in exhibition.categories}
    published = published_by_work(exhibition)
    for work in sorted(works, key=lambda w: (order.get(w.category_id, 0), w.number)):
        row = published.get(work.id, {})
        yield work, [work.code, work.title, work.category.name, _author(work), work.unit.name if work.unit else "",
                     _size(work), work.medium, row.get("score") or "", row.get("award") or "", len(work.images)]


def catalogue_workbook(exhibition: Exhibition) -> bytes:
    """The catalogue: number, title, category, author, unit, size, medium, score and award (once the
    awards are published for 公示), with the work's thumbnail embedded in its row; prints on A4 with the header repeated."""
    columns = [OutColumn(_("编号")), OutColumn(_("作品名称")), OutColumn(_("类别")), OutColumn(_("作者")),
               OutColumn(_("单位")), OutColumn(_("尺寸")), OutColumn(_("材质")), OutColumn(_("得分")),
               OutColumn(_("奖项")), OutColumn(_("图片数"), "int"), OutColumn(_("缩略图"), width=14)]
    spec = Sheet(_("作品目录"), columns, [], heading=f"{exhibition.title} · {_('作品目录')}")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = xml_safe(spec.title)[:31]
    widths = [max(display_width(column.header), 6) for column in columns]
    header = sheet.row_dimensions
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=xml_safe(column.header))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    picture_column = get_column_letter(len(columns))
    for row_number, (work, values) in enumerate(catalogue_rows(exhibition), start=2):
        for index, value in enumerate(values, start=1):
            if isinstance(value, str):
                value = neutralise(xml_safe(value))
                widths[index - 1] = max(widths[index - 1], min(display_width(value), 40))
            cell = sheet.cell(row=row_number, column=index, value=value)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        header[row_number].height = ROW_HEIGHT_POINTS
        image = cover(work)
        path = files.derivative_path(image, "thumb") if image else None
        if path is not None and path.is_file():
            picture = SheetImage(io.BytesIO(path.read_bytes()))
            scale = THUMB_CELL_PX / max(picture.width, picture.height)
            picture.width, picture.height = round(picture.width * scale), round(picture.height * scale)
            sheet.add_image(picture, f"{picture_column}{row_number}")
    final = [column.width or min(width + 2, 42) for column, width in zip(columns, widths, strict=True)]
    for index, width in enumerate(final, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    set_print_layout(sheet, spec, final)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def catalogue_filename(exhibition: Exhibition) -> str:
    return f"{exhibition.title}_{_('作品目录')}.xlsx"


def _part(text: str) -> str:
    return download_safe_name(text).replace("_", "-")[:40]


def zip_members(exhibition: Exhibition, category: ExhibitionCategory) -> list[tuple[str, Path]]:
    """(name in the archive, original on disk) for every image of the category's accepted works:
    编号_单位_作者_作品名.ext, a set's images numbered -1, -2 …; each part made download-safe."""
    members = []
    for work in db.session.scalars(accepted(exhibition, category_id=category.id)):
        stem = "_".join([work.code, _part(work.unit.name if work.unit else "-"), _part(work.author.name),
                         _part(work.title)])
        several = len(work.images) > 1
        for image in work.images:
            path = files.original_path(image)
            if path is None or not path.is_file():
                continue
            suffix = f"-{image.position}" if several else ""
            members.append((download_safe_name(f"{stem}{suffix}.{image.extension}"), path))
    return members


def zip_filename(exhibition: Exhibition, category: ExhibitionCategory) -> str:
    return f"{exhibition.title}_{category.name}_{_('原图')}.zip"
