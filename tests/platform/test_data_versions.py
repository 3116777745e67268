"""Data versions (app/common/data_versions.py): a committed write to a watched table raises its
name's number once per transaction, whichever way the statement was made; a rolled back one, an
unwatched table or an UPDATE of unwatched columns leaves it alone; racing writers lose no count."""
import threading

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.common import data_versions
from app.common.data_versions import current, names_written
from app.extensions import db
from app.participation.freshness import FIGURES_DATA
from tests.support import is_postgres

TABLES = {"quiz_attempts": {"p": frozenset({"submitted_at", "score"})}, "units": {"p": None},
          "users": {"p": frozenset({"unit_id", "active"}), "q": None}}


@pytest.mark.parametrize(("statement", "names"), [
    ("INSERT INTO units (name) VALUES (?)", {"p"}),
    ('DELETE FROM "units" WHERE id = ?', {"p"}),
    ("INSERT OR REPLACE INTO units (id) VALUES (1)", {"p"}),
    ("UPDATE units SET name=? WHERE units.id = ?", {"p"}),
    ("UPDATE quiz_attempts SET submitted_at=?, submit_reason=? WHERE quiz_attempts.id = ?", {"p"}),
    ("UPDATE quiz_attempts SET leave_count=(quiz_attempts.leave_count + ?) WHERE quiz_attempts.id = ? "
     "AND quiz_attempts.submitted_at IS NULL RETURNING quiz_attempts.leave_count", set()),
    ("update quiz_attempts set score = %(score)s where id = %(id)s", {"p"}),
    # A SET list cut short by a subquery's own FROM cannot be read: counted, never missed.
    ("UPDATE quiz_attempts SET leave_count=(SELECT max(x) FROM t WHERE t.a = 1), score=? WHERE id=?", {"p"}),
    ("UPDATE users SET password_hash=?, must_change_password=? WHERE users.id = ?", {"q"}),
    ("UPDATE users SET unit_id=?, branch_id=? WHERE users.id = ?", {"p", "q"}),
    ("SELECT * FROM units", set()),
    ("WITH moved AS (SELECT id FROM t) UPDATE quiz_attempts SET leave_count=1 FROM moved", {"p"}),
    ("WITH who AS (SELECT users.id FROM users) SELECT * FROM who", set()),
    ("INSERT INTO audit_entries (action) VALUES (?)", set()),
    ("UPDATE quiz_attempt_items SET response=? WHERE id=?", set()),
])
def test_which_statements_write_a_watched_table(statement, names):
    assert names_written(statement, TABLES) == names


def test_a_committed_write_counts_once_a_rolled_back_one_never(app, make_unit):
    before = current(FIGURES_DATA)
    unit = make_unit("计数单位")  # committed by the factory
    unit_id = unit.id
    after_one = current(FIGURES_DATA)
    assert after_one > before
    unit.name = "计数单位（改）"
    db.session.execute(sa.update(User).where(User.id == -1).values(active=False))  # Core, same transaction
    db.session.commit()
    assert current(FIGURES_DATA) == after_one + 1  # two statements, one transaction: one count
    unit.name = "不保存"
    db.session.flush()
    db.session.rollback()
    assert current(FIGURES_DATA) == after_one + 1
    db.session.remove()  # the session's transaction ends (on SQLite it would hold the write lock)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("UPDATE units SET sort_order = sort_order + 1 WHERE id = :id"), {"id": unit_id})
    db.session.rollback()
    assert current(FIGURES_DATA) == after_one + 2  # autocommitted: counted at once


def test_writes_that_move_no_figure_are_not_counted(app, make_member):
    member = make_member(name="改密码的人")
    before = current(FIGURES_DATA)
    member.password_hash = "changed"
    member.must_change_password = False
    db.session.commit()
    with data_versions.paused():
        member.active = False
        db.session.commit()
    assert current(FIGURES_DATA) == before


def _run_together(threads) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_racing_writers_lose_no_count(app, make_unit):
    """Eight threads commit four writes each at once on PostgreSQL: the number rises by exactly 32 (the
    row's lock queues them; a lost count would let a worker keep stale figures)."""
    unit_id = make_unit("并发单位").id
    before = current(FIGURES_DATA)
    db.session.commit()
    start = threading.Barrier(8)
    failures = []

    def writer():
        try:
            with app.app_context():
                start.wait()
                for _ in range(4):
                    with db.engine.begin() as connection:
                        connection.execute(sa.text("UPDATE units SET sort_order = sort_order + 1 WHERE id = :id"),
                                           {"id": unit_id})
        except Exception as error:
            failures.append(error)

    _run_together([threading.Thread(target=writer) for _ in range(8)])
    assert not failures
    db.session.rollback()
    assert current(FIGURES_DATA) == before + 32


def test_each_figure_has_its_own_version_read_with_the_others_in_one_statement(app, make_member, count_queries):
    """watch_each: a name per participation provider; a quiz submission moves the quiz's, not the
    exhibition's or the people's; current_many reads them all in one statement."""
    from app.participation.freshness import PEOPLE_DATA, figure_data
    from quizzes.models import Attempt

    names = [figure_data("quiz"), figure_data("exhibition_submitted"), PEOPLE_DATA]
    before = data_versions.current_many(names)
    db.session.execute(sa.update(Attempt).where(Attempt.id == -1).values(score=1.0))
    db.session.commit()
    with count_queries() as counter:
        after = data_versions.current_many(names)
    assert sum("data_versions" in statement for statement in counter.statements) == 1
    assert after[figure_data("quiz")] == before[figure_data("quiz")] + 1
    assert after[figure_data("exhibition_submitted")] == before[figure_data("exhibition_submitted")]
    assert after[PEOPLE_DATA] == before[PEOPLE_DATA]
    make_member(name="新成员")  # a user inserted: the people move
    assert data_versions.current_many([PEOPLE_DATA])[PEOPLE_DATA] == before[PEOPLE_DATA] + 1


def _people_version() -> int:
    from app.participation.freshness import PEOPLE_DATA

    return data_versions.current(PEOPLE_DATA)


def _people_changes(since: int, until: int | None = None):
    from app.participation.freshness import PEOPLE_DATA

    return data_versions.changed_keys(PEOPLE_DATA, since, _people_version() if until is None else until)


def test_the_people_log_names_the_members_each_write_changed(app, make_unit, make_member):
    """log_keys: a move through the ORM and the history writer, a new member, an exemption: each
    committed transaction logs the members it wrote, and several transactions give them all."""
    from datetime import date

    from app.participation.history import record_membership
    from app.participation.models import ParticipationExemption

    here, there = make_unit("原单位"), make_unit("新单位")
    mover, stayer = make_member(unit=here, name="调动的人"), make_member(unit=here, name="留下的人")
    record_membership([mover.id, stayer.id])
    db.session.commit()
    start = _people_version()
    mover.unit_id = there.id  # the roster page's write: the ORM, then the history for that member
    record_membership([mover.id])
    db.session.commit()
    assert _people_changes(start) == {mover.id}
    newcomer = make_member(unit=there, name="新来的人")  # inserted by the ORM: its id is known after
    db.session.add(ParticipationExemption(user_id=stayer.id, campaign_id=None, kind="sick_leave",
                                          reason="长期病休", starts_on=date(2026, 1, 1), status="pending"))
    db.session.commit()
    assert _people_changes(start) == {mover.id, newcomer.id, stayer.id}
    newcomer.name = "改名"  # no column the people read: not counted, nothing logged
    db.session.commit()
    assert _people_changes(start) == {mover.id, newcomer.id, stayer.id}
    assert _people_changes(_people_version()) == set()


def test_a_write_the_log_cannot_key_makes_the_reader_read_everything(app, make_unit, make_member):
    """A Core UPDATE of users (no mapper event, nothing declared) is logged as unknown; so is one run
    after a flush in the same transaction; a rolled back write logs nothing; a reader further behind
    than the log holds gets None."""
    unit = make_unit("日志单位")
    member = make_member(unit=unit, name="日志成员")
    start = _people_version()
    db.session.execute(sa.update(User).where(User.id == member.id).values(active=False))
    db.session.commit()
    assert _people_changes(start) is None
    after_core = _people_version()
    member.active = True
    db.session.flush()  # the ORM's statement, keyed ...
    db.session.execute(sa.update(User).where(User.unit_id == unit.id).values(branch_id=None))  # ... then Core
    db.session.commit()
    assert _people_changes(after_core) is None
    keyed = _people_version()
    member.active = False
    db.session.flush()
    db.session.rollback()
    assert _people_version() == keyed
    with data_versions.changing("participation.people", [member.id]):
        db.session.execute(sa.update(User).where(User.id == member.id).values(active=True))
    db.session.commit()
    assert _people_changes(keyed) == {member.id}
    assert data_versions.changed_keys("participation.people", keyed - data_versions.LOG_KEPT - 1, keyed) is None
    db.session.execute(sa.delete(data_versions.DataChange))  # the log lost (pruned, or older than it)
    db.session.commit()
    assert _people_changes(keyed) is None


@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_racing_roster_writes_each_log_their_member(app, make_unit, make_member):
    """Eight threads each move their own member at once on PostgreSQL (the ORM, then the history
    writer): the people's version rises by eight and its log names all eight (a lost entry would make a
    worker miss a move; a wrong one, credit a member to the wrong unit)."""
    from app.participation.freshness import PEOPLE_DATA
    from app.participation.history import record_membership

    here, there = make_unit("赛跑原单位"), make_unit("赛跑新单位")
    movers = [make_member(unit=here, name=f"赛跑{number}").id for number in range(8)]
    there_id = there.id
    record_membership(movers)
    db.session.commit()
    before = current(PEOPLE_DATA)
    start = threading.Barrier(8)
    failures = []

    def mover(user_id):
        try:
            with app.app_context():
                start.wait()
                member = db.session.get(User, user_id)
                member.unit_id = there_id
                record_membership([user_id])
                db.session.commit()
        except Exception as error:
            failures.append(error)

    _run_together([threading.Thread(target=mover, args=(user_id,)) for user_id in movers])
    assert not failures
    db.session.rollback()
    after = current(PEOPLE_DATA)
    assert after == before + 8
    assert data_versions.changed_keys(PEOPLE_DATA, before, after) == set(movers)
