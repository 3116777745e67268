"""Roster import from .xlsx: every row is checked first, then members are created or updated in bulk.

All-or-nothing: any problem in any row raises ImportFailed listing every problem with its row and
column, and nothing is written. Members are matched by staff ID (工号); a re-import updates what
changed and reports created / updated / unchanged. A column left out of the file leaves that field
as it is; a column that is present but empty in a row clears the field for that member.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.services import hash_initial_password, random_password
from app.audit.services import record
from app.common.clock import utcnow
from app.common.xlsx import ImportFailed, ImportProblem, ParsedRow, read_rows_collecting
from app.extensions import db
from app.members.fields import COLUMN_HEADERS, ROSTER_COLUMNS, unit_key
from app.participation.history import record_membership
from app.units.models import PartyGroup, Unit

PASSWORD_FROM_MOBILE = "mobile"
PASSWORD_RANDOM = "random"
PASSWORD_MODES = (PASSWORD_FROM_MOBILE, PASSWORD_RANDOM)

_CHUNK = 1000
Progress = Callable[[str, int, int | None], None]
_COLUMN_ORDER = {column.header: index for index, column in enumerate(ROSTER_COLUMNS)}
_OPTIONAL_FIELDS = ("mobile", "gender", "political_status")


@dataclass(frozen=True)
class InitialPassword:
    name: str
    staff_id: str
    unit: str
    password: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    units_created: list[str] = field(default_factory=list)
    branches_created: list[str] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    password_mode: str = PASSWORD_FROM_MOBILE
    passwords: list[InitialPassword] = field(default_factory=list)  # random mode only

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def import_roster(source: bytes | IO[bytes] | str, *, actor: User | None = None, create_units: bool = False,
                  password_mode: str = PASSWORD_FROM_MOBILE, filename: str = "",
                  progress: Progress | None = None) -> ImportResult:
    """Create or update members from a roster workbook; raise ImportFailed, changing nothing, on any problem.

    With `progress` (a job: progress(stage, done, total)), the rows are checked and the initial passwords
    hashed with no transaction open, then checked again and written in one transaction: on SQLite the
    write lock is held seconds, not the minute that hashing 100,000 passwords takes.
    """
    if password_mode not in PASSWORD_MODES:
        raise ValueError(f"unknown password mode {password_mode!r}")
    report = progress or _no_progress
    rows, problems = read_rows_collecting(source, ROSTER_COLUMNS,
                                          progress=lambda done, total: report("reading", done, total))
    if not rows and not problems:
        raise ImportFailed([ImportProblem(None, None, _("表格中没有数据行"))])
    present = set(rows[0].raw) if rows else set()
    report("checking", 0, len(rows))
    problems += _duplicates(rows, "staff_id")
    problems += _duplicates(rows, "mobile")
    credentials: dict[str, tuple[str, str]] = {}
    if progress is not None:
        existing, units = _checked(rows, problems, create_units, password_mode, present)
        new_rows = [row for row in rows if row.values["staff_id"] not in existing]
        db.session.rollback()  # nothing written yet; hash with no lock held
        credentials = _credentials(new_rows, password_mode, progress)
        report("writing", 0, None)
    existing, units = _checked(rows, problems, create_units, password_mode, present)

    result = ImportResult(password_mode=password_mode)
    units.create_missing(rows, result)
    _write_members(rows, existing, units, present, result, credentials)
    record("members.imported", actor=actor,
           summary=_("导入人员名册：新增 %(created)s 人，更新 %(updated)s 人，未变 %(unchanged)s 人",
                     created=result.created, updated=result.updated, unchanged=result.unchanged),
           created=result.created, updated=result.updated, unchanged=result.unchanged,
           units_created=len(result.units_created), branches_created=len(result.branches_created),
           groups_created=len(result.groups_created),
           password_mode=password_mode,
           filename="".join(char for char in filename or "" if char.isprintable())[:200])
    return result


def _no_progress(_stage: str, _done: int, _total: int | None) -> None:
    return None


def _checked(rows, file_problems, create_units: bool, password_mode: str, present: set[str]):
    """The roster as it is now, after checking every row against it; ImportFailed lists every problem."""
    units = _UnitCatalogue(db.session.scalars(sa.select(Unit)).all(),
                           db.session.scalars(sa.select(PartyGroup)).all())
    existing = {user.staff_id: user for user in db.session.execute(sa.select(
        User.id, User.staff_id, User.name, User.mobile, User.unit_id, User.branch_id, User.gender,
        User.political_status, User.party_group_id, User.is_branch_committee)).all()}
    mobile_owners = {user.mobile: user for user in existing.values() if user.mobile}
    problems = list(file_problems)
    for row in rows:
        problems += _row_problems(row, existing, mobile_owners, units, create_units, password_mode, present)
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: (p.row or 0, _COLUMN_ORDER.get(p.column or "", -1))))
    return existing, units


def _credentials(rows, password_mode: str, progress: Progress) -> dict[str, tuple[str, str]]:
    """Initial password and its hash for each new member, by staff ID, in chunks that report progress."""
    passwords = [(row.values["staff_id"], _initial_password(row.values, password_mode)) for row in rows]
    found: dict[str, tuple[str, str]] = {}
    step = 2000
    for start in range(0, len(passwords), step):
        progress("passwords", start, len(passwords))
        part = passwords[start:start + step]
        for (staff_id, password), hashed in zip(part, _hash_all([p for _s, p in part]), strict=True):
            found[staff_id] = (password, hashed)
    return found


def _initial_password(values: dict, password_mode: str) -> str:
    return values["mobile"][-6:] if password_mode == PASSWORD_FROM_MOBILE else random_password()


def _duplicates(rows: Sequence[ParsedRow], key: str) -> list[ImportProblem]:
    """One problem on every row that repeats a value which must be unique within the file."""
    numbers_by_value: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        value = row.values.get(key)
        if value:
            numbers_by_value[value].append(row.number)
    header = COLUMN_HEADERS[key]
    problems = []
    for value, numbers in numbers_by_value.items():
        if len(numbers) > 1:
            listed = "、".join(str(number) for number in numbers)
            message = _("%(header)s %(value)s 在文件中重复出现（第 %(rows)s 行）", header=header, value=value,
                        rows=listed)
            problems += [ImportProblem(number, header, message) for number in numbers]
    return problems


def _row_problems(row: ParsedRow, existing, mobile_owners, units: _UnitCatalogue, create_units: bool,
                  password_mode: str, present: set[str]) -> list[ImportProblem]:
    values = row.values
    staff_id, mobile = values["staff_id"], values["mobile"]
    problems = []
    if mobile:
        owner = mobile_owners.get(mobile)
        if owner is not None and owner.staff_id != staff_id:
            problems.append(ImportProblem(row.number, COLUMN_HEADERS["mobile"], _(
                "手机号 %(mobile)s 已属于工号 %(staff_id)s（%(name)s）", mobile=mobile, staff_id=owner.staff_id,
                name=owner.name)))
    is_new = staff_id is not None and staff_id not in existing
    if (is_new and password_mode == PASSWORD_FROM_MOBILE and not mobile
            and "mobile" not in row.invalid):
        if "mobile" in present:
            message = _("新成员的初始密码取手机号后六位，必须填写手机号（或改用随机密码）")
        else:
            message = _("文件没有“手机号”列，新成员无法以手机号后六位作为初始密码（或改用随机密码）")
        problems.append(ImportProblem(row.number, COLUMN_HEADERS["mobile"], message))
    problems += units.problems_for(row, create_units)
    problems += units.group_problems_for(row, create_units, present)
    return problems


def _write_members(rows, existing, units: _UnitCatalogue, present: set[str], result: ImportResult,
                   credentials: dict[str, tuple[str, str]]) -> None:
    """Insert and update in bulk; new members take their prepared credentials, or get them now."""
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    missing: list[int] = []  # positions in inserts of new members without prepared credentials
    updates: list[dict[str, Any]] = []
    for row in rows:
        values = row.values
        unit = units.find_unit(values["unit"])
        before = existing.get(values["staff_id"])
        if "branch" in present:
            branch_id = units.find_branch(unit, values["branch"]).id if values["branch"] else None
        elif before is not None and before.unit_id == unit.id:
            branch_id = before.branch_id
        else:
            branch_id = None
        target: dict[str, Any] = {"name": values["name"], "unit_id": unit.id, "branch_id": branch_id}
        for key in _OPTIONAL_FIELDS:
            if key in present:
                target[key] = values[key]
        if "party_group" in present:
            group = units.find_group(branch_id, values["party_group"])
            target["party_group_id"] = group.id if group is not None else None
        elif before is not None and before.branch_id != branch_id and before.party_group_id is not None:
            target["party_group_id"] = None  # a group belongs to a branch: moving out leaves it
        if "committee" in present:
            target["is_branch_committee"] = bool(values["committee"])
        if before is None:
            prepared = credentials.get(values["staff_id"])
            password, password_hash = prepared or (_initial_password(values, result.password_mode), None)
            if result.password_mode == PASSWORD_RANDOM:
                result.passwords.append(InitialPassword(values["name"], values["staff_id"], unit.name, password))
            if password_hash is None:
                missing.append(len(inserts))
            inserts.append({"mobile": None, "gender": None, "political_status": None, "party_group_id": None,
                            "is_branch_committee": False, **target,
                            "staff_id": values["staff_id"], "active": True, "must_change_password": True,
                            "created_at": now, "updated_at": now, "password_hash": password_hash,
                            "_password": password})
        elif any(getattr(before, key) != value for key, value in target.items()):
            updates.append({"id": before.id, "updated_at": now, **target})
        else:
            result.unchanged += 1
    hashes = _hash_all([inserts[index]["_password"] for index in missing])
    for index, password_hash in zip(missing, hashes, strict=True):
        inserts[index]["password_hash"] = password_hash
    for params in inserts:
        del params["_password"]
    # Core, not ORM, bulk insert: the ORM drops None values and groups rows by the keys left, which
    # turns 20,000 rows into thousands of small statements; every row here has the same keys.
    for start in range(0, len(inserts), _CHUNK):
        db.session.execute(sa.insert(User.__table__), inserts[start:start + _CHUNK])
    for start in range(0, len(updates), _CHUNK):
        db.session.execute(sa.update(User), updates[start:start + _CHUNK])
    result.created, result.updated = len(inserts), len(updates)
    if inserts or updates:
        record_membership(None)  # two set-based statements over the roster, whatever its size


def _hash_part(passwords: list[str]) -> list[str]:
    return [hash_initial_password(password) for password in passwords]


def _hash_all(passwords: list[str]) -> list[str]:
    """Hash initial passwords, spread over the CPUs (hashlib releases the GIL while it works)."""
    workers = min(4, os.cpu_count() or 1)
    if len(passwords) < 500 or workers == 1:
        return _hash_part(passwords)
    size = -(-len(passwords) // workers)
    parts = [passwords[start:start + size] for start in range(0, len(passwords), size)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [hashed for part in pool.map(_hash_part, parts) for hashed in part]


class _UnitCatalogue:
    """Units and branches by folded name, loaded once; creates the missing ones on request."""

    def __init__(self, units: Sequence[Unit], groups: Sequence[PartyGroup] = ()):
        self.groups: dict[tuple[int, str], PartyGroup] = {
            (group.branch_id, unit_key(group.name)): group for group in sorted(groups, key=lambda g: -g.id)}
        self.units: dict[str, Unit] = {}
        self.branches: dict[tuple[int, str], Unit] = {}
        self.branch_parents: dict[str, list[str]] = defaultdict(list)
        by_id = {unit.id: unit for unit in units}
        for unit in sorted(units, key=lambda u: u.id):
            if unit.parent_id is None:
                self.units.setdefault(unit_key(unit.name), unit)
        for unit in sorted(units, key=lambda u: u.id):
            if unit.parent_id is not None:
                self.branches.setdefault((unit.parent_id, unit_key(unit.name)), unit)
                parent = by_id.get(unit.parent_id)
                if parent is not None:
                    self.branch_parents[unit_key(unit.name)].append(parent.name)
        self._next_order = max((unit.sort_order for unit in units if unit.parent_id is None), default=0) + 1

    def find_unit(self, name: str | None) -> Unit | None:
        return self.units.get(unit_key(name)) if name else None

    def find_branch(self, unit: Unit | None, name: str | None) -> Unit | None:
        if unit is None or unit.id is None or not name:
            return None
        return self.branches.get((unit.id, unit_key(name)))

    def find_group(self, branch_id: int | None, name: str | None) -> PartyGroup | None:
        return self.groups.get((branch_id, unit_key(name))) if branch_id and name else None

    def group_problems_for(self, row: ParsedRow, create_units: bool, present: set[str]) -> list[ImportProblem]:
        """A party group needs the row's branch, and must exist in it (unless it may be created)."""
        name = row.values.get("party_group")
        if not name:
            return []
        header = COLUMN_HEADERS["party_group"]
        if "branch" not in present:
            return [ImportProblem(row.number, header, _("党小组属于支部：文件缺少“支部”列"))]
        if not row.values["branch"]:
            return [ImportProblem(row.number, header, _("填写了党小组，请同时在“支部”列填写其所属支部"))]
        if create_units:
            return []
        branch = self.find_branch(self.find_unit(row.values["unit"]), row.values["branch"])
        if branch is not None and self.find_group(branch.id, name) is None:
            return [ImportProblem(row.number, header, _(
                "支部「%(branch)s」下没有党小组「%(group)s」；请勾选“自动创建单位”以创建",
                branch=branch.name, group=name))]
        return []

    def problems_for(self, row: ParsedRow, create_units: bool) -> list[ImportProblem]:
        """Unknown unit or branch (unless they may be created)."""
        unit_name, branch_name = row.values["unit"], row.values["branch"]
        if not unit_name or create_units:
            return []
        unit = self.find_unit(unit_name)
        if unit is None:
            parents = self.branch_parents.get(unit_key(unit_name))
            if parents:
                message = _("「%(name)s」是支部（属于「%(parent)s」），请在“单位”列填写所属单位、在“支部”列填写支部",
                            name=unit_name, parent="、".join(parents[:3]))
            else:
                message = _("单位「%(name)s」不存在；请先添加该单位，或勾选“自动创建单位”", name=unit_name)
            return [ImportProblem(row.number, COLUMN_HEADERS["unit"], message)]
        if branch_name and self.find_branch(unit, branch_name) is None:
            return [ImportProblem(row.number, COLUMN_HEADERS["branch"], _(
                "单位「%(unit)s」下没有支部「%(branch)s」；请先添加该支部，或勾选“自动创建单位”",
                unit=unit.name, branch=branch_name))]
        return []

    def create_missing(self, rows: Sequence[ParsedRow], result: ImportResult) -> None:
        """Add the units, then the branches, that the rows name and the database lacks."""
        for row in rows:
            name = row.values["unit"]
            if self.find_unit(name) is None:
                unit = Unit(name=name, parent_id=None, sort_order=self._next_order)
                self._next_order += 1
                db.session.add(unit)
                self.units[unit_key(name)] = unit
                result.units_created.append(name)
        if result.units_created:
            db.session.flush()
        branch_orders: dict[int, int] = defaultdict(int)
        for (parent_id, _key), branch in self.branches.items():
            branch_orders[parent_id] = max(branch_orders[parent_id], branch.sort_order)
        for row in rows:
            unit, name = self.find_unit(row.values["unit"]), row.values["branch"]
            if name and self.find_branch(unit, name) is None:
                branch_orders[unit.id] += 1
                branch = Unit(name=name, parent_id=unit.id, sort_order=branch_orders[unit.id])
                db.session.add(branch)
                self.branches[(unit.id, unit_key(name))] = branch
                result.branches_created.append(f"{unit.name} / {name}")
        if result.branches_created:
            db.session.flush()
        for row in rows:
            branch = self.find_branch(self.find_unit(row.values["unit"]), row.values["branch"])
            name = row.values.get("party_group")
            if branch is not None and name and self.find_group(branch.id, name) is None:
                group = PartyGroup(branch_id=branch.id, name=name)
                db.session.add(group)
                self.groups[(branch.id, unit_key(name))] = group
                result.groups_created.append(f"{row.values['unit']} / {branch.name} / {name}")
        if result.groups_created:
            db.session.flush()
