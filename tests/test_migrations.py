"""The migrations in migrations/versions build exactly the schema the models describe, on SQLite and
on PostgreSQL: `flask db upgrade` on a fresh database leaves nothing for autogenerate to find."""
import logging
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.common import data_versions
from app.extensions import db
from tests.support import POSTGRES_URL

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def require_migrations() -> None:
    versions = sorted((MIGRATIONS / "versions").glob("*.py"))
    if not versions:
        pytest.fail(
            "migrations/versions holds no migration: generate one with "
            "`.venv/bin/flask --app wsgi db migrate -m \"...\"` and review it", pytrace=False)


@contextmanager
def logging_preserved():
    """migrations/env.py runs logging.config.fileConfig(), which disables every existing logger (the
    app's included) for the rest of the worker. Put them back afterwards."""
    manager = logging.root.manager
    loggers = {name: (logger.disabled, logger.level, list(logger.handlers), logger.propagate)
               for name, logger in manager.loggerDict.items() if isinstance(logger, logging.Logger)}
    root = (logging.root.level, list(logging.root.handlers))
    try:
        yield
    finally:
        for name, (disabled, level, handlers, propagate) in loggers.items():
            logger = logging.getLogger(name)
            logger.disabled, logger.level, logger.handlers, logger.propagate = disabled, level, handlers, propagate
        for name, logger in manager.loggerDict.items():
            if isinstance(logger, logging.Logger) and name not in loggers:
                logger.disabled = False
        logging.root.setLevel(root[0])
        logging.root.handlers[:] = root[1]


def differences(application) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def check_upgrade_matches_models(url: str, instance_path: Path) -> None:
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}, instance_path=instance_path)
    with logging_preserved(), application.app_context():
        try:
            assert table_names() == set(), "the database is not fresh"
            upgrade()
            assert set(db.metadata.tables) <= table_names()
            diff = differences(application)
            assert diff == [], "the models and the migrations disagree (run `flask db migrate`):\n" + "\n".join(
                map(repr, diff))

            # and back down and up again: every migration can be undone
            downgrade(revision="base")
            assert table_names() <= {"alembic_version"}
            upgrade()
            assert differences(application) == []
        finally:
            db.session.remove()
            db.engine.dispose()


def test_there_is_exactly_one_head():
    require_migrations()
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with application.app_context():
        heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"migrations branch: heads {heads}; merge them with `flask db merge heads`"


def test_upgrade_builds_the_models_schema_on_sqlite(tmp_path):
    require_migrations()
    check_upgrade_matches_models(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path)


@pytest.mark.postgres
def test_upgrade_builds_the_models_schema_on_postgresql(tmp_path, worker_id):
    require_migrations()
    base = sa.engine.make_url(POSTGRES_URL)
    name = f"{base.database}_migrations_{worker_id}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))

    drop()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        check_upgrade_matches_models(base.set(database=name).render_as_string(hide_password=False), tmp_path)
    finally:
        drop()
        admin.dispose()


def test_upgrading_a_sqlite_database_in_use_keeps_every_row(tmp_path):
    """Rebuilding a table on SQLite (batch mode: copy, drop, rename) must not cascade: with foreign
    keys on, dropping `users` would first delete every role grant, session and attempt."""
    require_migrations()
    url = f"sqlite:///{tmp_path / 'in-use.db'}"
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}, instance_path=tmp_path)
    with logging_preserved(), application.app_context():
        try:
            upgrade(revision="0003_hostile")  # the schema before any event feature
            # paused: data_versions, where these writes would be counted, comes with a later revision
            with data_versions.paused(), db.engine.begin() as connection:
                connection.exec_driver_sql(
                    "INSERT INTO units (id, name, parent_key, sort_order, created_at) VALUES (1, '单位', 0, 0, '2026-01-01')")
                connection.exec_driver_sql(
                    "INSERT INTO users (id, staff_id, name, unit_id, active, password_hash, must_change_password, "
                    "created_at, updated_at) VALUES (1, '0001', '张三', 1, 1, 'x', 0, '2026-01-01', '2026-01-01')")
                connection.exec_driver_sql(
                    "INSERT INTO role_grants (user_id, role, created_at) VALUES (1, 'organiser', '2026-01-01')")
                connection.exec_driver_sql(
                    "INSERT INTO login_sessions (id, user_id, created_at, expires_at, last_seen_at, idle_seconds) "
                    "VALUES ('s', 1, '2026-01-01', '2099-01-01', '2026-01-01', 3600)")
            upgrade()
            with db.engine.connect() as connection:
                counts = {table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                          for table in ("users", "role_grants", "login_sessions")}
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert counts == {"users": 1, "role_grants": 1, "login_sessions": 1}
        finally:
            db.session.remove()
            db.engine.dispose()
