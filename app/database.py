"""Engine tuning: SQLite gets WAL, foreign keys, a busy timeout and IMMEDIATE write transactions;
server databases ping connections that sat idle, not every checkout."""
import time
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event, exc, inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_MS = 15000

_reads_only: ContextVar[bool] = ContextVar("saishi_reads_only", default=False)
_writes: ContextVar[bool] = ContextVar("saishi_writes", default=False)


@contextmanager
def reads_only():
    """Transactions begun inside only read, so on SQLite they begin DEFERRED and hold no write lock
    (outside a request every transaction would otherwise begin IMMEDIATE: a job exporting for 10 s
    would queue every autosave behind it)."""
    token = _reads_only.set(True)
    try:
        yield
    finally:
        _reads_only.reset(token)


@contextmanager
def writes_in_get():
    """Transactions begun inside write, even in a GET (a scanned check-in link records on its first
    GET): on SQLite they begin IMMEDIATE, so two scans queue instead of one failing to upgrade a stale
    read snapshot with "database is locked". End the request's read transaction first."""
    token = _writes.set(True)
    try:
        yield
    finally:
        _writes.reset(token)


def deferred_begin() -> bool:
    """Whether transactions begun now start DEFERRED on SQLite (inside reads_only())."""
    return _reads_only.get()


def _sqlite_connect(dbapi_connection, _record):
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would otherwise defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection):
    # A request that may write takes the write lock up front, so two read-then-write requests
    # queue on busy_timeout instead of one failing with "database is locked" at its first write.
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # each statement commits by itself: a BEGIN here would be rolled back at close
    if _reads_only.get() or (not _writes.get() and has_request_context() and request.method in SAFE_METHODS):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def end_read_transaction() -> None:
    """End the request's transaction, before any write, so slow CPU work (password hashing) holds no lock.

    On SQLite a POST's transaction begins IMMEDIATE and so holds the database's only write lock: a
    65 ms scrypt check inside it would queue every autosave in the building behind each sign-in.
    Loaded objects stay in the session and reload on next use, in a new transaction.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_read_transaction() called with unsaved changes, which it would discard")
    session.rollback()


def persistent(model, values: dict):
    """An instance of `model` holding `values` (a full row, primary key included) as loaded from the
    database, without an ORM query: no history, so nothing to flush. Add it to the session to use it."""
    instance = model.__mapper__.class_manager.new_instance()
    # Straight into the instance's dict, as the ORM's own loading does (set_committed_value per column
    # costs five times as much): column keys only, so no relationship is left half-set.
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    return instance


def loaded(model, values: dict):
    """The session's instance of `model` for this row, as an ORM query would give it: the one already in
    the session (its unloaded or expired attributes filled from the row, the rest left as they are), or
    a new persistent() one added to the session."""
    session = db.session()
    existing = session.identity_map.get(identity_key(model, values["id"]))
    if existing is None:
        instance = persistent(model, values)
        session.add(instance)
        return instance
    for key in inspect(existing).unloaded & values.keys():
        set_committed_value(existing, key, values[key])
    return existing


def json_recordset(table, names, dialect) -> str:
    """PostgreSQL FROM-clause text: rows of `table`'s columns `names` (alias `given`), sent as ONE JSON
    array in the parameter :p_rows (json.dumps of a list of dicts). Many rows in one statement, where
    psycopg's executemany cost about three times the CPU; a JSON null is SQL NULL."""
    record = ", ".join(f"{name} {table.columns[name].type.compile(dialect)}" for name in names)
    return f"json_to_recordset(CAST(:p_rows AS json)) AS given({record})"


# A pooled connection unused for longer than this is pinged before use (a database restart or a dropped
# network usually happens while connections sit idle); one in steady use is not.
PING_AFTER_IDLE_SECONDS = 30.0


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["saishi_idle_since"] = time.monotonic()


def _ping_if_idle(engine):
    def ping(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("saishi_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # gone: the pool throws it away and checks out another
            raise exc.DisconnectionError(str(error)) from error

    return ping


def _postgres_connect(dbapi_connection, _record) -> None:
    # No JIT: the participation figures' cost estimate (20,000 members) made PostgreSQL compile them
    # for 0.4–7 s before ~1 s of work, and this app's statements are all short. Set once per pooled
    # connection, so no request pays a statement for it.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def register_database(app) -> None:
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    pre_ping = options.get("pool_pre_ping", False)
    # Pinging before every checkout is a round trip on every request (on PostgreSQL about a tenth of an
    # autosave's CPU); a file has no server to lose the connection to at all. Server databases are
    # pinged only after the connection sat idle (_ping_if_idle), SQLite never.
    options["pool_pre_ping"] = False
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if pre_ping and engine.dialect.name != "sqlite":
            event.listen(engine, "checkin", _note_checkin)
            event.listen(engine, "checkout", _ping_if_idle(engine))
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", _postgres_connect)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
                path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///").split("?", 1)[0]
                if path and path != ":memory:":
                    make_private_database_file(path)


def make_private_database_file(path: str) -> None:
    """Create the SQLite file (and its folder) readable by the app's user only (0600), like the secret key.

    SQLite creates the -wal and -shm files with the database file's own permissions, so they are
    private too. A file left world-readable by an earlier version is tightened, with its -wal/-shm.
    """
    import os
    from pathlib import Path

    database = Path(path)
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError:  # read-only or not ours: SQLite reports what matters when it opens it
        return
    for candidate in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            if candidate.exists() and candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except OSError:
            pass
