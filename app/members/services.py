"""People administration: who sees whom, finding members, creating and changing them.

Scope: organisers (and admins) see every account; a liaison sees the members of their own unit only,
and may change only plain members there (no staff role), so nobody can take over an account that
holds more rights than their own.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.accounts import services as accounts
from app.accounts.models import GRANTABLE_ROLES, User
from app.audit.services import record
from app.common.access import Role
from app.common.problems import Problem
from app.common.text import like_pattern
from app.common.xlsx import CellError
from app.extensions import db
from app.members.fields import (
    normalise_gender,
    normalise_mobile,
    normalise_name,
    normalise_political_status,
    normalise_staff_id,
)
from app.participation.history import record_membership
from app.units.models import PartyGroup, Unit

PER_PAGE = 50
MAX_SEARCH_LENGTH = 64
STAFF_ONLY = "none"  # unit filter value: accounts without a unit (staff accounts such as judges)


class MemberProblem(Problem):
    """A value the user entered is not acceptable; `field` names the form field it belongs beside."""


class NotAllowed(Problem):
    """The actor may see this person but not make this change."""

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message or _("您没有权限进行此操作"), field)


@dataclass
class MemberFilters:
    q: str = ""
    unit: int | str | None = None  # a unit id, STAFF_ONLY, or None for all
    branch: int | None = None
    active: bool | None = None


@dataclass
class MemberData:
    """What a member form submits, before normalisation."""

    name: str
    staff_id: str
    mobile: str | None = None
    unit_id: int | None = None
    branch_id: int | None = None
    gender: str | None = None
    political_status: str | None = None
    party_group_id: int | None = None
    is_branch_committee: bool | None = None


# ---------------------------------------------------------------- scope and queries

def visible_to(actor: User) -> sa.ColumnElement[bool]:
    """The WHERE clause for the accounts `actor` may see in the roster."""
    if actor.is_organiser:
        return sa.true()
    unit_id = actor.liaison_unit_id
    if actor.has_role(Role.LIAISON) and unit_id is not None:
        return User.unit_id == unit_id
    return sa.false()


def member_ids(actor: User, filters: MemberFilters | None = None) -> sa.Select:
    """SELECT of the ids of the accounts `actor` may see that match `filters` (for lists and exports)."""
    filters = filters or MemberFilters()
    query = sa.select(User.id).where(visible_to(actor))
    if filters.unit == STAFF_ONLY:
        query = query.where(User.unit_id.is_(None))
    elif isinstance(filters.unit, int):
        query = query.where(User.unit_id == filters.unit)
    elif actor.is_organiser:
        query = query.where(User.unit_id.is_not(None))  # the roster proper; staff accounts on request
    if filters.branch is not None:
        query = query.where(User.branch_id == filters.branch)
    if filters.active is not None:
        query = query.where(User.active.is_(filters.active))
    q = " ".join("".join(char for char in (filters.q or "") if char.isprintable()).split())[:MAX_SEARCH_LENGTH]
    if q:
        pattern = like_pattern(q)
        query = query.where(sa.or_(User.name.ilike(pattern, escape="\\"), User.staff_id.ilike(pattern, escape="\\"),
                                   User.mobile.like(pattern, escape="\\")))
    return query


def roster_counts(actor: User, filters: MemberFilters) -> dict[str, int]:
    """How many of the matching accounts are on the roster (在册: active) and how many are disabled (one query)."""
    counts = dict(db.session.execute(
        sa.select(User.active, sa.func.count(User.id)).where(User.id.in_(member_ids(actor, filters)))
        .group_by(User.active)
    ).all())
    return {"active": counts.get(True, 0), "disabled": counts.get(False, 0)}


def list_members(actor: User, filters: MemberFilters, page: int = 1, per_page: int = PER_PAGE):
    """One page of the accounts `actor` may see, with unit, branch and roles loaded up front."""
    query = (
        sa.select(User)
        .where(User.id.in_(member_ids(actor, filters)))
        .outerjoin(Unit, User.unit_id == Unit.id)
        .options(joinedload(User.unit), joinedload(User.branch), joinedload(User.party_group))
        .order_by(Unit.sort_order.nulls_first(), Unit.id.nulls_first(), User.staff_id)
    )
    return db.paginate(query, page=max(1, page), per_page=per_page, error_out=False, count=True)


def get_visible(actor: User, member_id: int) -> User | None:
    """The account with this id if `actor` may see it, else None (the view answers 404)."""
    return db.session.scalars(
        sa.select(User).where(User.id == member_id, visible_to(actor))
        .options(joinedload(User.unit), joinedload(User.branch), joinedload(User.party_group))
    ).first()


def can_change(actor: User, member: User) -> bool:
    """Whether `actor` may edit, (de)activate or reset the password of `member`."""
    if actor.has_role(Role.ADMIN):
        return True
    target_roles = {grant.role for grant in member.role_grants}
    if actor.is_organiser:
        return Role.ADMIN not in target_roles
    return (actor.has_role(Role.LIAISON) and member.unit_id is not None
            and member.unit_id == actor.liaison_unit_id and not target_roles)


def grantable_roles(actor: User, member: User) -> tuple[str, ...]:
    """The roles `actor` may give or take away on `member` (empty: no role management)."""
    if actor.has_role(Role.ADMIN):
        return GRANTABLE_ROLES
    if actor.is_organiser and not any(grant.role == Role.ADMIN for grant in member.role_grants):
        return tuple(role for role in GRANTABLE_ROLES if role != Role.ADMIN)
    return ()


def units_for(actor: User) -> list[Unit]:
    """Top-level units `actor` may place members in (a liaison: their own)."""
    query = sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.sort_order, Unit.id)
    if not actor.is_organiser:
        query = query.where(Unit.id == actor.liaison_unit_id)
    return list(db.session.scalars(query))


def groups_for(actor: User) -> list[PartyGroup]:
    """Party groups in the branches `actor` may place members in, with branch and unit loaded."""
    query = (sa.select(PartyGroup).join(Unit, PartyGroup.branch_id == Unit.id)
             .options(joinedload(PartyGroup.branch).joinedload(Unit.parent))
             .order_by(Unit.parent_id, Unit.sort_order, Unit.id, PartyGroup.sort_order, PartyGroup.id))
    if not actor.is_organiser:
        query = query.where(Unit.parent_id == actor.liaison_unit_id)
    return list(db.session.scalars(query))


def branches_for(actor: User) -> list[Unit]:
    """Branches of the units `actor` may place members in, with their parent loaded."""
    query = (sa.select(Unit).where(Unit.parent_id.is_not(None)).options(joinedload(Unit.parent))
             .order_by(Unit.parent_id, Unit.sort_order, Unit.id))
    if not actor.is_organiser:
        query = query.where(Unit.parent_id == actor.liaison_unit_id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- changes

def _normalise(data: MemberData, *, unit_required: bool) -> dict:
    values = {}
    for field, normaliser in (("name", normalise_name), ("staff_id", normalise_staff_id)):
        try:
            values[field] = normaliser(getattr(data, field) or "")
        except CellError as error:
            raise MemberProblem(str(error), field=field) from None
    for field, normaliser in (("mobile", normalise_mobile), ("gender", normalise_gender),
                              ("political_status", normalise_political_status)):
        raw = (getattr(data, field) or "").strip()
        try:
            values[field] = normaliser(raw) if raw else None
        except CellError as error:
            raise MemberProblem(str(error), field=field) from None
    if unit_required and not data.unit_id:
        raise MemberProblem(field="unit_id", message=_("请选择单位"))
    values["unit_id"] = data.unit_id or None
    values["branch_id"] = data.branch_id or None
    values["party_group_id"] = data.party_group_id or None
    values["is_branch_committee"] = bool(data.is_branch_committee)
    return values


def _check_placement(actor: User, values: dict, *, allow_no_unit: bool) -> None:
    unit_id, branch_id = values["unit_id"], values["branch_id"]
    if unit_id is None:
        if not allow_no_unit:
            raise MemberProblem(field="unit_id", message=_("请选择单位"))
        if branch_id is not None:
            raise MemberProblem(field="branch_id", message=_("没有单位的账号不能属于支部"))
        if values.get("party_group_id") is not None:
            raise MemberProblem(field="party_group_id", message=_("该党小组不属于所选支部"))
        return
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.parent_id is not None:
        raise MemberProblem(field="unit_id", message=_("请选择有效的单位"))
    if not actor.can_manage_unit(unit_id):
        raise MemberProblem(field="unit_id", message=_("您只能管理本单位的人员"))
    if branch_id is not None:
        branch = db.session.get(Unit, branch_id)
        if branch is None or branch.parent_id != unit_id:
            raise MemberProblem(field="branch_id", message=_("该支部不属于所选单位"))
    group_id = values.get("party_group_id")
    if group_id is not None:
        group = db.session.get(PartyGroup, group_id)
        if group is None or branch_id is None or group.branch_id != branch_id:
            raise MemberProblem(field="party_group_id", message=_("该党小组不属于所选支部"))


def _check_unique(actor: User, values: dict, member_id: int | None) -> None:
    """Staff ID and mobile must be free; who holds them is named only if `actor` may see that person."""
    clash = db.session.scalars(sa.select(User).where(User.staff_id == values["staff_id"])).first()
    if clash is not None and clash.id != member_id:
        if actor.can_manage_unit(clash.unit_id):
            raise MemberProblem(field="staff_id", message=_("工号 %(staff_id)s 已被 %(name)s 使用", staff_id=values["staff_id"],
                                              name=clash.name))
        raise MemberProblem(field="staff_id", message=_("工号 %(staff_id)s 已被其他人员使用", staff_id=values["staff_id"]))
    if values["mobile"]:
        clash = db.session.scalars(sa.select(User).where(User.mobile == values["mobile"])).first()
        if clash is not None and clash.id != member_id:
            if actor.can_manage_unit(clash.unit_id):
                raise MemberProblem(field="mobile", message=_("手机号 %(mobile)s 已被 %(name)s（工号 %(staff_id)s）使用",
                                                mobile=values["mobile"], name=clash.name, staff_id=clash.staff_id))
            # A liaison must not learn who, in another unit, has this number.
            raise MemberProblem(field="mobile", message=_("手机号 %(mobile)s 已被其他人员使用", mobile=values["mobile"]))


def create_member(actor: User, data: MemberData) -> tuple[User, str]:
    """Add a roster member with a random initial password; return the member and that password."""
    values = _normalise(data, unit_required=True)
    _check_placement(actor, values, allow_no_unit=False)
    _check_unique(actor, values, None)
    password = accounts.random_password()
    member = User(**values, active=True, must_change_password=True)
    member.set_password(password)
    db.session.add(member)
    db.session.flush()
    record_membership([member.id])
    record("member.created", target=member, actor=actor, summary=f"{member.name}（{member.staff_id}）")
    return member, password


def create_staff_account(actor: User, data: MemberData, roles: set[str],
                         liaison_unit_id: int | None) -> tuple[User, str]:
    """Admin only: add an account without a unit (a judge, an organiser) holding `roles`."""
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed()
    values = _normalise(data, unit_required=False)
    values["unit_id"] = values["branch_id"] = None
    _check_unique(actor, values, None)
    _check_roles(actor, None, roles, liaison_unit_id)
    password = accounts.random_password()
    account = User(**values, active=True, must_change_password=True)
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    record_membership([account.id])
    record("staff.created", target=account, actor=actor, summary=f"{account.name}（{account.staff_id}）")
    accounts.set_roles(actor, account, roles, liaison_unit_id)
    return account, password


def update_member(actor: User, member: User, data: MemberData) -> list[str]:
    """Change a person's details; return the names of the fields that changed (audit-logged)."""
    if not can_change(actor, member):
        raise NotAllowed()
    values = _normalise(data, unit_required=False)
    allow_no_unit = member.unit_id is None or actor.has_role(Role.ADMIN)
    _check_placement(actor, values, allow_no_unit=allow_no_unit)
    _check_unique(actor, values, member.id)
    changed = [field for field, value in values.items() if getattr(member, field) != value]
    if changed:
        before = {field: getattr(member, field) for field in changed}
        for field in changed:
            setattr(member, field, values[field])
        record_membership([member.id])
        record("member.updated", target=member, actor=actor, summary=f"{member.name}（{member.staff_id}）",
               fields=changed, before=before, after={field: values[field] for field in changed})
    return changed


def set_active(actor: User, member: User, active: bool) -> None:
    """Deactivate (cannot sign in, signed out everywhere, hidden from new activities) or reactivate a person."""
    if not can_change(actor, member):
        raise NotAllowed()
    if member.id == actor.id and not active:
        raise MemberProblem(field="active", message=_("不能停用自己的账号"))
    if member.active == active:
        return
    member.active = active
    record_membership([member.id])
    if not active:  # so that reactivating later does not bring the old sessions back
        accounts.end_sessions(member)
    record("member.activated" if active else "member.deactivated", target=member, actor=actor,
           summary=f"{member.name}（{member.staff_id}）")


def reset_member_password(actor: User, member: User) -> str:
    """Give `member` a new one-time password (to be changed at next sign-in) and return it."""
    if not can_change(actor, member):
        raise NotAllowed()
    return accounts.reset_password(actor, member)


def _check_roles(actor: User, member: User | None, roles: set[str], liaison_unit_id: int | None) -> None:
    allowed = set(GRANTABLE_ROLES if actor.has_role(Role.ADMIN) else
                  (role for role in GRANTABLE_ROLES if role != Role.ADMIN))
    if not actor.is_organiser or not roles <= set(GRANTABLE_ROLES):
        raise NotAllowed()
    if member is not None and set(grantable_roles(actor, member)) != allowed:
        raise NotAllowed()
    if not roles <= allowed:
        raise NotAllowed()
    if Role.LIAISON in roles:
        unit = db.session.get(Unit, liaison_unit_id) if liaison_unit_id else None
        if unit is None or unit.parent_id is not None:
            raise MemberProblem(field="liaison_unit_id", message=_("联络员需要选择所联络的单位"))


def change_roles(actor: User, member: User, roles: set[str], liaison_unit_id: int | None) -> None:
    """Replace `member`'s staff roles; organisers cannot grant or take away admin."""
    _check_roles(actor, member, roles, liaison_unit_id)
    had_admin = any(grant.role == Role.ADMIN for grant in member.role_grants)
    if member.id == actor.id and had_admin and Role.ADMIN not in roles:
        raise MemberProblem(field="roles", message=_("不能取消自己的管理员权限，请由其他管理员操作"))
    if Role.LIAISON not in roles:
        liaison_unit_id = None
    accounts.set_roles(actor, member, roles, liaison_unit_id)
