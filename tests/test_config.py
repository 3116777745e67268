"""Configuration from SAISHI_* variables, the instance secret, production refusals, SQLite tuning."""
import stat
import threading
import time

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import LoginThrottle, User
from app.config import instance_secret_key
from app.extensions import db


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SAISHI_DATABASE_URL", "SAISHI_SECRET_KEY", "SAISHI_ENV", "SAISHI_HTTPS", "SAISHI_PROXY_COUNT",
                 "SAISHI_MAX_UPLOAD_MB", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def build(request):
    """build(overrides, instance_path=…) -> app, disposed of after the test."""

    def factory(overrides=None, **kwargs):
        application = create_app(overrides, **kwargs)
        request.addfinalizer(lambda: _dispose(application))
        return application

    return factory


def _dispose(application):
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


# ---------------------------------------------------------------- environment


def test_saishi_database_url_is_honoured(clean_env, build, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'saishi.db'}"
    clean_env.setenv("SAISHI_DATABASE_URL", url)
    clean_env.setenv("SAISHI_SECRET_KEY", "k")
    application = build(instance_path=tmp_path / "instance")
    assert application.config["SQLALCHEMY_DATABASE_URI"] == url
    with application.app_context():
        assert str(db.engine.url) == url


def test_database_defaults_to_sqlite_in_the_instance_folder(clean_env, build, tmp_path):
    clean_env.setenv("SAISHI_SECRET_KEY", "k")
    application = build(instance_path=tmp_path / "inst")
    assert application.instance_path == str((tmp_path / "inst").resolve())
    assert application.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{(tmp_path / 'inst').resolve() / 'saishi.db'}"


def test_upload_limit_is_configurable(clean_env, build, tmp_path):
    clean_env.setenv("SAISHI_SECRET_KEY", "k")
    clean_env.setenv("SAISHI_MAX_UPLOAD_MB", "3")
    assert build(instance_path=tmp_path).config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024


# ---------------------------------------------------------------- the secret key


def test_missing_secret_is_generated_once_private_and_reused(clean_env, build, tmp_path):
    instance = tmp_path / "instance"
    first = build(instance_path=instance).config["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert build(instance_path=instance).config["SECRET_KEY"] == first  # reused: sessions survive restarts
    assert build(instance_path=tmp_path / "other").config["SECRET_KEY"] != first
    assert sorted(path.name for path in instance.iterdir() if path.name.startswith(".secret_key")) == []


def test_sqlite_database_and_its_wal_files_are_private(clean_env, build, tmp_path):
    """Under the usual umask 022 SQLite would create saishi.db, -wal and -shm world-readable (0644)."""
    import os

    clean_env.setenv("SAISHI_SECRET_KEY", "k")
    previous = os.umask(0o022)
    try:
        application = build(instance_path=tmp_path / "inst")
        with application.app_context():
            db.create_all()
            with db.engine.begin() as connection:  # a write, so the -wal and -shm files exist
                connection.execute(sa.text("INSERT INTO login_throttles (key, failures, window_started_at, strikes) VALUES ('k', 0, '2026-01-01', 0)"))
            database = tmp_path / "inst" / "saishi.db"
            files = [database, database.with_name("saishi.db-wal"), database.with_name("saishi.db-shm")]
            assert all(path.exists() for path in files), files
            assert {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in files} == {
                path.name: "0o600" for path in files}
    finally:
        os.umask(previous)


def test_an_existing_world_readable_database_is_made_private(clean_env, build, tmp_path):
    clean_env.setenv("SAISHI_SECRET_KEY", "k")
    (tmp_path / "inst").mkdir()
    database = tmp_path / "inst" / "saishi.db"
    for path in (database, tmp_path / "inst" / "saishi.db-wal"):
        path.write_bytes(b"")
        path.chmod(0o644)
    build(instance_path=tmp_path / "inst")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "inst" / "saishi.db-wal").stat().st_mode) == 0o600


def test_secret_from_the_environment_wins(clean_env, build, tmp_path):
    clean_env.setenv("SAISHI_SECRET_KEY", "from-env")
    assert build(instance_path=tmp_path).config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_workers_starting_together_agree_on_one_secret(tmp_path):
    barrier = threading.Barrier(8)
    keys: list[str] = []

    def start():
        barrier.wait()
        keys.append(instance_secret_key(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(keys) == 8
    assert len(set(keys)) == 1 and keys[0]
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]


# ---------------------------------------------------------------- production refusals


def test_production_refuses_to_start_without_a_secret(clean_env, tmp_path):
    clean_env.setenv("SAISHI_ENV", "production")
    with pytest.raises(RuntimeError, match="SAISHI_SECRET_KEY"):
        create_app(instance_path=tmp_path)
    assert not (tmp_path / "secret_key").exists()  # no silent fallback to a generated key


@pytest.mark.parametrize("how", ["override", "FLASK_DEBUG"])
def test_production_refuses_to_start_in_debug_mode(clean_env, tmp_path, how):
    clean_env.setenv("SAISHI_ENV", "production")
    clean_env.setenv("SAISHI_SECRET_KEY", "a-long-production-secret")
    overrides = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"}
    if how == "override":
        overrides["DEBUG"] = True
    else:
        clean_env.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug"):
        create_app(overrides, instance_path=tmp_path)


def test_production_with_a_secret_and_no_debug_starts(clean_env, build, tmp_path):
    clean_env.setenv("SAISHI_ENV", "production")
    clean_env.setenv("SAISHI_SECRET_KEY", "a-long-production-secret")
    application = build({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"}, instance_path=tmp_path)
    assert application.config["SECRET_KEY"] == "a-long-production-secret"
    assert not application.debug
    assert application.config["PASSWORD_HASH_METHOD"] == "scrypt:16384:8:1"


# ---------------------------------------------------------------- reverse proxy


def _failed_login_from(application, headers):
    client = application.test_client()
    client.post("/login", data={"login": "nobody", "password": "x"}, headers=headers,
                environ_base={"REMOTE_ADDR": "127.0.0.1"})
    with application.app_context():
        keys = set(db.session.scalars(sa.select(LoginThrottle.key)))
        db.session.remove()
    return keys


@pytest.mark.parametrize(("proxies", "expected"), [("0", "address:127.0.0.1"), ("1", "address:203.0.113.9")])
def test_visitor_address_behind_a_proxy(app, clean_env, build, tmp_path, proxies, expected):
    """Behind nginx the address throttle must see the visitor; without a proxy the header is not trusted."""
    clean_env.setenv("SAISHI_SECRET_KEY", "k")
    clean_env.setenv("SAISHI_PROXY_COUNT", proxies)
    db.session.commit()
    application = build({key: app.config[key] for key in ("TESTING", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED")},
                        instance_path=tmp_path)
    assert expected in _failed_login_from(application, {"X-Forwarded-For": "203.0.113.9"})


# ---------------------------------------------------------------- SQLite tuning


def test_sqlite_connections_are_tuned(app):
    if not is_sqlite(app):
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(app):
    user = User(staff_id="FK1", name="外键", unit_id=424242, password_hash="x")
    db.session.add(user)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_writes_begin_immediate_and_reads_do_not(app):
    if not is_sqlite(app):
        pytest.skip("SQLite transaction modes")
    statements = []

    def remember(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        for method, expected in (("GET", "BEGIN"), ("POST", "BEGIN IMMEDIATE")):
            db.session.remove()
            statements.clear()
            with app.test_request_context("/", method=method):
                db.session.scalar(sa.select(sa.func.count()).select_from(User))
                db.session.rollback()
            assert statements[0] == expected, (method, statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
        db.session.remove()


def test_concurrent_read_then_write_requests_queue_instead_of_failing(app, run_concurrently):
    """Two POSTs each read, pause, then write. With BEGIN IMMEDIATE the second waits for the first
    (busy_timeout) instead of failing with "database is locked", and reads what the first wrote."""
    if not is_sqlite(app):
        pytest.skip("SQLite locking")
    db.session.commit()

    def read_then_write(index):
        with app.test_request_context("/quiz/answer", method="POST"):
            seen = db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle))
            time.sleep(0.3)  # widen the window in which a deferred transaction would collide
            db.session.add(LoginThrottle(key=f"race:{index}", failures=seen))
            db.session.commit()
            return seen

    results = run_concurrently(read_then_write, 2)
    errors = [result for result in results if isinstance(result, Exception)]
    assert not errors, errors
    assert sorted(results) == [0, 1]  # serialised: the second saw the first's row
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 2
    db.session.commit()
