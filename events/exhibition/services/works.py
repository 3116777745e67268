"""A member's works: images staged one by one, then the small form that submits them; edits and
withdrawal until the deadline or until an organiser takes the work up for review."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.uploads import claim_staged, stage_upload, staged_path
from app.extensions import db
from events.exhibition.images import ImageRefused, Inspection, inspect_image
from events.exhibition.models import EDITABLE_STATUSES, Exhibition, ExhibitionCategory, Work, WorkImage
from events.exhibition.services import files
from events.exhibition.services.setup import is_open

MAX_COAUTHORS = 5


@dataclass
class WorkDraft:
    """What the member typed: the form's fields, and the staging tokens of the images in order."""

    category_id: int
    title: str
    statement: str = ""
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    medium: str = ""
    year_made: int | None = None
    coauthor_staff_ids: list[str] = field(default_factory=list)
    pledge: bool = False
    tokens: list[str] = field(default_factory=list)
    submit: bool = True  # False: keep as a draft


# ---------------------------------------------------------------- staging one image

def too_small_message(category: ExhibitionCategory, inspection: Inspection) -> str:
    return str(_l("图片长边 %(edge)s 像素，本类别要求至少 %(minimum)s 像素，请上传原图",
                  edge=inspection.long_edge, minimum=category.min_long_edge))


def stage_image(exhibition: Exhibition, category: ExhibitionCategory | None, data: bytes, owner: User) -> dict:
    """An image is staged for its owner when it is an image we accept, within the exhibition's size
    limit and (when its category is known) at least the category's minimum long edge; nothing is
    written otherwise."""
    inspection = inspect_image(data, max_bytes=exhibition.max_bytes)
    if category is not None and inspection.long_edge < category.min_long_edge:
        raise ImageRefused(too_small_message(category, inspection), "image")
    token = stage_upload(data, inspection.extension, owner.id)
    return {"token": token, "width": inspection.width, "height": inspection.height,
            "format": inspection.format, "size": len(data), "has_exif": inspection.has_exif}


# ---------------------------------------------------------------- submitting

def _allocate_number(exhibition_id: int) -> int:
    """The next 编号: one atomic UPDATE … RETURNING on the exhibition's counter (never reused)."""
    return db.session.execute(
        sa.update(Exhibition).where(Exhibition.id == exhibition_id)
        .values(last_number=Exhibition.last_number + 1).returning(Exhibition.last_number)).scalar_one()


def live_works(author_id: int, category_id: int, *, excluding: int | None = None) -> list[Work]:
    query = sa.select(Work).where(Work.author_id == author_id, Work.category_id == category_id,
                                  Work.slot.is_not(None))
    if excluding is not None:
        query = query.where(Work.id != excluding)
    return list(db.session.scalars(query))


def _free_slot(category: ExhibitionCategory, author_id: int, excluding: int | None = None) -> int:
    taken = {work.slot for work in live_works(author_id, category.id, excluding=excluding)}
    for slot in range(1, category.works_per_member + 1):
        if slot not in taken:
            return slot
    raise Problem(_l("您在“%(name)s”类别已有 %(count)s 件作品，达到每人上限",
                     name=category.name, count=category.works_per_member), "category_id")


def _coauthors(staff_ids: list[str], author: User) -> list[User]:
    wanted = [staff_id for staff_id in dict.fromkeys(staff_ids) if staff_id and staff_id != author.staff_id]
    if len(wanted) > MAX_COAUTHORS:
        raise Problem(_l("合作者最多 %(count)s 人", count=MAX_COAUTHORS), "coauthors")
    if not wanted:
        return []
    found = {user.staff_id: user for user in db.session.scalars(
        sa.select(User).where(User.staff_id.in_(wanted), User.active.is_(True), User.unit_id.is_not(None)))}
    missing = [staff_id for staff_id in wanted if staff_id not in found]
    if missing:
        raise Problem(_l("名册中没有这些工号：%(ids)s", ids="、".join(missing)), "coauthors")
    return [found[staff_id] for staff_id in wanted]


def _check_fields(category: ExhibitionCategory, draft: WorkDraft) -> None:
    if draft.submit and not draft.pledge:
        raise Problem(_l("提交前请阅读并勾选原创承诺和使用授权"), "pledge")
    if category.has_physical and draft.submit and (draft.width_cm is None or draft.height_cm is None):
        raise Problem(_l("请填写作品尺寸（厘米）"), "width_cm")
    if category.has_physical and draft.submit and not draft.medium:
        raise Problem(_l("请填写材质或形式（如宣纸、水墨、油画布）"), "medium")


@dataclass
class StagedImage:
    token: str
    path: Path
    inspection: Inspection


def _staged_images(exhibition: Exhibition, category: ExhibitionCategory, tokens: list[str],
                   owner: User) -> list[StagedImage]:
    """Each token names the owner's staged image; each is inspected again (the server decides, also
    for HEIC the browser could not read), at least the category's minimum size."""
    if len(tokens) > category.max_images:
        raise Problem(_l("本类别每件作品最多 %(count)s 张图片", count=category.max_images), "images")
    staged = []
    for token in tokens:
        path = staged_path(token, owner.id)
        if path is None:
            raise Problem(_l("有图片已过期或未上传完成，请重新上传该图片"), "images")
        try:
            inspection = inspect_image(path.read_bytes(), max_bytes=exhibition.max_bytes)
        except ImageRefused as refused:
            raise Problem(refused.message, "images") from None
        if inspection.long_edge < category.min_long_edge:
            raise Problem(too_small_message(category, inspection), "images")
        staged.append(StagedImage(token, path, inspection))
    return staged


def _attach_images(work: Work, staged: list[StagedImage], owner: User) -> list[Path]:
    """Move the staged files to the originals (a rename) and add their rows; the paths now kept, for
    the caller to delete should the transaction not commit."""
    folder = files.originals_folder(work.exhibition_id)
    moved = []
    for position, image in enumerate(staged, start=1):
        name = claim_staged(image.token, owner.id, folder)
        if name is None:
            raise Problem(_l("有图片已过期或未上传完成，请重新上传该图片"), "images")
        moved.append(folder / name)
        inspection = image.inspection
        work.images.append(WorkImage(
            exhibition_id=work.exhibition_id, position=position, original_file=name,
            extension=inspection.extension, byte_size=(folder / name).stat().st_size,
            content_hash=inspection.content_hash, width=inspection.width, height=inspection.height,
            orientation=inspection.orientation, has_exif=inspection.has_exif, has_gps=inspection.has_gps,
            camera=inspection.camera, status="processing"))
    work.processing = bool(staged)
    return moved


def _fill(work: Work, category: ExhibitionCategory, draft: WorkDraft, author: User) -> None:
    work.category_id = category.id
    work.title = draft.title
    work.statement = draft.statement
    work.width_cm = draft.width_cm if category.has_physical else None
    work.height_cm = draft.height_cm if category.has_physical else None
    work.medium = draft.medium if category.has_physical else ""
    work.year_made = draft.year_made
    work.coauthors = _coauthors(draft.coauthor_staff_ids, author)
    work.unit_id = author.unit_id
    work.updated_at = utcnow()
    if draft.pledge and work.pledged_at is None:
        work.pledged_at = utcnow()
    if draft.submit:
        work.status = "submitted"
        work.submitted_at = work.submitted_at or utcnow()


@dataclass
class Saved:
    """A saved work, the original files now kept for it (deleted by the caller if the commit fails),
    and the files it no longer has (deleted by the caller after the commit)."""

    work: Work
    kept: list[Path]
    dropped: list[Path]


def create_work(exhibition: Exhibition, author: User, draft: WorkDraft) -> Saved:
    """A member submits (or saves as a draft) a work while the exhibition is open: in a category of
    the exhibition, within the member's limit for it (a database slot), with at least one image."""
    if not is_open(exhibition):
        raise Problem(_l("不在征集时间内"))
    if author.unit_id is None:
        raise Problem(_l("您不在名册中，不能投稿"))
    category = next((c for c in exhibition.categories if c.id == draft.category_id), None)
    if category is None:
        raise Problem(_l("请选择作品类别"), "category_id")
    _check_fields(category, draft)
    if draft.submit and not draft.tokens:
        raise Problem(_l("请先上传作品图片"), "images")
    staged = _staged_images(exhibition, category, draft.tokens, author)
    work = Work(exhibition_id=exhibition.id, author_id=author.id, status="draft",
                slot=_free_slot(category, author.id))
    _fill(work, category, draft, author)
    work.number = _allocate_number(exhibition.id)
    try:
        with db.session.begin_nested():  # a savepoint: the refusal below leaves the transaction usable
            db.session.add(work)
            db.session.flush()
    except IntegrityError:
        # Another of the member's phones took the last slot at the same moment.
        raise Problem(_l("您在“%(name)s”类别已有 %(count)s 件作品，达到每人上限",
                         name=category.name, count=category.works_per_member), "category_id") from None
    kept = _attach_images(work, staged, author)
    db.session.flush()
    record("exhibition.work.created", target=work, actor=author, summary=work.title, status=work.status)
    return Saved(work, kept, [])


def may_edit(work: Work, user: User) -> bool:
    """The author edits or withdraws a work until the deadline, while it is a draft or submitted
    (not once an organiser has taken it up)."""
    return (work.author_id == user.id and work.status in EDITABLE_STATUSES and is_open(work.exhibition))


def update_work(work: Work, author: User, draft: WorkDraft) -> Saved:
    """The author changes a work they may still edit; new tokens replace all its images."""
    if not may_edit(work, author):
        raise Problem(_l("作品已截止或已进入审核，不能修改"))
    exhibition = work.exhibition
    category = next((c for c in exhibition.categories if c.id == draft.category_id), None)
    if category is None:
        raise Problem(_l("请选择作品类别"), "category_id")
    _check_fields(category, draft)
    staged = _staged_images(exhibition, category, draft.tokens, author) if draft.tokens else []
    if not staged and not work.images and draft.submit:
        raise Problem(_l("请先上传作品图片"), "images")
    if not staged and len(work.images) > category.max_images:
        raise Problem(_l("本类别每件作品最多 %(count)s 张图片", count=category.max_images), "images")
    if category.id != work.category_id:
        try:
            with db.session.begin_nested():  # moving to a category takes a slot there, as a new work would
                work.slot = None
                db.session.flush()
                work.slot = _free_slot(category, author.id, excluding=work.id)
                work.category_id = category.id
                db.session.flush()
        except IntegrityError:
            raise Problem(_l("您在“%(name)s”类别已有 %(count)s 件作品，达到每人上限",
                             name=category.name, count=category.works_per_member), "category_id") from None
    dropped: list[Path] = []
    if staged:
        for image in list(work.images):
            dropped.extend(files.image_paths(image))
        work.images.clear()
        db.session.flush()
    _fill(work, category, draft, author)
    kept = _attach_images(work, staged, author) if staged else []
    db.session.flush()
    record("exhibition.work.updated", target=work, actor=author, summary=work.title, status=work.status)
    return Saved(work, kept, dropped)


def withdraw_work(work: Work, author: User) -> list[Path]:
    """The author withdraws a work they may still edit: it frees its slot and its files go (the
    paths, for the caller to delete after the commit)."""
    if not may_edit(work, author):
        raise Problem(_l("作品已截止或已进入审核，不能撤回"))
    paths = [path for image in work.images for path in files.image_paths(image)]
    work.images.clear()
    work.status = "withdrawn"
    work.slot = None
    work.processing = False
    work.updated_at = utcnow()
    record("exhibition.work.withdrawn", target=work, actor=author, summary=work.title)
    return paths


def works_of(author: User, exhibition: Exhibition | None = None) -> list[Work]:
    query = sa.select(Work).where(Work.author_id == author.id, Work.status != "withdrawn")
    if exhibition is not None:
        query = query.where(Work.exhibition_id == exhibition.id)
    return list(db.session.scalars(query.order_by(Work.exhibition_id.desc(), Work.number)))


def remaining_slots(exhibition: Exhibition, author: User) -> dict[int, int]:
    """Per category id: how many more works the member may enter."""
    counts = dict(db.session.execute(
        sa.select(Work.category_id, sa.func.count()).where(
            Work.exhibition_id == exhibition.id, Work.author_id == author.id, Work.slot.is_not(None))
        .group_by(Work.category_id)).all())
    return {category.id: max(0, category.works_per_member - counts.get(category.id, 0))
            for category in exhibition.categories}
