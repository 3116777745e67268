"""Private files on the server's disk: uploads waiting for a job, job results, initial-password sheets.

They live under the instance folder (or a configured folder that every app server shares), never
under static/: folders are created 0700, files 0600 with random names, written atomically (a
reader never sees half a file), and swept once they are older than their lifetime.
"""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import current_app


def private_folder(config_key: str, default: str, *, create: bool = False) -> Path:
    """The folder named by config `config_key`, else instance/private/`default`; made 0700 on `create`."""
    configured = current_app.config.get(config_key)
    folder = Path(configured) if configured else Path(current_app.instance_path) / "private" / default
    if create:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def write_private(folder: Path, content: bytes, suffix: str) -> str:
    """Write `content` to a new random name `<random>.<suffix>` in `folder` (0600, atomically); the name."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{secrets.token_urlsafe(24)}.{suffix}"
    temporary = folder / f".{name}.part"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return name


def purge_older_than(folder: Path, max_age_seconds: float, pattern: str = "*") -> int:
    """Delete the files in `folder` matching `pattern` older than `max_age_seconds`; how many went."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age_seconds
    deleted = 0
    for path in folder.glob(pattern):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            continue  # another worker swept it first
    return deleted


class UploadTooLarge(Exception):
    """The upload is larger than the limit: refused before it was read whole."""

    def __init__(self, max_bytes: int):
        super().__init__(f"more than {max_bytes} bytes")
        self.max_bytes = max_bytes


def read_limited(stream, max_bytes: int, *, chunk_size: int = 1024 * 1024) -> bytes:
    """Read an upload stream into memory, refusing it (UploadTooLarge) as soon as it passes
    `max_bytes`, so a 2 GB file never sits in memory to be measured."""
    parts, size = [], 0
    while True:
        chunk = stream.read(min(chunk_size, max_bytes + 1 - size))
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > max_bytes:
            raise UploadTooLarge(max_bytes)
        parts.append(chunk)


# Staging: a file uploaded on its own, before the small form that uses it (a phone on mobile data
# retries one failed image, not the whole form). The upload answers with a signed token naming the
# uploader and the stored file; the form hands the tokens back; unused files go after a day.
STAGING_PURPOSE = "uploads.staged"
STAGING_MAX_AGE_SECONDS = 24 * 60 * 60


def upload_folder(*parts: str) -> Path:
    """A folder under UPLOAD_FOLDER (every app server must share it), made 0700: where originals
    members uploaded are kept, never under static/ and never served without a permission check."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]).joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def staging_folder() -> Path:
    """Where staged uploads wait: UPLOAD_FOLDER/staging (the same file system as the originals, so
    claiming one is a rename)."""
    return upload_folder("staging")


def purge_staged() -> int:
    """Staged uploads are deleted a day after they arrived if no form claimed them; how many went."""
    return purge_older_than(staging_folder(), STAGING_MAX_AGE_SECONDS)


def stage_upload(content: bytes, suffix: str, owner_id: int) -> str:
    """Keep `content` in staging for its owner and return the signed token that claims it (and
    sweep staged files older than a day, so abandoned uploads never pile up)."""
    from app.common.tokens import make_token

    folder = staging_folder()
    purge_older_than(folder, STAGING_MAX_AGE_SECONDS)
    name = write_private(folder, content, suffix)
    return make_token(STAGING_PURPOSE, [owner_id, name])


def staged_path(token: str, owner_id: int) -> Path | None:
    """The staged file a token names, if the token is genuine, at most a day old, issued to
    `owner_id`, and the file is still there; else None (never another member's file)."""
    from app.common.tokens import InvalidToken, read_token

    try:
        payload = read_token(STAGING_PURPOSE, token, STAGING_MAX_AGE_SECONDS)
    except InvalidToken:
        return None
    if not (isinstance(payload, list) and len(payload) == 2 and payload[0] == owner_id
            and isinstance(payload[1], str) and "/" not in payload[1] and not payload[1].startswith(".")):
        return None
    path = staging_folder() / payload[1]
    return path if path.is_file() else None


def claim_staged(token: str, owner_id: int, destination: Path) -> str | None:
    """Move a staged file into `destination` under the same random name (an atomic rename on one
    file system) and return the name; None when the token does not name the owner's staged file."""
    source = staged_path(token, owner_id)
    if source is None:
        return None
    destination.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.replace(source, destination / source.name)
    return source.name
