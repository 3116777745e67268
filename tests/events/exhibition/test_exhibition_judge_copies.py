"""The judges' copy (评审图): generated photos carrying the author in every place a camera or an
editor writes it (EXIF Artist, Copyright, XPAuthor, owner name and serial numbers, XMP dc:creator,
IPTC By-line) and GPS; the copy keeps the camera data a judge checks and none of those."""
import io
import struct

import pytest
import sqlalchemy as sa
from PIL import Image, IptcImagePlugin
from PIL.TiffImagePlugin import IFDRational

from app.extensions import db
from events.exhibition.images import DISPLAY_EDGE, JUDGE_EDGE, inspect_image, make_derivatives
from events.exhibition.models import WorkImage
from events.exhibition.services import files
from events.exhibition.services.processing import backfill_judge_copies
from tests.events.exhibition.helpers import (
    category,
    new_exhibition,
    photo,
    run_pending_jobs,
    stage,
    work_form,
)

AUTHOR = "王小明"
XMP = (b"http://ns.adobe.com/xap/1.0/\0<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>"
       b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
       b"<rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:creator><rdf:Seq><rdf:li>"
       + AUTHOR.encode() + b"</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
       b"<?xpacket end='w'?>")


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def _iptc_byline(name: str) -> bytes:
    """An APP13 Photoshop block with an IPTC IIM resource holding 2:80 By-line."""
    value = name.encode()
    iim = b"\x1c\x02\x50" + struct.pack(">H", len(value)) + value
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", len(iim)) + iim
    if len(iim) % 2:
        resource += b"\0"
    return b"Photoshop 3.0\0" + resource


def _camera_exif(gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "TestPhone", "Model X"
    # Phones write UTF-8 into the ASCII tags; Pillow writes bytes as they are.
    exif[0x013B] = AUTHOR.encode()  # Artist
    exif[0x8298] = f"© {AUTHOR}".encode()  # Copyright
    exif[0x9C9D] = tuple((AUTHOR + "\0").encode("utf-16-le"))  # XPAuthor (Windows), UCS-2 bytes
    exif[0x010E] = f"{AUTHOR}摄于外滩".encode()  # ImageDescription: free text, may name anyone
    exif[0x0112] = 6
    exif.get_ifd(0x8769).update({
        0x829A: IFDRational(1, 250), 0x829D: IFDRational(18, 10), 0x8827: 100, 0x9003: "2026:05:01 06:30:00",
        0x920A: IFDRational(55, 10),
        0xA434: "Wide 24mm", 0xA430: AUTHOR.encode(), 0xA431: "SN-998877", 0xA435: "LENS-1122",  # owner, serials
        0x927C: b"maker note with " + "王小明".encode(), 0x9286: b"ASCII\0\0\0" + AUTHOR.encode(),
    })
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    return exif


def authored_jpeg(size=(2400, 1600)) -> bytes:
    """A JPEG (turned by orientation 6) with the author in EXIF, XMP and IPTC, and GPS."""
    picture = Image.new("RGB", size, (30, 90, 200))
    picture.paste((230, 20, 20), (0, 0, size[0] // 2, size[1] // 2))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=90, exif=_camera_exif().tobytes())
    data = buffer.getvalue()
    extra = _segment(0xE1, XMP) + _segment(0xED, _iptc_byline(AUTHOR))
    return data[:2] + extra + data[2:]


def _leaks(jpeg: bytes) -> list[str]:
    found = []
    for needle, name in ((AUTHOR.encode(), "author utf-8"), (AUTHOR.encode("utf-16-le"), "author utf-16"),
                         (b"SN-998877", "serial"), (b"LENS-1122", "lens serial"), (b"dc:creator", "xmp"),
                         (b"Photoshop 3.0", "iptc"), (b"http://ns.adobe.com/xap", "xmp")):
        if needle in jpeg:
            found.append(name)
    return found


def test_the_generated_photo_really_carries_every_author_field():
    data = authored_jpeg()
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    assert exif[0x013B].encode("latin-1") == AUTHOR.encode() and exif.get_ifd(0x8825)
    assert AUTHOR.encode() in exif[0x8298].encode("latin-1") and 0x9C9D in exif
    assert b"dc:creator" in image.info["xmp"]
    assert IptcImagePlugin.getiptcinfo(image)[(2, 80)] == AUTHOR.encode()


def test_the_judges_copy_keeps_camera_data_and_nothing_personal():
    data = authored_jpeg()
    inspection = inspect_image(data)
    made = make_derivatives(data, inspection)
    assert inspection.has_gps  # the original keeps it (the organiser sees it)
    judge = Image.open(io.BytesIO(made.judge))
    judge.load()
    assert judge.size == made.judge_size and max(judge.size) == JUDGE_EDGE
    assert judge.size[1] > judge.size[0]  # orientation 6 applied once; the copy says nothing more about it
    exif = judge.getexif()
    assert (exif[0x010F], exif[0x0110]) == ("TestPhone", "Model X")
    camera = exif.get_ifd(0x8769)
    assert camera[0x9003] == "2026:05:01 06:30:00" and camera[0x8827] == 100 and camera[0xA434] == "Wide 24mm"
    assert float(camera[0x829A]) == pytest.approx(1 / 250)
    for tag in (0x013B, 0x8298, 0x9C9D, 0x010E, 0x0112):
        assert tag not in exif
    for tag in (0xA430, 0xA431, 0xA435, 0x927C, 0x9286):
        assert tag not in camera
    assert not exif.get_ifd(0x8825)
    assert "xmp" not in judge.info and IptcImagePlugin.getiptcinfo(judge) is None
    assert _leaks(made.judge) == []
    for other in (made.display, made.thumbnail):  # the others carry no metadata at all
        assert _leaks(other) == [] and not Image.open(io.BytesIO(other)).getexif()
    assert max(Image.open(io.BytesIO(made.display)).size) == DISPLAY_EDGE


@pytest.mark.parametrize("format", ["PNG", "WEBP", "HEIF"])
def test_other_formats_lose_the_author_and_gps_too(format):
    if format == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    buffer = io.BytesIO()
    options = {"exif": _camera_exif().tobytes()}
    if format in ("PNG", "WEBP"):
        options["xmp"] = XMP.split(b"\0", 1)[1]
    Image.new("RGB", (900, 600), (10, 120, 40)).save(buffer, format=format, **options)
    data = buffer.getvalue()
    assert AUTHOR.encode() in data
    made = make_derivatives(data, inspect_image(data))
    assert _leaks(made.judge) == []
    exif = Image.open(io.BytesIO(made.judge)).getexif()
    assert exif.get(0x010F) == "TestPhone" and 0x013B not in exif and not exif.get_ifd(0x8825)


def test_a_photo_without_exif_gets_a_bare_judges_copy():
    data = photo(size=(1200, 900), exif=False)
    made = make_derivatives(data, inspect_image(data))
    assert not Image.open(io.BytesIO(made.judge)).getexif() and made.judge_size == (1200, 900)


def test_the_job_stores_the_judges_copy_and_the_backfill_makes_missing_ones(app, client_for, make_campaign,
                                                                            make_member):
    exhibition = new_exhibition(make_campaign())
    client = client_for(make_member(name="投稿人乙"))
    photo_category = category(exhibition, "摄影")
    token = stage(client, exhibition, authored_jpeg(), photo_category.id).get_json()["token"]
    assert client.post(f"/exhibition/{exhibition.id}/submit",
                       data=work_form(photo_category.id, [token])).status_code == 302
    assert run_pending_jobs() == ["done"]
    image = db.session.scalars(sa.select(WorkImage)).one()
    path = files.judge_copy_path(image)
    assert path is not None and path.is_file() and _leaks(path.read_bytes()) == []
    assert files.original_path(image).read_bytes() == authored_jpeg()  # the original is untouched

    # An image processed before judges' copies existed: the backfill remakes its derivatives.
    old_paths = [files.derivative_path(image, kind) for kind in ("thumb", "display")]
    path.unlink()
    image.judge_file = None
    db.session.commit()
    assert files.judge_copy_path(image) is None
    done, written = backfill_judge_copies(exhibition.id)
    db.session.commit()
    assert done == 1 and len(written) == 3
    assert files.judge_copy_path(image).is_file() and not any(p.exists() for p in old_paths)
    assert backfill_judge_copies(exhibition.id) == (0, [])


def test_the_cli_backfills(app, make_campaign):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["exhibition-judge-copies"])
    assert result.exit_code == 0 and "judges' copies made: 0" in result.output
