"""Offline participation from .xlsx, with the roster import's rules: headers found by name, every row
checked first, all or nothing, each problem with its row and column; members identified by 工号.

A liaison may import only members of their own unit; a member named with another name than the
roster's, inactive, or already holding a pending or approved record of that activity is refused. A
rejected record is entered again in place. The import is audited as one action.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.audit.services import record
from app.campaigns.models import Campaign
from app.common.clock import local_today, utcnow
from app.common.text import clean, to_halfwidth
from app.common.xlsx import (
    CellError,
    Column,
    ImportFailed,
    ImportProblem,
    OutColumn,
    Sheet,
    build_workbook,
    cell_text,
    read_rows_collecting,
)
from app.extensions import db
from app.members.fields import normalise_name, normalise_staff_id, unit_key
from app.participation import offline
from app.participation.models import NOTE_MAX, OFFLINE_SOURCE_LABELS, OFFLINE_SOURCES, OfflineParticipation
from app.units.models import Unit

MAX_ROWS = 5000
SHEET_TITLE = "线下参与记录"
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass
class OfflineImportResult:
    created: int = 0
    reentered: int = 0  # rejected records entered again

    @property
    def total(self) -> int:
        return self.created + self.reentered


def parse_date(value: Any) -> date:
    """A date cell: an Excel date, or text such as 2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = to_halfwidth(clean(cell_text(value)))
    match = _DATE_TEXT.fullmatch(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError(_("日期「%(value)s」无效，应写成 2026-03-01", value=text[:40]))


def _folded(text: str) -> str:
    return unit_key(text)


def _choice_parser(choices: dict[str, str], message: str):
    """A parser mapping a label or code (folded) to its code; CellError listing the labels otherwise."""
    folded = {}
    for code, label in choices.items():
        folded[_folded(code)] = code
        folded[_folded(label)] = code

    def parse(value: Any) -> str:
        text = clean(cell_text(value))
        try:
            return folded[_folded(text)]
        except KeyError:
            raise CellError(_("%(message)s「%(value)s」无法识别，应为：%(choices)s", message=message, value=text[:40],
                              choices="、".join(choices.values()))) from None

    return parse


def _note(value: Any) -> str:
    text = " ".join(clean(cell_text(value)).split())
    if len(text) > NOTE_MAX:
        raise CellError(_("备注不能超过 %(n)s 字。", n=NOTE_MAX))
    return text


def import_columns() -> tuple[Column, ...]:
    """The columns of the offline-participation sheet; 活动 takes the registered activities' names."""
    activities = dict(offline.activities())
    sources = {source: str(OFFLINE_SOURCE_LABELS[source]) for source in OFFLINE_SOURCES}
    first_activity = next(iter(activities.values()), "")
    return (
        Column("staff_id", "工号", required=True, parse=normalise_staff_id, aliases=("职工号", "员工号"),
               example="00123", width=12),
        Column("name", "姓名", parse=normalise_name, example="张三", width=12),
        Column("activity", "活动", parse=_choice_parser(activities, _("活动")), aliases=("活动名称", "参与活动"),
               example=first_activity, width=20),
        Column("took_part_on", "参与日期", required=True, parse=parse_date, aliases=("日期", "参加日期"),
               example=local_today().isoformat(), width=14),
        Column("source", "来源", parse=_choice_parser(sources, _("来源")), example=sources["written_quiz"], width=12),
        Column("note", "备注", parse=_note, example="", width=30),
    )


def template() -> bytes:
    """The import template with an example row, and a second sheet listing the activities and sources."""
    columns = import_columns()
    out = [OutColumn(column.header + (" *" if column.required else ""), width=column.width) for column in columns]
    choices = [(label, "") for _key, label in offline.activities()]
    for index, source in enumerate(OFFLINE_SOURCES):
        label = str(OFFLINE_SOURCE_LABELS[source])
        if index < len(choices):
            choices[index] = (choices[index][0], label)
        else:
            choices.append(("", label))
    return build_workbook([
        Sheet(SHEET_TITLE, out, [[column.example for column in columns]]),
        Sheet(_("可填写的活动和来源"), [OutColumn(_("活动"), width=24), OutColumn(_("来源"), width=14)], choices),
    ])


def import_offline(source: bytes | IO[bytes], campaign: Campaign, *, actor: User, default_key: str = "",
                   default_source: str = "written_quiz", filename: str = "") -> OfflineImportResult:
    """Enter the sheet's rows as pending records of `campaign`; raise ImportFailed, changing nothing, on
    any problem. Rows without 活动 / 来源 take `default_key` / `default_source`."""
    columns = import_columns()
    headers = {column.key: column.header for column in columns}
    rows, problems = read_rows_collecting(source, columns, max_rows=MAX_ROWS)
    if not rows and not problems:
        raise ImportFailed([ImportProblem(None, None, _("表格中没有数据行"))])
    if default_key and default_key not in dict(offline.activities()):
        default_key = ""
    if default_source not in OFFLINE_SOURCES:
        default_source = "written_quiz"
    staff_ids = {row.values["staff_id"] for row in rows if row.values["staff_id"]}
    members = {user.staff_id: user for user in db.session.scalars(
        sa.select(User).where(User.staff_id.in_(staff_ids)))} if staff_ids else {}
    unit_names = dict(db.session.execute(sa.select(Unit.id, Unit.name)).all())
    today = local_today()
    planned: dict[tuple[int, str], list[int]] = defaultdict(list)
    entries = []
    for row in rows:
        values = row.values
        key = values["activity"] or ("" if "activity" in row.invalid else default_key)
        if not key and "activity" not in row.invalid:
            problems.append(ImportProblem(row.number, headers["activity"], _("请填写活动（或在页面上选择默认活动）")))
        day = values["took_part_on"]
        if day is not None:
            message = offline.date_problem(campaign, day, today=today)
            if message:
                problems.append(ImportProblem(row.number, headers["took_part_on"], message))
        member = members.get(values["staff_id"]) if values["staff_id"] else None
        if values["staff_id"] and member is None:
            problems.append(ImportProblem(row.number, headers["staff_id"], _(
                "工号 %(staff_id)s 不在人员名册中", staff_id=values["staff_id"])))
        elif member is not None:
            problems += _member_problems(row.number, member, actor, values["name"], headers, unit_names)
        if member is not None and key:
            planned[(member.id, key)].append(row.number)
        entries.append((row, member, key, values["source"] or default_source))
    for numbers in planned.values():
        if len(numbers) > 1:
            listed = "、".join(str(number) for number in numbers)
            problems += [ImportProblem(number, headers["staff_id"], _(
                "同一人员的同一活动在文件中重复出现（第 %(rows)s 行）", rows=listed)) for number in numbers]
    existing = _existing(campaign, planned)
    for row, member, key, _source in entries:
        item = existing.get((member.id, key)) if member is not None and key else None
        if item is not None and item.status != "rejected":
            problems.append(ImportProblem(row.number, headers["activity"], _(
                "%(name)s 已有该活动的线下参与记录（%(status)s）", name=member.name, status=item.status_label)))
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: (p.row or 0, list(headers.values()).index(p.column)
                                                           if p.column in headers.values() else -1)))
    result, now = OfflineImportResult(), utcnow()
    for row, member, key, source_code in entries:
        item = existing.get((member.id, key))
        if item is None:
            item = OfflineParticipation(campaign_id=campaign.id, provider_key=key, user_id=member.id, entered_at=now)
            db.session.add(item)
            result.created += 1
        else:
            result.reentered += 1
        item.unit_id = member.unit_id
        offline.apply_data(item, offline.OfflineData(key, row.values["took_part_on"], source_code,
                                                 row.values["note"] or ""), actor, now)
    db.session.flush()
    record("participation.offline.imported", target=campaign, actor=actor,
           summary=_("导入线下参与记录：新增 %(created)s 条，重新提交 %(reentered)s 条", created=result.created,
                     reentered=result.reentered),
           campaign_id=campaign.id, created=result.created, reentered=result.reentered,
           filename="".join(char for char in filename or "" if char.isprintable())[:200])
    return result


def _member_problems(number: int, member: User, actor: User, name: str | None, headers, unit_names) -> list:
    problems = []
    if not member.active or member.unit_id is None:
        problems.append(ImportProblem(number, headers["staff_id"], _(
            "%(name)s（工号 %(staff_id)s）已停用或不在名册中", name=member.name, staff_id=member.staff_id)))
    elif not offline.may_enter_for(actor, member):
        problems.append(ImportProblem(number, headers["staff_id"], _(
            "%(name)s（工号 %(staff_id)s）属于%(unit)s，不是本单位人员", name=member.name, staff_id=member.staff_id,
            unit=unit_names.get(member.unit_id, ""))))
    if name and name != member.name:
        problems.append(ImportProblem(number, headers["name"], _(
            "姓名与名册不符：工号 %(staff_id)s 在名册中是 %(name)s", staff_id=member.staff_id, name=member.name)))
    return problems


def _existing(campaign: Campaign, planned) -> dict[tuple[int, str], OfflineParticipation]:
    """The campaign's records for the (member, activity) pairs of the file, in one query."""
    if not planned:
        return {}
    member_ids = {member_id for member_id, _key in planned}
    found = db.session.scalars(sa.select(OfflineParticipation).where(
        OfflineParticipation.campaign_id == campaign.id, OfflineParticipation.user_id.in_(member_ids)))
    return {(item.user_id, item.provider_key): item for item in found if (item.user_id, item.provider_key) in planned}
