"""Shared fixtures. Factories return callables: make_member(unit=...), client_for(user), xlsx(rows)."""
import io
import itertools
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, request_started
from openpyxl import Workbook

os.environ.setdefault("SAISHI_SECRET_KEY", "test-secret-key")

from app import create_app
from app.accounts.models import RoleGrant, User
from app.common import clock
from app.extensions import db
from app.units.models import Unit
from tests.support import DEFAULT_PASSWORD, POSTGRES_URL, is_postgres, log_in

REQUIRE_POSTGRES = os.environ.get("SAISHI_REQUIRE_POSTGRES") == "1"


def _reuse_url_builders():
    """Every test builds its own app, and werkzeug compiles a Python function per URL rule for each
    (~290 rules: three quarters of create_app's time). Without defaults that function depends only on
    the rule's text and parsed parts and reads the rule's converters when called, so one compiled
    function serves the same rule in every app of this worker."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict = {}

    def reused(self, append_unknown=True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (append_unknown, self.rule, tuple(self._trace))
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = reused


_reuse_url_builders()
REQUIRE_BROWSER = os.environ.get("SAISHI_REQUIRE_BROWSER") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "app_config(**overrides): config overrides for the app fixture")
    if REQUIRE_POSTGRES and not POSTGRES_URL.startswith("postgresql"):
        raise pytest.UsageError("SAISHI_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not a PostgreSQL URL")


def pytest_collection_modifyitems(config, items):
    if is_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """CI (SAISHI_REQUIRE_POSTGRES=1 / SAISHI_REQUIRE_BROWSER=1): a skipped postgres/browser test fails."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        required = [marker for marker, flag in (("postgres", REQUIRE_POSTGRES), ("browser", REQUIRE_BROWSER))
                    if flag and marker in item.keywords]
        if required:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            report.outcome = "failed"
            report.longrepr = (f"{item.nodeid}: a {'/'.join(required)} test was skipped although "
                               f"SAISHI_REQUIRE_{required[0].upper()}=1 ({reason})")
    return report


# ---------------------------------------------------------------- database per test

@pytest.fixture(scope="session")
def postgres_url(worker_id):
    """One database per xdist worker, schema created once; each test empties the tables it wrote."""
    if not is_postgres():
        return None
    base = sa.engine.make_url(POSTGRES_URL)
    name = f"{base.database}_saishi_{worker_id}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name})
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        # A commit need not wait for its WAL to reach the disk (~6 ms a commit on this machine's disk,
        # ~1 ms without): locking and visibility are the same; only a crash of the server could lose
        # the last commits of a database the next run drops anyway.
        connection.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    schema_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with schema_app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def worker_id(request):
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def _truncate_all():
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _empty_written_tables():
    """Leave the PostgreSQL database as TRUNCATE … RESTART IDENTITY of every table would: the tables
    holding rows are emptied with DELETE and the sequences that moved are rewound. A test writes to a
    few of the ~70 tables, and TRUNCATE costs about a second however few rows there are (it swaps
    every table's files and syncs them at commit), where this costs a few milliseconds."""
    tables = db.metadata.sorted_tables
    holding = " UNION ALL ".join(
        f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")" for table in tables)
    try:
        with db.engine.begin() as connection:
            full = {name for (name,) in connection.execute(sa.text(holding))}
            for table in reversed(tables):  # referencing tables first
                if table.name in full:
                    connection.execute(sa.text(f'DELETE FROM "{table.name}"'))
            # last_value is NULL for a sequence never used since it was created or restarted
            moved = connection.execute(sa.text(
                "SELECT schemaname || '.' || sequencename FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL")).scalars().all()
            for sequence in moved:
                connection.execute(sa.text("SELECT setval(:sequence, 1, false)"), {"sequence": sequence})
    except sa.exc.DBAPIError:  # rows in a foreign-key cycle: fall back to the statement that always works
        _truncate_all()


def _fresh_request_globals(_sender, **_extra):
    """The app fixture keeps one app context open for the whole test, so without this every request
    (from any test client) would share `g`: Flask-Login's current user, Flask-Babel's locale, the CSRF
    token. Each request starts with an empty `g`, as it does in production."""
    for name in list(g):
        g.pop(name, None)


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    """sqlite_schema(path): put a SQLite file with every table at `path`. The schema is created once per
    worker (and per set of known tables) and copied, which takes a millisecond where create_all takes
    ~70 ms of DDL statements and syncs."""
    made: dict[tuple[str, ...], Path] = {}

    from app import models  # noqa: F401  (every table, as create_app imports them)

    def place(path: Path) -> None:
        tables = tuple(sorted(db.metadata.tables))
        if tables not in made:
            template = tmp_path_factory.mktemp("schema") / "schema.db"
            engine = sa.create_engine(f"sqlite:///{template}")
            db.metadata.create_all(engine)
            engine.dispose()
            made[tables] = template
        shutil.copyfile(made[tables], path)

    return place


@pytest.fixture
def app(request, tmp_path, postgres_url, sqlite_schema):
    if postgres_url is None:
        sqlite_schema(tmp_path / "test.db")
    overrides = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": postgres_url or f"sqlite:///{tmp_path / 'test.db'}",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "JOBS_FOLDER": str(tmp_path / "jobs"),
        "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
        "LOGIN_LOCK_SECONDS": 300,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # scrypt takes ~0.5 s a hash; tests make hundreds
    }
    marker = request.node.get_closest_marker("app_config")
    if marker:
        overrides.update(marker.kwargs)
    application = create_app(overrides)
    request_started.connect(_fresh_request_globals, application)
    with application.app_context():
        yield application
        db.session.remove()
        if postgres_url is not None:
            _empty_written_tables()
        db.engine.dispose()
    clock.reset()


@pytest.fixture
def client(app):
    return app.test_client()


# ---------------------------------------------------------------- factories

@pytest.fixture
def make_unit(app):
    counter = itertools.count(1)

    def factory(name: str | None = None, parent: Unit | None = None, sort_order: int = 0) -> Unit:
        unit = Unit(name=name or f"测试单位{next(counter)}", parent_id=parent.id if parent else None,
                    sort_order=sort_order)
        db.session.add(unit)
        db.session.commit()
        return unit

    return factory


_staff_ids = itertools.count(1)


@pytest.fixture
def make_user(app):
    def factory(*, name: str | None = None, staff_id: str | None = None, unit: Unit | None = None,
                branch: Unit | None = None, roles=(), liaison_unit: Unit | None = None,
                password: str = DEFAULT_PASSWORD, must_change_password: bool = False,
                mobile: str | None = None, active: bool = True, **fields) -> User:
        number = next(_staff_ids)
        user = User(
            name=name or f"测试用户{number}", staff_id=staff_id or f"T{number:06d}", mobile=mobile,
            unit_id=unit.id if unit else None, branch_id=branch.id if branch else None,
            must_change_password=must_change_password, active=active, **fields,
        )
        user.set_password(password)
        user.role_grants = [
            RoleGrant(role=role, unit_id=(liaison_unit or unit).id if role == "liaison" else None)
            for role in roles
        ]
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_member(make_user, make_unit):
    def factory(unit: Unit | None = None, **fields) -> User:
        return make_user(unit=unit or make_unit(), **fields)

    return factory


@pytest.fixture
def make_staff(make_user, make_unit):
    """make_staff("organiser"), make_staff("liaison", unit=u), make_staff("judge"), make_staff("admin")."""

    def factory(role: str, unit: Unit | None = None, **fields) -> User:
        if role == "liaison":
            unit = unit or make_unit()
            return make_user(roles=[role], unit=unit, liaison_unit=unit, **fields)
        if role == "member":
            return make_user(unit=unit or make_unit(), **fields)
        return make_user(roles=[role], unit=unit, **fields)

    return factory


@pytest.fixture
def client_for(app):
    """A fresh test client already signed in as `user`."""

    def factory(user: User, password: str = DEFAULT_PASSWORD):
        return log_in(app.test_client(), user, password)

    return factory


@pytest.fixture
def organiser(make_staff):
    return make_staff("organiser", name="组织员甲")


@pytest.fixture
def admin(make_staff):
    return make_staff("admin", name="管理员甲")


@pytest.fixture
def organiser_client(client_for, organiser):
    return client_for(organiser)


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


# ---------------------------------------------------------------- helpers

@pytest.fixture
def xlsx():
    """xlsx([headers, row, row, …], title_rows=[...]) -> bytes, written the way spreadsheets are."""

    def build(rows, title_rows=(), merge_title=True, sheet_title="Sheet1") -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = sheet_title
        for title in title_rows:
            sheet.append([title])
            if merge_title and rows:
                sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row,
                                  end_column=max(1, len(rows[0])))
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return build


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: …; counter.count is the number of SQL statements run."""

    @contextmanager
    def counting():
        class Counter:
            def __init__(self):
                self.count = 0
                self.statements: list[str] = []

        counter = Counter()

        def before_cursor_execute(_conn, _cursor, statement, *_args):
            counter.count += 1
            counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before_cursor_execute)

    return counting


@pytest.fixture
def run_concurrently(app):
    """run_concurrently(fn, n): call fn(i) in n threads released together; returns results or exceptions."""

    def runner(function, count: int = 2, timeout: float = 60):
        barrier = threading.Barrier(count)
        results: list = [None] * count

        def target(index):
            with app.app_context():
                try:
                    barrier.wait()
                    results[index] = function(index)
                except Exception as error:  # collected for the test to assert on
                    db.session.rollback()
                    results[index] = error
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
        return results

    return runner


@pytest.fixture
def make_campaign(app):
    """make_campaign(name, starts_on, ends_on | days=60, phases=[(name, start, end), …]) -> Campaign.

    Without dates the campaign started a week ago; with phases and no dates it spans its phases."""
    from datetime import timedelta

    from app.campaigns.models import Campaign, CampaignPhase

    counter = itertools.count(1)

    def factory(name=None, starts_on=None, ends_on=None, *, days: int = 60, phases=()) -> Campaign:
        if starts_on is None:
            starts_on = min(start for _, start, _ in phases) if phases else clock.utcnow().date() - timedelta(days=7)
        if ends_on is None:
            ends_on = max(end for _, _, end in phases) if phases else starts_on + timedelta(days=days)
        campaign = Campaign(name=name or f"测试活动{next(counter)}", description="", starts_on=starts_on,
                            ends_on=ends_on)
        campaign.phases = [
            CampaignPhase(position=position, name=phase_name, description="", starts_on=start, ends_on=end)
            for position, (phase_name, start, end) in enumerate(phases, start=1)
        ]
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return factory
