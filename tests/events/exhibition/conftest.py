"""Generated images for the exhibition's image rules: every format, orientation, colour space and
kind of broken file the pipeline must accept or refuse."""
import io
import struct

import pytest
from PIL import Image


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    body = b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_text)) + ascii_text
    return body + b"\0" * 8 + b"\0" * 3 + b"\0" * 67  # no Unicode, no ScriptCode description


def display_p3_profile() -> bytes:
    """A Display P3 ICC v2 matrix/TRC profile built by hand (primaries adapted to D50, gamma 2.2),
    so the test proves the conversion runs through the embedded profile, not a plain convert()."""
    gamma = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", 0x0233) + b"\0\0"
    tags = [
        (b"desc", _desc("Display P3 (test)")),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(0.5151, 0.2412, -0.0011)),
        (b"gXYZ", _xyz(0.2920, 0.6922, 0.0419)),
        (b"bXYZ", _xyz(0.1571, 0.0666, 0.7841)),
        (b"rTRC", gamma), (b"gTRC", gamma), (b"bTRC", gamma),
        (b"cprt", b"text" + b"\0" * 4 + b"none\0\0\0\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        while len(body) % 4:
            body += b"\0"
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 4 + b"\0" * 4 + b"\0" * 8 + b"\0" * 8 + b"\0" * 4
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def _exif(orientation: int | None = None, gps: bool = False, artist: str | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"
    exif[0x0110] = "Model X"
    if orientation:
        exif[0x0112] = orientation
    if artist:
        exif[0x013B] = artist
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    return exif


def marked_picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A picture whose top-left quarter is red and the rest blue: after orientation, the red corner
    tells which way the picture was turned."""
    image = Image.new("RGB", (width, height), (20, 40, 220))
    image.paste((230, 20, 20), (0, 0, width // 2, height // 2))
    return image.convert(mode) if mode != "RGB" else image


@pytest.fixture
def make_image():
    """make_image(format="JPEG", size=(600, 400), mode="RGB", orientation=None, gps=False,
    artist=None, icc=None) -> bytes of a generated, marked picture."""

    def factory(format: str = "JPEG", size=(600, 400), mode: str = "RGB", orientation: int | None = None,
                gps: bool = False, artist: str | None = None, icc: bytes | None = None) -> bytes:
        image = marked_picture(*size, mode=mode)
        buffer = io.BytesIO()
        options = {}
        if format in ("JPEG", "WEBP", "HEIF") and (orientation or gps or artist):
            options["exif"] = _exif(orientation, gps, artist).tobytes()
        if icc:
            options["icc_profile"] = icc
        if format == "HEIF":
            from pillow_heif import register_heif_opener

            register_heif_opener()
        image.save(buffer, format=format, **options)
        return buffer.getvalue()

    return factory
