"""INSERT … ON CONFLICT for SQLite and PostgreSQL: the database, not a read-then-write, settles races."""
from collections.abc import Iterable

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_for(model):
    """An INSERT into `model`'s table in the database's own dialect, which knows ON CONFLICT."""
    dialect = db.session.get_bind(mapper=model.__mapper__).dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"upsert is not implemented for {dialect}")


def insert_or_ignore(model, values: dict, conflict_columns: Iterable[str]) -> bool:
    """Insert a row unless one with the same conflict columns exists; True when inserted."""
    statement = insert_for(model).values(**values).on_conflict_do_nothing(index_elements=list(conflict_columns))
    # RETURNING, not rowcount: psycopg reports rowcount -1 for this statement on PostgreSQL.
    statement = statement.returning(*model.__table__.primary_key.columns)
    return db.session.execute(statement).first() is not None


def insert_or_update(model, values: dict, conflict_columns: Iterable[str], update_columns: Iterable[str], *,
                     index_where=None) -> None:
    """Insert a row, or overwrite `update_columns` of the existing row with the same conflict columns
    (`index_where`: the WHERE of a partial unique index those columns are unique under)."""
    statement = insert_for(model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(conflict_columns), index_where=index_where,
        set_={column: statement.excluded[column] for column in update_columns},
    )
    db.session.execute(statement)
