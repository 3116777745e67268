"""Where an exhibition's files live, and who may read them.

Originals: UPLOAD_FOLDER/exhibition/<id>/originals, byte for byte, served only to organisers.
Derivatives: UPLOAD_FOLDER/exhibition/<id>/derived, the thumbnail and display JPEGs, served to signed-in
people when the work is accepted, and to its author (and organisers) before; and the judges' copy
(评审图: larger, camera data kept, author fields and GPS stripped), which only the judging rounds serve
(judge_copy_path finds it).
"""
from __future__ import annotations

import re
from pathlib import Path

from app.common.access import Role
from app.common.uploads import upload_folder

_NAME = re.compile(r"[A-Za-z0-9_-]{16,80}\.[a-z]{3,4}")


def originals_folder(exhibition_id: int) -> Path:
    return upload_folder("exhibition", str(exhibition_id), "originals")


def derived_folder(exhibition_id: int) -> Path:
    return upload_folder("exhibition", str(exhibition_id), "derived")


def safe_path(folder: Path, name: str | None) -> Path | None:
    """`folder/name` when `name` is one of our random names (never a path a row could smuggle in)."""
    if not name or not _NAME.fullmatch(name):
        return None
    return folder / name


def original_path(image) -> Path | None:
    return safe_path(originals_folder(image.exhibition_id), image.original_file)


def derivative_path(image, kind: str) -> Path | None:
    """The thumbnail ("thumb"), display ("display") or judges' copy ("judge") of an image."""
    name = {"thumb": image.thumbnail_file, "display": image.display_file, "judge": image.judge_file}.get(kind)
    return safe_path(derived_folder(image.exhibition_id), name)


def judge_copy_path(image) -> Path | None:
    """The judges' copy of an image (author fields and GPS stripped), None before the job made it;
    the caller decides who may read it (a judge of a round that covers the work)."""
    return derivative_path(image, "judge")


def image_paths(image) -> list[Path]:
    """Every file an image has on disk (original and derivatives)."""
    return [path for path in (original_path(image), derivative_path(image, "thumb"),
                              derivative_path(image, "display"), judge_copy_path(image)) if path is not None]


def remove_files(paths) -> None:
    """Delete files after the commit that forgot them (a refused or withdrawn upload leaves nothing)."""
    for path in paths:
        path.unlink(missing_ok=True)


def is_organiser(user) -> bool:
    return user.has_any_role((Role.ORGANISER, Role.ADMIN))


def may_see_derivatives(user, work) -> bool:
    """Signed-in people see the derivatives of accepted works; the author (and co-authors) and
    organisers see them at any status."""
    if is_organiser(user):
        return True
    if work.author_id == user.id or any(person.id == user.id for person in work.coauthors):
        return work.status != "withdrawn"
    return work.status == "accepted"


def may_read_original(user) -> bool:
    """Only organisers download originals (judges' access comes with the judging rounds)."""
    return is_organiser(user)
