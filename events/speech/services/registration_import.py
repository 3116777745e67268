"""Importing contestants from .xlsx (organisers): the roster import's rules (app/members/importing.py).

Headers are found by name, every row is checked first, and any problem anywhere imports nothing:
each problem is listed with its row and column. A contestant is a roster member found by staff ID
(工号); the name, when given, must match. Imported entries are approved (the organiser imports
them) and take their unit's seats, so the quota holds as for a registration.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.xlsx import Column, ImportFailed, ImportProblem, read_rows_collecting, template_workbook
from app.extensions import db
from events.speech.models import SpeechContest, SpeechEntry
from events.speech.services import registration as rules

MAX_ROWS = 2000


def columns() -> list[Column]:
    return [
        Column("staff_id", str(_l("工号")), required=True, example="10001"),
        Column("name", str(_l("姓名")), example="张三"),
        Column("speech_title", str(_l("演讲题目")), required=True, aliases=(str(_l("题目")),), example="青春心向党"),
        Column("introduction", str(_l("个人简介")), aliases=(str(_l("简介")),), width=40),
    ]


@dataclass
class ImportResult:
    created: int = 0
    revived: int = 0

    @property
    def total(self) -> int:
        return self.created + self.revived


def template() -> bytes:
    """The import template with its headers (required ones marked *) and an example row."""
    cols = columns()
    return template_workbook(_("选手导入"), cols, [[column.example for column in cols]])


def import_entries(contest: SpeechContest, source, *, actor: User, filename: str = "") -> ImportResult:
    """Register every row's member as an approved contestant; raise ImportFailed, changing nothing,
    on any problem (unknown staff ID, other name, no unit, repeated in the file, already registered,
    title too long, a unit over its quota, after the draw)."""
    cols = columns()
    header = {column.key: column.header for column in cols}
    rows, problems = read_rows_collecting(source, cols, max_rows=MAX_ROWS)
    if not rows and not problems:
        raise ImportFailed([ImportProblem(None, None, _("表格中没有数据行"))])
    if contest.rounds and contest.rounds[0].status != "setup":
        raise ImportFailed([ImportProblem(None, None, _("已经抽签，不能再导入选手"))])
    staff_ids = [row.values["staff_id"] for row in rows if row.values["staff_id"]]
    members = {user.staff_id: user for user in db.session.scalars(sa.select(User).where(User.staff_id.in_(staff_ids)))}
    entries = {entry.member_id: entry for entry in db.session.scalars(
        sa.select(SpeechEntry).where(SpeechEntry.contest_id == contest.id))}
    repeated = Counter(staff_ids)
    new_by_unit: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        staff_id, name, title = row.values["staff_id"], row.values["name"], row.values["speech_title"]
        if not staff_id:
            continue
        if repeated[staff_id] > 1:
            problems.append(ImportProblem(row.number, header["staff_id"], _("工号 %(staff_id)s 在文件中重复出现",
                                                                            staff_id=staff_id)))
        member = members.get(staff_id)
        if member is None:
            problems.append(ImportProblem(row.number, header["staff_id"], _("找不到工号 %(staff_id)s 的人员",
                                                                            staff_id=staff_id)))
            continue
        if name and name != member.name:
            problems.append(ImportProblem(row.number, header["name"], _(
                "工号 %(staff_id)s 的人员是“%(actual)s”，不是“%(name)s”", staff_id=staff_id, actual=member.name, name=name)))
        if member.unit_id is None or not member.active:
            problems.append(ImportProblem(row.number, header["staff_id"], _("该人员不属于任何单位，不能报名")))
            continue
        entry = entries.get(member.id)
        if entry is not None and entry.status in rules.LIVE_STATUSES:
            problems.append(ImportProblem(row.number, header["staff_id"], _("该成员已报名本比赛")))
        if title and len(title) > rules.TITLE_MAX:
            problems.append(ImportProblem(row.number, header["speech_title"], _(
                "演讲题目不能超过 %(max)s 个字", max=rules.TITLE_MAX)))
        if len(row.values["introduction"] or "") > rules.INTRODUCTION_MAX:
            problems.append(ImportProblem(row.number, header["introduction"], _(
                "个人简介不能超过 %(max)s 个字", max=rules.INTRODUCTION_MAX)))
        new_by_unit[member.unit_id].append(row.number)
    if contest.quota_per_unit:
        for unit_id, numbers in new_by_unit.items():
            used = rules.seats_used(contest, unit_id)
            if used + len(numbers) > contest.quota_per_unit:
                unit_name = next(user.unit.name for user in members.values() if user.unit_id == unit_id)
                message = _("%(unit)s 已报名 %(used)s 人，本文件又有 %(new)s 人，超过每单位 %(quota)s 人的名额",
                            unit=unit_name, used=used, new=len(numbers), quota=contest.quota_per_unit)
                problems += [ImportProblem(number, header["staff_id"], message) for number in numbers]
    if problems:
        raise ImportFailed(sorted(problems, key=lambda problem: (problem.row or 0, problem.column or "")))
    result = ImportResult()
    for row in rows:
        member = members[row.values["staff_id"]]
        existing = entries.get(member.id)
        try:
            rules.save_with_seat(contest, member.unit_id, existing, {
                "member_id": member.id, "speech_title": row.values["speech_title"],
                "introduction": row.values["introduction"] or "", "status": "approved", "self_applied": False,
                "registered_by_id": actor.id, "decided_by_id": actor.id, "decided_at": utcnow(),
                "reject_reason": None, "withdrawn_at": None})
        except Problem as problem:  # a registration raced this import for the last seat
            raise ImportFailed([ImportProblem(row.number, header["staff_id"], problem.message)]) from problem
        if existing is None:
            result.created += 1
        else:
            result.revived += 1
    record("speech.entry.imported", target=contest, actor=actor,
           summary=_("导入演讲比赛「%(title)s」选手 %(n)s 人", title=contest.title, n=result.total),
           created=result.created, revived=result.revived,
           filename="".join(char for char in filename or "" if char.isprintable())[:200])
    return result
