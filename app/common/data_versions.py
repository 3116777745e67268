"""Data versions: a number per named set of tables that rises with every committed write to them, so a
worker can keep a result computed from those tables and know, with one cheap read, whether it is
still the one it would compute now (no write in another worker or server ever has to reach it).

`watch(app, name, tables)` names the tables (and, per table, the columns whose UPDATE matters; None:
any column). Every statement on the app's engine is looked at as it goes to the database: an INSERT
or DELETE on a watched table, or an UPDATE that sets one of its watched columns, marks the
connection, and the mark becomes `version = version + 1` of the name's row in `data_versions` in the
same transaction, just before it commits (an autocommitted statement: straight after it). A rolled
back transaction leaves the number alone. So whatever is read after the version was read is at least
as new as that version: a result kept under the version read *before* computing it is never older
than its key says.

Rules for callers: read `current(name)` before the reads the kept result is made of.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

EXTENSION_KEY = "saishi_data_versions"
_MARK = "saishi_data_versions_dirty"  # in Connection.info: the names this transaction has written
_paused: ContextVar[bool] = ContextVar("saishi_data_versions_paused", default=False)

# The target of a data-changing statement as SQLAlchemy (and the hand-written SQL here) spells it.
_DML = re.compile(r'\s*(?:(INSERT)(?:\s+OR\s+\w+)?\s+INTO|(UPDATE)|(DELETE)\s+FROM)\s+"?([A-Za-z_]\w*)"?', re.I)
# The columns an UPDATE sets: each name right before a top-level "=" of the SET list.
_SET = re.compile(r'\bSET\s+(.*?)(?:\bWHERE\b|\bFROM\b|\bRETURNING\b|$)', re.I | re.S)
_ASSIGNED = re.compile(r'"?([A-Za-z_]\w*)"?\s*=(?!=)')


class DataVersion(db.Model):
    """How many committed transactions have written to the tables watched under `name`."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class _Watches:
    """An app's watched names: table -> {name: columns (None: any)} once resolved."""

    def __init__(self):
        # Each entry gives {name: {table: columns}} when called (watch: one name; watch_each: several).
        self.pending: dict[str, Callable[[], Mapping[str, Mapping[str, Iterable[str] | None]]]] = {}
        self.tables: dict[str, dict[str, frozenset[str] | None]] = {}
        self.installed_on: set[int] = set()
        self.resolved = False


def _watches(app: Flask) -> _Watches:
    return app.extensions.setdefault(EXTENSION_KEY, _Watches())


def watch(app: Flask, name: str, tables: Callable[[], Mapping[str, Iterable[str] | None]]) -> None:
    """Count committed writes to `tables()` ({table: columns whose UPDATE matters, or None: any}) under
    `name`; `tables` is called once every feature has registered (register_data_versions)."""
    _watches(app).pending[name] = lambda: {name: tables()}
    rewatch(app)


def watch_each(app: Flask, entry: str, tables_by_name: Callable[[], Mapping[str, Mapping[str, Iterable[str] | None]]]) -> None:
    """watch() for names known only once every feature has registered (one per participation
    provider, say): `tables_by_name()` gives {name: {table: columns}}, and is called again on rewatch."""
    _watches(app).pending[entry] = tables_by_name
    rewatch(app)


def rewatch(app: Flask) -> None:
    """Call the watches' table functions again (what they read has grown: a provider registered after
    the app was built); nothing before register_data_versions."""
    watches = _watches(app)
    if not watches.resolved:
        return
    resolved: dict[str, dict[str, frozenset[str] | None]] = {}
    with app.app_context():
        for tables_by_name in watches.pending.values():
            for name, tables in tables_by_name().items():
                for table, columns in tables.items():
                    resolved.setdefault(table, {})[name] = None if columns is None else frozenset(columns)
        watches.tables = resolved
        if resolved:
            _listen(db.engine, watches)


def register_data_versions(app: Flask) -> None:
    """Resolve the watched tables (after every feature's init_app) and listen to the app's engine."""
    _watches(app).resolved = True
    rewatch(app)


@contextmanager
def paused():
    """Writes inside are not counted: schema migrations, which run with the app stopped (nothing is
    kept) and before data_versions may exist."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def current(name: str) -> int:
    """The committed version of `name` (0 before its first counted write)."""
    return db.session.scalar(sa.select(DataVersion.version).where(DataVersion.name == name)) or 0


def current_many(names: Iterable[str]) -> dict[str, int]:
    """current() of each of `names`, in one statement."""
    wanted = sorted(set(names))
    found = {name: version for name, version in db.session.execute(
        sa.select(DataVersion.name, DataVersion.version).where(DataVersion.name.in_(wanted)))}
    return {name: found.get(name) or 0 for name in wanted}


def names_written(statement: str, tables: Mapping[str, Mapping[str, frozenset[str] | None]]) -> set[str]:
    """The watched names a statement writes to: an INSERT or DELETE on a watched table, or an UPDATE
    that sets a column watched there (an UPDATE whose SET list cannot be read counts as writing)."""
    found = _DML.match(statement)
    if found is None:
        if statement.lstrip()[:4].upper() == "WITH":
            # A statement led by a CTE may write further on (WITH … INSERT/UPDATE/DELETE): any watched
            # table it names after such a keyword counts, whatever the columns (never missed).
            return {name for match in _DML.finditer(statement)
                    for name in tables.get(match.group(4).lower(), {})}
        return set()
    watchers = tables.get(found.group(4).lower())
    if not watchers:
        return set()
    if not found.group(2):  # INSERT or DELETE
        return set(watchers)
    set_list = _SET.search(statement, found.end())
    assigned = None
    if set_list and set_list.group(1).count("(") == set_list.group(1).count(")"):
        # Balanced: the list was not cut short inside a subquery's FROM or WHERE.
        assigned = {column.lower() for column in _ASSIGNED.findall(set_list.group(1))}
    return {name for name, columns in watchers.items()
            if columns is None or assigned is None or not assigned.isdisjoint(columns)}


def _bump(dbapi_connection, names: Iterable[str]) -> None:
    # Straight on the DBAPI connection: inside SQLAlchemy's commit event no statement may go through
    # the Connection again. The names are this module's callers' constants, never user input.
    # One statement for every name (a quiz submission raises the figures' and the quiz's), in name
    # order, so that concurrent writers lock the rows in the same order.
    rows = ", ".join(f"('{name}', 1)" for name in sorted(set(names)))
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"INSERT INTO data_versions (name, version) VALUES {rows} "
                       "ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1")
    finally:
        cursor.close()


def _autocommit(connection) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def _listen(engine, watches: _Watches) -> None:
    if id(engine) in watches.installed_on:
        return
    watches.installed_on.add(id(engine))

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _seen(connection, _cursor, statement, _parameters, _context, _executemany):
        names = names_written(statement, watches.tables)
        if not names or _paused.get():
            return
        if _autocommit(connection):
            _bump(connection.connection.dbapi_connection, names)
        else:
            connection.info.setdefault(_MARK, set()).update(names)

    @sa.event.listens_for(engine, "commit")
    def _committing(connection):
        names = connection.info.pop(_MARK, None)
        if names:
            _bump(connection.connection.dbapi_connection, names)

    @sa.event.listens_for(engine, "rollback")
    def _rolled_back(connection):
        connection.info.pop(_MARK, None)
