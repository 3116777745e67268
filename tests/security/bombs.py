"""Hostile .xlsx files built without ever holding their expanded size: zip bombs and huge sheets.

A bomb's member is deflated once as a 1 MB chunk ending in a full flush (so it depends on nothing
before it) and that compressed chunk is repeated: 1.2 GB of sheet XML in a few megabytes, in a
fraction of a second. The zip is written by hand (no zip64 needed below 4 GB).
"""
import struct
import zlib
from pathlib import Path

MB = 1024 * 1024
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} xmlns:r="{_REL_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def _inline_row(values, number=None) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return f'<row r="{number}">{cells}</row>' if number else f"<row>{cells}</row>"


def _sheet_start(headers) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>{_inline_row(headers, 1)}'


_SHEET_END = "</sheetData></worksheet>"


class _Member:
    """One deflated zip member: pieces of (bytes, times)."""

    def __init__(self, name: str, pieces):
        self.name = name.encode()
        self.crc, self.size, compressed = 0, 0, []
        pieces = [(piece.encode() if isinstance(piece, str) else piece, times) for piece, times in pieces]
        for index, (piece, times) in enumerate(pieces):
            last = index == len(pieces) - 1
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = packer.compress(piece) + packer.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)
            if last and times != 1:
                raise ValueError("the last piece is written once")
            compressed.append(packed * times)
            for _ in range(times):
                self.crc = zlib.crc32(piece, self.crc)
            self.size += len(piece) * times
        self.data = b"".join(compressed)


def write_zip(path: Path, members: list[_Member]) -> Path:
    with open(path, "wb") as out:
        directory = []
        for member in members:
            offset = out.tell()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, member.crc, len(member.data),
                                  member.size, len(member.name), 0))
            out.write(member.name)
            out.write(member.data)
            directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, member.crc,
                                         len(member.data), member.size, len(member.name), 0, 0, 0, 0, 0,
                                         offset) + member.name)
        start = out.tell()
        for entry in directory:
            out.write(entry)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), out.tell() - start,
                              start, 0))
    return path


def _package(path: Path, sheet: _Member, shared: _Member | None = None) -> Path:
    shared = shared or _Member("xl/sharedStrings.xml", [(f'<sst {_NS} count="0" uniqueCount="0"/>', 1)])
    return write_zip(path, [
        _Member("[Content_Types].xml", [(_CONTENT_TYPES, 1)]),
        _Member("_rels/.rels", [(_ROOT_RELS, 1)]),
        _Member("xl/workbook.xml", [(_WORKBOOK, 1)]),
        _Member("xl/_rels/workbook.xml.rels", [(_WORKBOOK_RELS, 1)]),
        shared,
        sheet,
    ])


def sheet_bomb(path: Path, headers, expanded_mb: int = 1200) -> Path:
    """A sheet of `headers` followed by `expanded_mb` MB of identical rows (about 5 MB on disk)."""
    row = _inline_row(["甲" * 60] * len(headers))
    chunk = row * (MB // len(row.encode()))
    sheet = _Member("xl/worksheets/sheet1.xml",
                    [(_sheet_start(headers), 1), (chunk, expanded_mb), (_SHEET_END, 1)])
    return _package(path, sheet)


def shared_strings_bomb(path: Path, headers, expanded_mb: int = 1200) -> Path:
    """A sheet whose second row points at one shared string of `expanded_mb` MB (about 1 MB on disk)."""
    sheet = _Member("xl/worksheets/sheet1.xml", [(
        _sheet_start(headers) + '<row r="2"><c t="s"><v>0</v></c></row>' + _SHEET_END, 1)])
    shared = _Member("xl/sharedStrings.xml", [
        (f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="1" uniqueCount="1"><si><t>', 1),
        ("A" * MB, expanded_mb), ("</t></si></sst>", 1)])
    return _package(path, sheet, shared)


def tall_sheet(path: Path, headers, last_row: int = 1_048_576) -> Path:
    """A few hundred bytes declaring a row at `last_row`: readers pad every row before it."""
    sheet = _Member("xl/worksheets/sheet1.xml", [(
        _sheet_start(headers) + _inline_row(["x"] * len(headers), last_row) + _SHEET_END, 1)])
    return _package(path, sheet)


def many_members(path: Path, headers, count: int = 5000) -> Path:
    sheet = _Member("xl/worksheets/sheet1.xml", [(_sheet_start(headers) + _SHEET_END, 1)])
    members = [_Member(f"xl/media/pad{index}.xml", [("<x/>", 1)]) for index in range(count)]
    path = _package(path, sheet)
    # Rewrite with the padding members added (the package itself is tiny).
    import zipfile

    with zipfile.ZipFile(path) as archive:
        originals = [_Member(info.filename, [(archive.read(info), 1)]) for info in archive.infolist()]
    return write_zip(path, originals + members)


def raw_sheet(path: Path, headers, rows) -> Path:
    """A sheet written as raw XML, so it can hold what openpyxl would refuse to write (C1 controls)."""
    body = "".join(_inline_row(row, number) for number, row in enumerate(rows, start=2))
    return _package(path, _Member("xl/worksheets/sheet1.xml", [(_sheet_start(headers) + body + _SHEET_END, 1)]))
