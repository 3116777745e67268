"""People who sign in. A roster member is a user with a unit; staff roles are explicit grants."""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.hashing import check_password_hash, generate_password_hash
from app.common.access import Role
from app.common.clock import utcnow
from app.extensions import db

GENDERS = ("男", "女")
# 入党积极分子 is not a 政治面貌 in the strict sense, but rosters record it there and meetings invite by it.
POLITICAL_STATUSES = ("中共党员", "预备党员", "入党积极分子", "共青团员", "民主党派", "无党派人士", "群众")
GRANTABLE_ROLES = (Role.ADMIN, Role.ORGANISER, Role.LIAISON, Role.JUDGE)


def password_hash_method() -> str:
    """werkzeug's method for passwords people choose: scrypt unless configured (tests use a fast one)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def account_roles(granted, unit_id: int | None, active: bool) -> set[str]:
    """The roles an account holds: its grants, and member while it is active and has a unit."""
    roles = set(granted)
    if unit_id is not None and active:
        roles.add(Role.MEMBER)
    return roles


def holds_any_role(roles: set[str], wanted) -> bool:
    """Whether `roles` include one of `wanted` (admin also passes organiser checks)."""
    return any(role in roles or (role == Role.ORGANISER and Role.ADMIN in roles) for role in wanted)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64), index=True)
    mobile: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"), index=True)
    gender: Mapped[str | None] = mapped_column(sa.String(8))
    political_status: Mapped[str | None] = mapped_column(sa.String(16))
    # The party group (党小组) inside the member's branch, and whether they sit on its committee (支委).
    party_group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("party_groups.id", ondelete="SET NULL"), index=True)
    is_branch_committee: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    unit = relationship("Unit", foreign_keys=[unit_id])
    branch = relationship("Unit", foreign_keys=[branch_id])
    party_group = relationship("PartyGroup")
    role_grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # -- passwords
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # -- Flask-Login
    @property
    def is_active(self) -> bool:  # inactive members cannot sign in
        return bool(self.active)

    # -- roles
    @property
    def roles(self) -> set[str]:
        return account_roles((grant.role for grant in self.role_grants), self.unit_id, self.active)

    def has_role(self, role: str) -> bool:
        return holds_any_role(self.roles, (role,))

    def has_any_role(self, roles) -> bool:
        return holds_any_role(self.roles, roles)

    @property
    def is_organiser(self) -> bool:
        return self.has_role(Role.ORGANISER)

    @property
    def liaison_unit_id(self) -> int | None:
        for grant in self.role_grants:
            if grant.role == Role.LIAISON:
                return grant.unit_id
        return None

    def can_manage_unit(self, unit_id: int | None) -> bool:
        """Organisers manage every unit; a liaison only their own."""
        if self.is_organiser:
            return True
        return unit_id is not None and unit_id == self.liaison_unit_id

    def __repr__(self) -> str:
        return f"<User {self.staff_id} {self.name}>"


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", name="uq_role_grants_user_id_role"),
        sa.CheckConstraint(
            "role IN ('admin', 'organiser', 'liaison', 'judge')", name="role_is_known"
        ),
        sa.CheckConstraint("(role = 'liaison') = (unit_id IS NOT NULL)", name="liaison_has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants")
    unit = relationship("Unit")


class LoginThrottle(db.Model):
    """Failure counters shared by every worker: key is 'account:<staff id>', 'address:<ip>' or
    'pair:<ip>|<staff id>'; `strikes` counts the locks so far, each lasting twice the one before."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    strikes: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")


class LoginSession(db.Model):
    """One signed-in device. The cookie holds a random token; only its SHA-256 is stored, so a copy of
    the database opens no session. A session ends when revoked (logout, password change, reset, 退出所有
    设备), idle past `idle_seconds`, or past `expires_at`, whichever comes first."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # sha256 hex of the cookie token
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    idle_seconds: Mapped[int] = mapped_column(sa.Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
