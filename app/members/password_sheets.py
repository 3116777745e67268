"""Initial-password sheets waiting for download after a web import.

The sheet is written to a private folder under instance/ (shared by every gunicorn worker on the
host, unlike process memory), named by a random id, mode 0600. The organiser gets a signed token that
names the file and the organiser's own user id; it works for SHEET_MAX_AGE_SECONDS. Expired sheets
are deleted whenever sheets are stored or fetched and when the roster is opened, and an organiser may
delete theirs at once after downloading.
"""
import re
from pathlib import Path

from app.common.tokens import InvalidToken, make_token, read_token
from app.common.uploads import private_folder, purge_older_than, write_private

SHEET_MAX_AGE_SECONDS = 3600
_PURPOSE = "members.password-sheet"
_NAME = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _folder(create: bool = False) -> Path:
    return private_folder("ROSTER_PASSWORD_FOLDER", "roster-passwords", create=create)


def store_sheet(content: bytes, owner_id: int) -> str:
    """Keep a password sheet for its owner; return the token that fetches it within the hour."""
    purge_expired()
    name = write_private(_folder(create=True), content, "xlsx").removesuffix(".xlsx")
    return make_token(_PURPOSE, {"sheet": name, "owner": owner_id})


def _path_for(token: str, user_id: int) -> Path:
    payload = read_token(_PURPOSE, token, SHEET_MAX_AGE_SECONDS)
    if not isinstance(payload, dict) or payload.get("owner") != user_id:
        raise InvalidToken()
    name = payload.get("sheet")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidToken()
    return _folder() / f"{name}.xlsx"


def fetch_sheet(token: str, user_id: int) -> bytes:
    """The sheet behind `token` if `user_id` owns it and it has not expired; else InvalidToken."""
    purge_expired()
    path = _path_for(token, user_id)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidToken(expired=True) from None


def discard_sheet(token: str, user_id: int) -> None:
    """Delete the sheet behind `token` now (its owner has it)."""
    _path_for(token, user_id).unlink(missing_ok=True)


def purge_expired(max_age_seconds: int = SHEET_MAX_AGE_SECONDS) -> int:
    """Delete sheets older than the token lifetime; return how many were deleted."""
    return purge_older_than(_folder(), max_age_seconds, "*.xlsx")
