"""The exhibition's image rules: what a member's upload must be, and the derivatives made from it.

Accepted by content only (never by the file's name or the browser's type): JPEG (and MPO, a JPEG
with extra frames that phones write: frame 0 is the picture), PNG, WebP and HEIC/HEIF. The original
is kept byte for byte elsewhere (app/common/uploads.py); everything here works on a copy in memory.

Two steps, so the member's upload answers fast and the decoding runs as a job:
- inspect_image: Pillow opens and verifies the file, reads its size, orientation and camera data,
  refuses pixel bombs before decoding; a content hash for identical resubmissions.
- make_derivatives: decodes fully (a truncated file is refused here), applies the orientation once,
  converts colour to sRGB through the embedded profile, and writes a ~400 px thumbnail and a
  ~1600 px display image as JPEG with no metadata at all (no GPS, no author fields, no camera data:
  the organiser reads those from the inspection), plus a perceptual hash for near-duplicates;
  and the judges' copy (评审图, ~2000 px): the same upright sRGB picture, larger, carrying the camera
  data a photography judge checks (make, model, lens, exposure, when taken) and nothing personal:
  EXIF is rebuilt from an allowlist, so the author fields (Artist, Copyright, XPAuthor, owner and
  serial numbers), GPS, the maker note, XMP (dc:creator) and IPTC (By-line) never reach it.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import warnings
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, UnidentifiedImageError

from app.common.problems import Problem

# A 50 MP phone or a 61 MP camera passes; anything larger is treated as a decompression bomb and
# refused before its pixels are decoded (Pillow's own limit is set from it while we open a file).
MAX_IMAGE_PIXELS = 80_000_000
THUMBNAIL_EDGE = 400
DISPLAY_EDGE = 1600
JUDGE_EDGE = 2000  # a 12 MP phone photo still decodes at half size (JPEG draft) for it
JPEG_QUALITY = 85
# Pillow's format name → the extension the original is stored with.
ACCEPTED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
ORIENTATION_TAG = 0x0112
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
# EXIF orientation → the transposes that bring the picture upright, in order.
_UPRIGHT = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}
# 0th-IFD and Exif-IFD tags shown to the organiser as camera data.
_CAMERA_TAGS = {0x010F: "make", 0x0110: "model", 0x0131: "software"}
_TAKEN_AT_TAG = 0x9003  # DateTimeOriginal, in the Exif IFD
# What the judges' copy keeps of the original's EXIF (everything else, the author fields, owner and
# serial numbers, GPS and the maker note included, is left out): 0th IFD and Exif IFD allowlists.
JUDGE_MAIN_TAGS = frozenset({0x010F, 0x0110, 0x0131, 0x0132})  # Make, Model, Software, DateTime
JUDGE_EXIF_TAGS = frozenset({
    0x829A, 0x829D, 0x8822, 0x8827, 0x9003, 0x9004, 0x9201, 0x9202, 0x9204, 0x9207, 0x9209, 0x920A,
    0xA402, 0xA403, 0xA405, 0xA406, 0xA433, 0xA434,
})  # exposure time, F-number, programme, ISO, taken/digitised, shutter, aperture, bias, metering,
#     flash, focal length, exposure mode, white balance, 35 mm focal length, scene, lens make/model

_heif_registered = False


class ImageRefused(Problem):
    """The upload is not an image this exhibition accepts; the message says why, for the member."""


@dataclass(frozen=True)
class Inspection:
    """What an upload is, read without decoding its pixels: the format and the extension to store
    the original under, its upright size, the EXIF orientation found, camera data, whether it has
    GPS and EXIF at all, and the SHA-256 of its bytes (identical resubmissions)."""

    format: str
    extension: str
    width: int
    height: int
    orientation: int
    has_exif: bool
    has_gps: bool
    content_hash: str
    camera: dict = field(default_factory=dict)

    @property
    def long_edge(self) -> int:
        return max(self.width, self.height)


@dataclass(frozen=True)
class Derivatives:
    """The derivatives of an accepted image: thumbnail, display and judges' JPEGs, their sizes, and
    the 64-bit difference hash of the picture (near-duplicates differ in a few bits)."""

    thumbnail: bytes
    display: bytes
    thumbnail_size: tuple[int, int]
    display_size: tuple[int, int]
    dhash: int
    judge: bytes = b""  # the judges' copy (camera data kept, nothing personal)
    judge_size: tuple[int, int] = (0, 0)


def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF (once per process): iPhones send originals in it."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def _open(data: bytes) -> Image.Image:
    """Open `data` with our pixel limit, the decompression-bomb warning raised as an error."""
    _register_heif()
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(_l("图片像素过多（超过 %(count)s 万像素），请缩小后再上传",
                              count=MAX_IMAGE_PIXELS // 10_000), "image") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageRefused(_l("无法识别为图片，请上传 JPEG、PNG、WebP 或 HEIC 格式的照片"), "image") from error
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _exif(image: Image.Image) -> Image.Exif | None:
    """The image's EXIF, or None when it has none or it cannot be parsed (a malformed block is
    ignored: the picture itself is still fine)."""
    try:
        exif = image.getexif()
    except Exception:
        return None
    return exif if len(exif) else None


def _orientation(image: Image.Image, exif: Image.Exif | None) -> int:
    """The EXIF orientation 1–8 still to apply (1 for HEIF: libheif has already turned it upright,
    and turning it again would rotate it twice)."""
    if image.format == "HEIF" or exif is None:
        return 1
    try:
        value = int(exif.get(ORIENTATION_TAG, 1))
    except (TypeError, ValueError):
        return 1
    return value if value in range(1, 9) else 1


def _camera(exif: Image.Exif | None) -> dict:
    """Make, model, software and when the picture was taken, as text, for the organiser."""
    if exif is None:
        return {}
    found = {}
    for tag, name in _CAMERA_TAGS.items():
        value = exif.get(tag)
        if isinstance(value, str) and value.strip("\x00 "):
            found[name] = value.strip("\x00 ")[:80]
    try:
        taken = exif.get_ifd(EXIF_IFD).get(_TAKEN_AT_TAG)
    except Exception:
        taken = None
    if isinstance(taken, str):
        with contextlib.suppress(ValueError):  # a camera with an odd date format: leave it out
            found["taken_at"] = datetime.strptime(taken.strip("\x00 "), "%Y:%m:%d %H:%M:%S").isoformat(sep=" ")
    return found


def _has_gps(exif: Image.Exif | None) -> bool:
    if exif is None or GPS_IFD not in exif:
        return False
    try:
        return bool(exif.get_ifd(GPS_IFD))
    except Exception:
        return True


def inspect_image(data: bytes, *, max_bytes: int | None = None) -> Inspection:
    """An upload is accepted when Pillow recognises it as JPEG, MPO, PNG, WebP or HEIF, verifies
    its structure, and it has at most MAX_IMAGE_PIXELS pixels (and at most `max_bytes` bytes)."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ImageRefused(_l("文件超过 %(size)s MB，请压缩后再上传", size=max_bytes // (1024 * 1024)), "image")
    if not data:
        raise ImageRefused(_l("文件是空的，请重新选择照片"), "image")
    image = _open(data)
    if image.format not in ACCEPTED_FORMATS:
        raise ImageRefused(_l("不支持 %(format)s 格式，请上传 JPEG、PNG、WebP 或 HEIC 格式的照片",
                              format=image.format or "?"), "image")
    exif = _exif(image)
    orientation = _orientation(image, exif)
    width, height = image.size
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    inspection = Inspection(
        format=image.format, extension=ACCEPTED_FORMATS[image.format], width=width, height=height,
        orientation=orientation, has_exif=exif is not None, has_gps=_has_gps(exif),
        content_hash=hashlib.sha256(data).hexdigest(), camera=_camera(exif))
    try:
        _open(data).verify()  # verify() leaves the image unusable: done on a second, throwaway open
    except ImageRefused:
        raise
    except Exception as error:
        raise ImageRefused(_l("图片文件已损坏，请重新上传"), "image") from error
    return inspection


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    """Turn the picture upright once: from the orientation read at inspection (exif_transpose is not
    used: it raises on real phone files with odd EXIF, and it would rotate HEIF a second time)."""
    for transpose in _UPRIGHT.get(orientation, ()):
        image = image.transpose(transpose)
    return image


_SRGB = None


def _srgb_profile():
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return _SRGB


def _fitted(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """`size` scaled to fit within edge × edge, aspect kept (never enlarged)."""
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrunk(image: Image.Image, edge: int, whole: tuple[int, int] | None = None) -> Image.Image:
    """The picture fitted within edge × edge (Lanczos, after a cheap box reduction for big shrinks);
    `whole`, the full picture's size when `image` is already a reduction, keeps the proportions of
    the original (no rounding carried over from one reduction to the next)."""
    size = _fitted(whole or image.size, edge)
    if size == image.size:
        return image
    shrunk = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    shrunk.info = dict(image.info)
    return shrunk


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit grey scaled down to 8 bits (other modes are left for _to_srgb)."""
    if image.mode not in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return image
    profile = image.info.get("icc_profile")
    high = image.getextrema()[1] if image.mode == "I" else 65535
    scale = 255 / 65535 if high > 255 else 1
    image = image.convert("I").point(lambda value: value * scale).convert("L")
    if profile:
        image.info["icc_profile"] = profile
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """An 8-bit RGB picture in sRGB: through the embedded ICC profile when there is one (CMYK,
    Display P3, Adobe RGB), transparency laid on white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba).convert("RGB")
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(image, source, _srgb_profile(), outputMode="RGB",
                                             renderingIntent=ImageCms.Intent.PERCEPTUAL)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to the plain conversion below
    return image.convert("RGB")


def _jpeg(image: Image.Image, exif: bytes = b"", *, progressive: bool = True) -> bytes:
    buffer = io.BytesIO()
    # Progressive for what members open on slow mobile data: the picture appears whole at once and
    # sharpens as it loads. It costs about six times a baseline encode, so the judges' copy, opened on
    # the hall's tablets, is baseline.
    options = {"exif": exif} if exif else {}
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, progressive=progressive, **options)
    return buffer.getvalue()


def _allowed(value) -> bool:
    """A tag value worth copying: numbers and rationals, short text (never bytes: undefined blobs
    such as a maker note or a user comment may hold anything)."""
    if isinstance(value, str):
        return len(value) <= 200
    if isinstance(value, tuple):
        return all(_allowed(item) for item in value)
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or hasattr(value, "numerator")


def judge_exif(exif: Image.Exif | None) -> bytes:
    """The EXIF block of a judges' copy: only the allowlisted camera tags of the original (make,
    model, lens, exposure, when taken), no orientation (the copy is already upright), nothing else;
    empty when the original has none of them."""
    if exif is None:
        return b""
    clean = Image.Exif()
    for tag in JUDGE_MAIN_TAGS:
        value = exif.get(tag)
        if value is not None and _allowed(value):
            clean[tag] = value
    try:
        source = exif.get_ifd(EXIF_IFD)
    except Exception:
        source = {}
    camera = {tag: value for tag, value in source.items() if tag in JUDGE_EXIF_TAGS and _allowed(value)}
    if camera:
        clean.get_ifd(EXIF_IFD).update(camera)
        clean[EXIF_IFD] = 0  # Pillow writes the sub-IFD (and its offset) when the pointer tag exists
    if not len(clean):
        return b""
    try:
        return clean.tobytes()
    except Exception:
        return b""  # a value Pillow cannot write back: the copy goes without camera data


def difference_hash(image: Image.Image) -> int:
    """The 64-bit dHash of a picture: each bit says whether a pixel of the 9×8 grey reduction is
    brighter than its right-hand neighbour; recompressing or resizing changes few bits."""
    grey = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = grey.tobytes()  # one byte per pixel in mode L
    bits = 0
    for row in range(8):
        for column in range(8):
            left, right = pixels[row * 9 + column], pixels[row * 9 + column + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return bits


def hash_distance(first: int, second: int) -> int:
    """How many of the 64 bits two difference hashes differ in."""
    return (first ^ second).bit_count()


NEAR_DUPLICATE_DISTANCE = 6


def is_near_duplicate(first: int, second: int) -> bool:
    """Two pictures are 疑似雷同 when their difference hashes differ in at most 6 of 64 bits (flagged
    for review, never refused)."""
    return hash_distance(first, second) <= NEAR_DUPLICATE_DISTANCE


def make_derivatives(data: bytes, inspection: Inspection) -> Derivatives:
    """An accepted upload decodes completely (a truncated file is refused) and yields an upright sRGB
    judges' copy of at most JUDGE_EDGE (with the allowlisted camera data only), a display image of at
    most DISPLAY_EDGE and a thumbnail of at most THUMBNAIL_EDGE pixels on the long edge, as JPEG, the
    display image and the thumbnail without any metadata."""
    image = _open(data)
    if image.format == "MPO":
        image.seek(0)
    if image.format == "JPEG":
        # DCT scaling while decoding: a 12 MP photo decodes at 1/2 size (never below the display
        # size), several times faster than a full decode followed by a resize.
        image.draft("RGB", _fitted(image.size, JUDGE_EDGE))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except Exception as error:
        raise ImageRefused(_l("图片文件不完整或已损坏，请重新上传"), "image") from error
    profile = image.info.get("icc_profile")
    exif = judge_exif(_exif(image))
    # Shrink first, then turn and convert colour: both cost per pixel, and the judges' copy has a
    # third of a phone photo's pixels or fewer.
    image = _eight_bit(image)
    judge = _shrunk(image, JUDGE_EDGE)
    judge = _upright(judge, inspection.orientation)
    if profile:
        judge.info["icc_profile"] = profile  # resize and transpose drop info; the profile must survive
    judge = _to_srgb(judge)
    display = _shrunk(judge, DISPLAY_EDGE, (inspection.width, inspection.height))
    thumbnail = _shrunk(display, THUMBNAIL_EDGE)
    return Derivatives(_jpeg(thumbnail), _jpeg(display), thumbnail.size, display.size, difference_hash(thumbnail),
                       judge=_jpeg(judge, exif, progressive=False), judge_size=judge.size)
