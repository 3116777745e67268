"""Every roster write path keeps the membership history (member_periods) that credits participation
to the unit of its time: create, edit/transfer, deactivate/reactivate, the xlsx import (web job-less
path and CLI), the staff-account form, and the demo."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.common import clock
from app.extensions import db
from app.members import services as members
from app.members.importing import import_roster
from app.participation.history import periods_of, record_membership
from app.participation.models import MemberPeriod

T0 = datetime(2026, 3, 1, 2, 0, 0)


def history(user_id):
    """(unit_id, branch_id, active, open?) per period, oldest first."""
    return [(p.unit_id, p.branch_id, p.active, p.valid_to is None) for p in periods_of(user_id)]


def data_of(member, **changes):
    values = dict(name=member.name, staff_id=member.staff_id, mobile=member.mobile, unit_id=member.unit_id,
                  branch_id=member.branch_id)
    values.update(changes)
    return members.MemberData(**values)


def test_create_transfer_deactivate_reactivate_write_the_history(app, make_unit, make_staff):
    admin = make_staff("admin")
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    branch_a = make_unit("一支部", parent=unit_a)
    with clock.frozen_at(T0):
        member, _password = members.create_member(admin, members.MemberData(
            name="王芳", staff_id="H0001", unit_id=unit_a.id, branch_id=branch_a.id))
        db.session.commit()
    assert history(member.id) == [(unit_a.id, branch_a.id, True, True)]
    assert periods_of(member.id)[0].valid_from == T0

    with clock.frozen_at(T0 + timedelta(days=3)):
        members.update_member(admin, member, data_of(member, name="王芳芳"))  # not a roster move
        db.session.commit()
    assert len(periods_of(member.id)) == 1

    with clock.frozen_at(T0 + timedelta(days=5)):  # the transfer
        members.update_member(admin, member, data_of(member, unit_id=unit_b.id, branch_id=None))
        db.session.commit()
    with clock.frozen_at(T0 + timedelta(days=8)):
        members.set_active(admin, member, False)
        db.session.commit()
    with clock.frozen_at(T0 + timedelta(days=9)):
        members.set_active(admin, member, True)
        db.session.commit()
    assert history(member.id) == [(unit_a.id, branch_a.id, True, False), (unit_b.id, None, True, False),
                                  (unit_b.id, None, False, False), (unit_b.id, None, True, True)]
    periods = periods_of(member.id)
    assert [p.valid_from for p in periods] == [T0, T0 + timedelta(days=5), T0 + timedelta(days=8),
                                               T0 + timedelta(days=9)]
    assert [p.valid_to for p in periods[:-1]] == [p.valid_from for p in periods[1:]]


def test_staff_account_gets_a_period_without_a_unit(app, make_staff):
    admin = make_staff("admin")
    account, _password = members.create_staff_account(admin, members.MemberData(name="评委甲", staff_id="J001"),
                                                      {"judge"}, None)
    db.session.commit()
    assert history(account.id) == [(None, None, True, True)]


def test_import_writes_history_for_new_and_moved_members(app, make_unit, make_member, roster):
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    with clock.frozen_at(T0 - timedelta(days=30)):
        settled = make_member(unit=unit_a, staff_id="00009", name="老成员", mobile="13800138009")
        record_membership([settled.id])
        db.session.commit()
    with clock.frozen_at(T0):
        import_roster(roster([["甲单位", "张伟", "00001", 13800138001, "男", None, None],
                              ["乙单位", "老成员", "00009", 13800138009, None, None, None]]))
        db.session.commit()
    new = db.session.scalar(sa.select(User).where(User.staff_id == "00001"))
    assert history(new.id) == [(unit_a.id, None, True, True)]
    assert history(settled.id) == [(unit_a.id, None, True, False), (unit_b.id, None, True, True)]
    assert periods_of(settled.id)[1].valid_from == T0
    with clock.frozen_at(T0 + timedelta(days=1)):  # the same file again changes nothing
        import_roster(roster([["甲单位", "张伟", "00001", 13800138001, "男", None, None]]))
        db.session.commit()
    assert len(periods_of(new.id)) == 1


def test_cli_import_writes_history(app, make_unit, roster, tmp_path):
    unit = make_unit("市委办公室")
    source = tmp_path / "名册.xlsx"
    source.write_bytes(roster([["市委办公室", "张伟", "00001", 13800138001, "男", None, None]]))
    result = app.test_cli_runner().invoke(args=["members", "import", str(source)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    member = db.session.scalar(sa.select(User).where(User.staff_id == "00001"))
    assert history(member.id) == [(unit.id, None, True, True)]


def test_demo_gives_every_user_exactly_one_open_period(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    open_periods = db.session.execute(sa.select(MemberPeriod.user_id, User.unit_id, MemberPeriod.unit_id,
                                                User.active, MemberPeriod.active)
                                      .join(User, User.id == MemberPeriod.user_id)
                                      .where(MemberPeriod.valid_to.is_(None))).all()
    assert users > 100 and len(open_periods) == users
    assert all(row[1] == row[2] and row[3] == row[4] for row in open_periods)


def test_record_membership_runs_two_statements_whatever_the_number(app, make_unit, make_member):
    unit_a, unit_b = make_unit(), make_unit()
    people = [make_member(unit=unit_a) for _ in range(12)]
    record_membership(None)
    db.session.commit()
    db.session.execute(sa.update(User).where(User.id.in_([p.id for p in people[:7]])).values(unit_id=unit_b.id))
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        record_membership([p.id for p in people])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "member_periods" in s]) == 2
    open_units = dict(db.session.execute(sa.select(MemberPeriod.user_id, MemberPeriod.unit_id)
                                         .where(MemberPeriod.valid_to.is_(None))).all())
    assert sum(1 for p in people if open_units[p.id] == unit_b.id) == 7
