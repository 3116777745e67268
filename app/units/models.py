"""Units (单位) and their branches (支部): a two-level tree."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.clock import utcnow
from app.extensions import db


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (
        # parent_key mirrors parent_id with 0 for top-level units, so one UNIQUE covers both levels
        # (NULLs would never collide).
        sa.UniqueConstraint("parent_key", "name", name="uq_units_parent_key_name"),
        sa.CheckConstraint("parent_key = COALESCE(parent_id, 0)", name="parent_key_mirrors_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    parent_key: Mapped[int] = mapped_column(sa.Integer, default=0)
    sort_order: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="branches")
    branches: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="[Unit.sort_order, Unit.id]")

    @property
    def is_branch(self) -> bool:
        return self.parent_id is not None

    @property
    def display_name(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent is not None else self.name

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.display_name}>"


@event.listens_for(Unit, "before_insert")
@event.listens_for(Unit, "before_update")
def _mirror_parent_key(_mapper, _connection, unit):
    unit.parent_key = unit.parent_id or 0


class PartyGroup(db.Model):
    """A party group (党小组) inside a branch; members belong to at most one (users.party_group_id)."""

    __tablename__ = "party_groups"
    __table_args__ = (sa.UniqueConstraint("branch_id", "name", name="uq_party_groups_branch_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A group lives and dies with its branch (its members' party_group_id is then cleared).
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    sort_order: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    branch: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<PartyGroup {self.id} {self.name}>"
