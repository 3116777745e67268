"""/healthz: 200 after a real database round trip, 503 when the database cannot be reached."""
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import request_started

from app import create_app
from app.extensions import db
from tests.support import POSTGRES_URL


@contextmanager
def checkouts(app):
    """The pooled connections handed out inside (each a round trip's worth of work for /healthz)."""
    taken = []

    def note(_dbapi_connection, _record, _proxy):
        taken.append(True)

    sa.event.listen(db.engine, "checkout", note)
    try:
        yield taken
    finally:
        sa.event.remove(db.engine, "checkout", note)


@contextmanager
def dispatched(app):
    """Whether Flask dispatched the requests made inside (False: the middleware answered before it)."""
    started = []

    def note(_sender, **_extra):
        started.append(True)

    request_started.connect(note, app)
    try:
        yield started
    finally:
        request_started.disconnect(note, app)


def test_healthz_is_ok_after_a_database_round_trip(app, client, count_queries):
    with count_queries() as counter, checkouts(app) as taken:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "db": "ok"}
    # One pooled connection asked at the driver: no SQLAlchemy statement, so no BEGIN or ROLLBACK either.
    assert len(taken) == 1
    assert counter.statements == []


@pytest.mark.postgres
def test_healthz_notices_a_connection_the_server_dropped_and_never_reuses_it(app, client):
    """The check really asks the server: a pooled connection it has closed fails, is thrown away, and the
    view answers from a fresh one; the next check is answered before Flask again."""
    assert client.get("/healthz").status_code == 200  # its connection now waits in the pool
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": db.engine.url.database})
    finally:
        admin.dispose()
    with dispatched(app) as started:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "db": "ok"}
    assert started == [True]  # the middleware's SELECT 1 failed on the dead connection
    with dispatched(app) as started:
        assert client.get("/healthz").status_code == 200
    assert started == []
    db.engine.dispose()


def test_healthz_needs_no_sign_in_and_is_never_redirected(client, make_member):
    member = make_member(must_change_password=True)
    client.post("/login", data={"login": member.staff_id, "password": "Passw0rd2026"})
    response = client.get("/healthz")  # even mid forced password change
    assert response.status_code == 200


@pytest.fixture
def unreachable_app(tmp_path, request):
    def build(url):
        application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False},
                                 instance_path=tmp_path)
        request.addfinalizer(lambda: _dispose(application))
        return application

    return build


def _dispose(application):
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@127.0.0.1:1/saishi?connect_timeout=3",  # nothing listens on port 1
    "sqlite:///{tmp}",  # a directory, not a database file
])
def test_healthz_reports_503_when_the_database_is_unreachable(unreachable_app, tmp_path, url):
    application = unreachable_app(url.format(tmp=tmp_path))
    response = application.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["db"] != "ok"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_say_service_unavailable_when_the_database_is_down(unreachable_app):
    """Not a stack trace nor a 500: a friendly 503 "try again shortly" page, even with no database."""
    application = unreachable_app("postgresql+psycopg://postgres@127.0.0.1:1/saishi?connect_timeout=3")
    application.config["PROPAGATE_UNEXPECTED"] = False
    response = application.test_client().post("/login", data={"login": "T1", "password": "x"})
    assert response.status_code == 503
    assert "服务暂时不可用，请稍后重试" in response.get_data(as_text=True)


def test_healthz_costs_no_session_user_or_request_hooks(app, client_for, make_member, count_queries):
    """Asked every few seconds by the load balancer: no cookie read or written, no user loaded, no hooks."""
    client = client_for(make_member())  # a signed-in browser's cookie comes along
    with dispatched(app) as started, count_queries() as counter:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "db": "ok"}
    assert started == []  # answered before Flask dispatches anything
    assert counter.statements == []  # and its SELECT 1 went straight to the driver
    assert "Set-Cookie" not in response.headers
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_files_and_healthz_never_load_the_user(client_for, make_member, count_queries):
    client = client_for(make_member(must_change_password=True))
    with count_queries() as counter:
        assert client.get("/static/css/app.css").status_code == 200
    assert not [s for s in counter.statements if "users" in s]
