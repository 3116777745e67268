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
