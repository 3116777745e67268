"""Pooled connections are pinged after sitting idle, not before every request (a round trip each)."""
import pytest
import sqlalchemy as sa

from app import database
from app.extensions import db

pytestmark = pytest.mark.postgres


def _backend_pid() -> int:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _kill(pid: int) -> None:
    other = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with other.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        connection.commit()
    other.dispose()


def test_a_connection_in_steady_use_is_not_pinged(app, count_queries, monkeypatch):
    assert db.engine.pool._pre_ping is False
    pings = []
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda connection: pings.append(connection) or True)
    _backend_pid()
    _backend_pid()
    assert pings == []


def test_a_connection_dropped_while_idle_is_replaced_before_use(app, monkeypatch):
    db.session.remove()
    pid = _backend_pid()  # the pool keeps this connection
    _kill(pid)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it sat idle for a while

    assert _backend_pid() != pid  # pinged, found gone, replaced: the request never saw the error
