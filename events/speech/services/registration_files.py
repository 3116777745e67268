"""A contestant's files: the manuscript (PDF or DOCX, checked by content, at most 10 MB) and an
optional photo (any image Pillow reads, re-encoded as a JPEG without its metadata).

Files live under the upload folder's private speech/ folder (app/common/uploads.py: 0700, random
names, written atomically) and are served only through the views' permission checks.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask_babel import gettext as _

from app.common.problems import Problem
from app.common.uploads import private_folder, write_private
from app.common.xlsx import ImportFailed, check_archive

MANUSCRIPT_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000  # a phone camera takes 50 MP at most; beyond is a decompression bomb
PHOTO_LONGEST_SIDE = 1200  # plenty for a programme or a screen, small to store and serve
MIMETYPES = {"pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def speech_folder() -> Path:
    """The private folder of contestants' files."""
    return private_folder("UPLOAD_FOLDER", "uploads") / "speech"


def manuscript_type(content: bytes) -> str:
    """"pdf" or "docx" by what the bytes are, never by the name: PDF's %PDF- magic, or a zip that
    passes the archive guard and holds word/document.xml; else a Problem on the manuscript field."""
    if not content:
        raise Problem(_("文件是空的"), "manuscript")
    if len(content) > MANUSCRIPT_MAX_BYTES:
        raise Problem(_("演讲稿不能超过 10 MB"), "manuscript")
    if content[:1024].lstrip(b"\r\n\t \x00\xef\xbb\xbf").startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK"):
        source = io.BytesIO(content)
        try:
            check_archive(source)
            source.seek(0)
            with zipfile.ZipFile(source) as archive:
                names = set(archive.namelist())
        except (ImportFailed, zipfile.BadZipFile, OSError, ValueError) as error:
            raise Problem(_("演讲稿只能是 PDF 或 Word（.docx）文件"), "manuscript") from error
        if "word/document.xml" in names:
            return "docx"
    raise Problem(_("演讲稿只能是 PDF 或 Word（.docx）文件"), "manuscript")


def normalised_photo(content: bytes) -> bytes:
    """The photo as a JPEG (turned upright, at most PHOTO_LONGEST_SIDE, metadata dropped); a Problem on
    the photo field when Pillow cannot read it or it is too large."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        from pillow_heif import register_heif_opener  # iPhones take HEIC photos

        register_heif_opener()
    except ImportError:  # pragma: no cover - optional
        pass
    if not content:
        raise Problem(_("文件是空的"), "photo")
    if len(content) > PHOTO_MAX_BYTES:
        raise Problem(_("照片不能超过 10 MB"), "photo")
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise Problem(_("照片像素过大"), "photo")
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except Problem:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError) as error:
        raise Problem(_("无法识别的图片，请上传 JPG、PNG 等格式的照片"), "photo") from error
    upright.thumbnail((PHOTO_LONGEST_SIDE, PHOTO_LONGEST_SIDE))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=85)
    return out.getvalue()


def store(content: bytes, suffix: str) -> str:
    """Write `content` privately; its stored name."""
    return write_private(speech_folder(), content, suffix)


def read(stored_name: str | None) -> bytes | None:
    """A stored file's bytes, None when missing (a name is only ever one we generated)."""
    if not stored_name or "/" in stored_name or stored_name.startswith("."):
        return None
    path = speech_folder() / stored_name
    return path.read_bytes() if path.is_file() else None


def remove(stored_name: str | None) -> None:
    """Delete a replaced file (missing is fine)."""
    if stored_name and "/" not in stored_name and not stored_name.startswith("."):
        (speech_folder() / stored_name).unlink(missing_ok=True)
