"""Roster workbooks: the import template, the roster export (same columns) and the initial-password sheet."""
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.common.xlsx import OutColumn, Sheet, build_workbook, template_workbook
from app.extensions import db
from app.members.fields import ROSTER_COLUMNS
from app.members.importing import InitialPassword
from app.units.models import PartyGroup, Unit

ROSTER_SHEET_TITLE = "人员名册"
# The export's last column says who is still on the roster; the import does not read it (a re-import
# changes nothing, and never re-enables or disables anyone).
STATUS_HEADER, ACTIVE_LABEL, DISABLED_LABEL = "状态", "在册", "已停用"
COMMITTEE_LABEL = "是"  # the 支委 column: 是, or empty (read back as 否)


def roster_template() -> bytes:
    """The import template: the roster headers (required ones marked *) and one example row."""
    return template_workbook(ROSTER_SHEET_TITLE, ROSTER_COLUMNS, [[column.example for column in ROSTER_COLUMNS]])


def roster_rows(member_ids: sa.Select) -> Iterable[tuple]:
    """Rows in ROSTER_COLUMNS order, then 状态 (在册/已停用), for the members `member_ids` selects; one query, streamed."""
    branch = aliased(Unit)
    query = (
        sa.select(Unit.name, User.name, User.staff_id, User.mobile, User.gender, User.political_status,
                  branch.name, PartyGroup.name, User.is_branch_committee, User.active)
        .join(Unit, User.unit_id == Unit.id)
        .outerjoin(branch, User.branch_id == branch.id)
        .outerjoin(PartyGroup, User.party_group_id == PartyGroup.id)
        .where(User.id.in_(member_ids))
        .order_by(Unit.sort_order, Unit.id, branch.sort_order.nulls_first(), branch.id.nulls_first(), User.staff_id)
        .execution_options(yield_per=2000)
    )
    for *values, committee, active in db.session.execute(query):
        yield (*values, COMMITTEE_LABEL if committee else None, ACTIVE_LABEL if active else DISABLED_LABEL)


def roster_workbook(member_ids: sa.Select) -> bytes:
    """The roster as .xlsx in the import template's columns plus 状态, so that exporting then importing changes nothing."""
    columns = [OutColumn(column.header, width=column.width) for column in ROSTER_COLUMNS]
    columns.append(OutColumn(STATUS_HEADER, width=8))
    return build_workbook([Sheet(ROSTER_SHEET_TITLE, columns, roster_rows(member_ids))])


def password_sheet(passwords: Iterable[InitialPassword]) -> bytes:
    """The initial passwords of newly imported members, for the organiser to hand out."""
    columns = [OutColumn("姓名", width=12), OutColumn("工号", width=14), OutColumn("单位", width=24),
               OutColumn("初始密码", width=14)]
    rows = ((item.name, item.staff_id, item.unit, item.password) for item in passwords)
    return build_workbook([Sheet("初始密码", columns, rows)])
