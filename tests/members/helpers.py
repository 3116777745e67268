"""Helpers shared by the roster tests."""
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.extensions import db
from app.units.models import Unit


def users_by_staff_id() -> dict[str, User]:
    return {user.staff_id: user for user in db.session.scalars(sa.select(User))}


def snapshot():
    """Everything an import or a form may change, to prove a refused request changed nothing."""
    db.session.expire_all()
    users = db.session.execute(sa.select(
        User.staff_id, User.name, User.mobile, User.unit_id, User.branch_id, User.gender, User.political_status,
        User.active, User.must_change_password, User.password_hash).order_by(User.staff_id)).all()
    units = db.session.execute(sa.select(Unit.id, Unit.name, Unit.parent_id).order_by(Unit.id)).all()
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    return users, units, audits


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def upload(client, content: bytes, filename="名册.xlsx", **fields):
    data = {"file": (io.BytesIO(content), filename), "password_mode": "mobile", **fields}
    return client.post("/members/import", data=data, content_type="multipart/form-data")
