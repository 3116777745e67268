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

A name can also keep a log of what each transaction wrote (`log_keys`): the keys (user ids, say) of
the rows it wrote, so that a worker holding a result made at an older version can read those rows
again instead of everything (`changed_keys`). A key is known when the row was written by the ORM
(mapper events) or inside `changing(name, keys)`; any other write to the name's tables logs the
transaction as unknown, and the reader then reads everything, as it would without the log.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

EXTENSION_KEY = "saishi_data_versions"
_MARK = "saishi_data_versions_dirty"  # in Connection.info: the names this transaction has written
_paused: ContextVar[bool] = ContextVar("saishi_data_versions_paused", default=False)
_KEYS = "saishi_data_versions_keys"  # in Connection.info: {logged name: keys written by the ORM or declared}
_UNKEYED = "saishi_data_versions_unkeyed"  # in Connection.info: logged names written with keys unknown
_FLUSHED = "saishi_data_versions_flushed"  # in Connection.info: tables an ORM flush is writing right now
# Keys declared by changing(): {name: keys} for the statements run inside.
_declared: ContextVar[dict[str, frozenset] | None] = ContextVar("saishi_data_versions_declared", default=None)
# A transaction logs at most this many keys; more, and it is logged as unknown (read everything).
LOGGED_KEYS_MAX = 2000
# The log keeps this many transactions per name; a reader further behind reads everything.
LOG_KEPT = 500
# {mapped class: {logged name: the attribute that holds the key}}, for the mapper events (process-wide:
# the classes are).
_KEYED_CLASSES: dict[type, dict[str, str]] = {}

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


class DataChange(db.Model):
    """The keys one committed transaction wrote under a logged name (log_keys); NULL: not known."""

    __tablename__ = "data_changes"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    keys: Mapped[str | None] = mapped_column(sa.Text)


class _Watches:
    """An app's watched names: table -> {name: columns (None: any)} once resolved."""

    def __init__(self):
        # Each entry gives {name: {table: columns}} when called (watch: one name; watch_each: several).
        self.pending: dict[str, Callable[[], Mapping[str, Mapping[str, Iterable[str] | None]]]] = {}
        self.tables: dict[str, dict[str, frozenset[str] | None]] = {}
        self.installed_on: set[int] = set()
        self.resolved = False
        self.logged: set[str] = set()  # the names that keep a log of their keys (log_keys)


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


def log_keys(app: Flask, name: str, key_of: Mapping[type, str]) -> None:
    """Log, per committed transaction that raises `name`, the keys of the rows it wrote: for each
    mapped class of `key_of`, the attribute that holds a row's key (User: "id", a user's rows:
    "user_id"), read by the ORM's mapper events; see changing() for writes outside the ORM."""
    _watches(app).logged.add(name)
    for model, attribute in key_of.items():
        holders = _KEYED_CLASSES.get(model)
        if holders is None:
            holders = _KEYED_CLASSES[model] = {}
            for event in ("before_insert", "before_update", "before_delete"):
                sa.event.listen(model, event, _row_flushing)
            for event in ("after_insert", "after_update", "after_delete"):
                sa.event.listen(model, event, _row_flushed)
        holders[name] = attribute


def _row_flushing(_mapper, connection, target) -> None:
    # The ORM fires these for each row before the statement that writes it: the statement is keyed.
    connection.info.setdefault(_FLUSHED, set()).add(target.__table__.name)


def _row_flushed(_mapper, connection, target) -> None:
    keys = connection.info.setdefault(_KEYS, {})
    state = sa.inspect(target)
    for name, attribute in _KEYED_CLASSES[type(target)].items():
        found = keys.setdefault(name, set())
        value = getattr(target, attribute)
        if value is not None:
            found.add(value)
        found.update(old for old in state.attrs[attribute].history.deleted if old is not None)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _flush_done(session, _context) -> None:
    # The flush's statements are done: a later statement on those tables is keyed only if declared.
    session.connection().info.pop(_FLUSHED, None)


@contextmanager
def changing(name: str, keys: Iterable) -> Iterator[None]:
    """The statements inside write only rows of `keys` under the logged `name` (a set-based write the
    ORM does not see, such as the membership history's): they are logged with those keys."""
    declared = dict(_declared.get() or {})
    declared[name] = declared.get(name, frozenset()) | frozenset(keys)
    token = _declared.set(declared)
    try:
        yield
    finally:
        _declared.reset(token)


def changed_keys(name: str, since: int, until: int) -> set | None:
    """The keys written under the logged `name` by the transactions that raised it from `since` to
    `until`, or None when any of them is not known (an unkeyed write, or one the log no longer holds)."""
    if until < since or until - since > LOG_KEPT:
        return None
    if until == since:
        return set()
    rows = db.session.execute(sa.select(DataChange.keys).where(
        DataChange.name == name, DataChange.version > since, DataChange.version <= until)).all()
    if len(rows) != until - since or any(keys is None for keys, in rows):
        return None
    return {key for keys, in rows for key in json.loads(keys)}


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


def _bump(dbapi_connection, names: Iterable[str], logged: Mapping[str, set | None] | None = None) -> None:
    # Straight on the DBAPI connection: inside SQLAlchemy's commit event no statement may go through
    # the Connection again. The names are this module's callers' constants, never user input, and the
    # logged keys integers (json.dumps of ints).
    # One statement for every name (a quiz submission raises the figures' and the quiz's), in name
    # order, so that concurrent writers lock the rows in the same order.
    rows = ", ".join(f"('{name}', 1)" for name in sorted(set(names)))
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"INSERT INTO data_versions (name, version) VALUES {rows} "
                       "ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1"
                       + (" RETURNING name, version" if logged else ""))
        if not logged:
            return
        versions = dict(cursor.fetchall())
        entries = []
        for name, keys in sorted(logged.items()):
            text = "NULL"
            if keys is not None and len(keys) <= LOGGED_KEYS_MAX:
                text = "'" + json.dumps(sorted(int(key) for key in keys), separators=(",", ":")) + "'"
            entries.append(f"('{name}', {int(versions[name])}, {text})")
            # The log's oldest entries go as new ones come (one short range on the primary key).
            cursor.execute(f"DELETE FROM data_changes WHERE name = '{name}' AND version <= {int(versions[name]) - LOG_KEPT}")
        cursor.execute(f"INSERT INTO data_changes (name, version, keys) VALUES {', '.join(entries)}")
    finally:
        cursor.close()


def _logged_keys(connection, names: set[str], logged: set[str]) -> dict[str, set | None]:
    """{logged name among `names`: the keys this transaction wrote, None if not known}; clears them."""
    keys = connection.info.pop(_KEYS, {})
    unkeyed = connection.info.pop(_UNKEYED, set())
    return {name: None if name in unkeyed else keys.get(name, set()) for name in names if name in logged}


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
        if watches.logged:
            _note_keys(connection, statement, names, watches.logged)
        if _autocommit(connection):
            _bump(connection.connection.dbapi_connection, names,
                  _logged_keys(connection, names, watches.logged))
        else:
            connection.info.setdefault(_MARK, set()).update(names)

    @sa.event.listens_for(engine, "commit")
    def _committing(connection):
        names = connection.info.pop(_MARK, None)
        if names:
            _bump(connection.connection.dbapi_connection, names, _logged_keys(connection, names, watches.logged))
        _forget_keys(connection)

    @sa.event.listens_for(engine, "rollback")
    def _rolled_back(connection):
        connection.info.pop(_MARK, None)
        _forget_keys(connection)

    @sa.event.listens_for(engine, "rollback_savepoint")
    def _savepoint_rolled_back(connection, _name, _context):
        # What the savepoint wrote is gone, but its keys stay noted (more keys is only more reading);
        # a flush cut short inside it must not leave its tables marked as the ORM's.
        connection.info.pop(_FLUSHED, None)


def _forget_keys(connection) -> None:
    for entry in (_KEYS, _UNKEYED, _FLUSHED):
        connection.info.pop(entry, None)


def _note_keys(connection, statement: str, names: set[str], logged: set[str]) -> None:
    """Note how the keys of a statement writing `names` are known: declared (changing()), by the ORM's
    mapper events (the table is being flushed), or not at all."""
    declared = _declared.get() or {}
    table = _DML.match(statement)
    flushed = connection.info.get(_FLUSHED, ())
    for name in names:
        if name not in logged:
            continue
        if name in declared:
            connection.info.setdefault(_KEYS, {}).setdefault(name, set()).update(declared[name])
        elif table is None or table.group(4).lower() not in flushed:
            connection.info.setdefault(_UNKEYED, set()).add(name)
