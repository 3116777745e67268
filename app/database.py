"""Engine tuning: SQLite gets WAL, foreign keys, a busy timeout and IMMEDIATE write transactions."""
from flask import has_request_context, request
from sqlalchemy import event

from app.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_connect(dbapi_connection, _record):
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would otherwise defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection):
    # A request that may write takes the write lock up front, so two read-then-write requests
    # queue on busy_timeout instead of one failing with "database is locked" at its first write.
    if has_request_context() and request.method in SAFE_METHODS:
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


def register_database(app) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file has no server to lose the connection to: pinging it before every request is pure cost.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
                from pathlib import Path

                path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
