"""Units (单位) and branches (支部): ordering, naming, deletion and headcounts."""
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from app.accounts.models import RoleGrant, User
from app.audit.services import record
from app.common.problems import Problem
from app.common.text import clean
from app.extensions import db
from app.hooks import hooks_of
from app.units.models import Unit

NAME_MAX_LENGTH = 100


class UnitProblem(Problem):
    """A unit rule the request broke; str(problem) is the message shown to the user."""


# ---------------------------------------------------------------- reading

def units_in_order() -> list[Unit]:
    """Top-level units in display order, each with its branches loaded in order (two queries)."""
    return list(db.session.scalars(
        sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.sort_order, Unit.id)
        .options(selectinload(Unit.branches))
    ))


def unit_headcounts(unit_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Active members per top-level unit, branches rolled up, 0 for empty units (one query)."""
    top, any_unit = aliased(Unit), aliased(Unit)
    query = (
        sa.select(top.id, sa.func.count(User.id))
        .select_from(top)
        .outerjoin(any_unit, sa.func.coalesce(any_unit.parent_id, any_unit.id) == top.id)
        .outerjoin(User, sa.and_(User.unit_id == any_unit.id, User.active.is_(True)))
        .where(top.parent_id.is_(None))
        .group_by(top.id)
    )
    if unit_ids is not None:
        query = query.where(top.id.in_(list(unit_ids)))
    return {unit_id: count for unit_id, count in db.session.execute(query)}


def branch_headcounts(unit_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Active members per branch (支部), 0 for empty branches; optionally only branches of `unit_ids`."""
    query = (
        sa.select(Unit.id, sa.func.count(User.id))
        .outerjoin(User, sa.and_(User.branch_id == Unit.id, User.active.is_(True)))
        .where(Unit.parent_id.is_not(None))
        .group_by(Unit.id)
    )
    if unit_ids is not None:
        query = query.where(Unit.parent_id.in_(list(unit_ids)))
    return {branch_id: count for branch_id, count in db.session.execute(query)}


def unit_headcount(unit: Unit) -> int:
    """Active members of one top-level unit, its branches included."""
    return unit_headcounts([unit.id]).get(unit.id, 0)


def headline_figures() -> dict[str, int]:
    """Counts for the organisers' home page: units, branches and active members."""
    units = db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.parent_id.is_(None))) or 0
    branches = db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.parent_id.is_not(None))) or 0
    members = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.unit_id.is_not(None), User.active.is_(True))
    ) or 0
    return {"units": units, "branches": branches, "members": members}


def top_level_unit_id(unit: Unit) -> int:
    """The id of the unit itself, or of its parent when it is a branch."""
    return unit.parent_id if unit.parent_id is not None else unit.id


# ---------------------------------------------------------------- naming

def _name_taken_message(name: str, parent: Unit | None) -> str:
    if parent is None:
        return _("已有名为“%(name)s”的单位", name=name)
    return _("“%(unit)s”下已有名为“%(name)s”的支部", unit=parent.name, name=name)


def _name_taken(name: str, parent_id: int | None, except_id: int | None = None) -> bool:
    query = sa.select(Unit.id).where(Unit.name == name)
    query = query.where(Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id)
    if except_id is not None:
        query = query.where(Unit.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def _checked_name(name: str, parent: Unit | None, except_id: int | None = None) -> str:
    name = clean(name or "")
    if not name:
        raise UnitProblem(_("请输入名称"))
    if len(name) > NAME_MAX_LENGTH:
        raise UnitProblem(_("名称不能超过 %(n)s 个字", n=NAME_MAX_LENGTH))
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise UnitProblem(_("名称不能包含控制字符"))
    if _name_taken(name, parent.id if parent else None, except_id):
        raise UnitProblem(_name_taken_message(name, parent))
    return name


def _in_savepoint(change, message: str) -> None:
    """Apply `change()` and flush it inside a savepoint: a concurrent conflict becomes a UnitProblem."""
    try:
        with db.session.begin_nested():
            change()
    except IntegrityError as error:
        raise UnitProblem(message) from error


def _siblings(parent: Unit | None) -> list[Unit]:
    query = sa.select(Unit).order_by(Unit.sort_order, Unit.id)
    query = query.where(Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- changing

def create_unit(actor: User, name: str, parent: Unit | None = None) -> Unit:
    """Add a unit (or a branch of `parent`) at the end of its list; refuses duplicate names."""
    if parent is not None and parent.parent_id is not None:
        raise UnitProblem(_("支部下不能再设支部"))
    name = _checked_name(name, parent)
    last = db.session.scalar(
        sa.select(sa.func.max(Unit.sort_order)).where(
            Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id)
    )
    unit = Unit(name=name, parent_id=parent.id if parent else None, sort_order=(last or 0) + 1)
    _in_savepoint(lambda: db.session.add(unit), _name_taken_message(name, parent))
    if parent is None:
        record("unit.created", target=unit, actor=actor, summary=name)
    else:
        record("unit.branch_created", target=unit, actor=actor, summary=f"{parent.name} / {name}",
               parent_id=parent.id)
    return unit


def rename_unit(actor: User, unit: Unit, name: str) -> None:
    """Give a unit or branch a new name, unique among its siblings."""
    parent = unit.parent
    new_name = _checked_name(name, parent, except_id=unit.id)
    old_name = unit.name
    if new_name == old_name:
        return

    def change():
        unit.name = new_name

    _in_savepoint(change, _name_taken_message(new_name, parent))
    prefix = f"{parent.name} / " if parent else ""
    record("unit.renamed", target=unit, actor=actor, summary=f"{prefix}{old_name} → {new_name}",
           before=old_name, after=new_name)


def deletion_blockers(unit: Unit) -> list[str]:
    """Why `unit` cannot be deleted yet (members, branches, liaisons, and what features registered with
    hooks.add_unit_deletion_check); empty when it can."""
    reasons = []
    branches = db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.parent_id == unit.id)) or 0
    if branches:
        reasons.append(_("还有 %(n)s 个支部", n=branches))
    column = User.unit_id if unit.parent_id is None else User.branch_id
    members = db.session.scalar(sa.select(sa.func.count(User.id)).where(column == unit.id)) or 0
    if members:
        reasons.append(_("还有 %(n)s 名人员（含已停用）", n=members))
    liaisons = db.session.scalar(sa.select(sa.func.count(RoleGrant.id)).where(RoleGrant.unit_id == unit.id)) or 0
    if liaisons:
        reasons.append(_("还有 %(n)s 名联络员", n=liaisons))
    for check in hooks_of().unit_deletion_checks:
        reason = check(unit)
        if reason:
            reasons.append(reason)
    return reasons


def delete_unit(actor: User, unit: Unit) -> None:
    """Delete an empty unit or branch; refuses while it has members, branches or liaisons."""
    reasons = deletion_blockers(unit)
    if reasons:
        raise UnitProblem(_("“%(name)s”不能删除：%(reasons)s。请先移走或删除后再试。",
                            name=unit.name, reasons="；".join(reasons)))
    parent = unit.parent
    summary = f"{parent.name} / {unit.name}" if parent else unit.name
    name, parent_id = unit.name, unit.parent_id
    # Someone may have joined the unit meanwhile: the foreign key refuses, the user gets a message.
    _in_savepoint(lambda: db.session.delete(unit),
                  _("“%(name)s”不能删除：仍有人员或数据引用该单位。", name=name))
    record("unit.deleted", target=unit, actor=actor, summary=summary, name=name, parent_id=parent_id)


def move_unit(actor: User, unit: Unit, direction: str) -> bool:
    """Move a unit or branch one place up or down among its siblings; False when already at the edge."""
    if direction not in ("up", "down"):
        raise UnitProblem(_("无效的移动方向"))
    siblings = _siblings(unit.parent)
    index = siblings.index(unit)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.sort_order = position
    record("unit.reordered", target=unit, actor=actor, summary=unit.name, direction=direction,
           order=[sibling.id for sibling in siblings])
    return True
