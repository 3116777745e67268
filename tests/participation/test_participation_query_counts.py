"""The figures and the member lists take the same number of SQL statements for 3 units and 40
members as for 12 units and 400 (real providers, real records), and the figures stay consistent."""
import re
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.common.clock import from_local
from app.extensions import db
from app.participation import services
from app.participation.figures import Rate
from tests.participation.bulk import build_campaign
from tests.support import forget_kept

AS_OF = from_local(datetime(2026, 3, 20, 12))


@contextmanager
def counting():
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def statements_for(campaign) -> dict[str, int]:
    db.session.expire_all()
    forget_kept(current_app)  # counted as a worker's first view (not patched from the other data set's)
    counts = {}
    unit_id = db.session.scalar(sa.text("SELECT min(id) FROM units WHERE parent_id IS NULL AND name LIKE :p"),
                                {"p": campaign.name[0] + "%"})
    for name, call in (
            ("figures", lambda: services.campaign_figures(campaign, as_of=AS_OF)),
            ("headcount", lambda: services.headcount(campaign, as_of=AS_OF)),
            ("members", lambda: services.unit_members(campaign, unit_id, as_of=AS_OF)),
            ("chase", lambda: services.chase_list(campaign, unit_id, as_of=AS_OF)),
            ("exempt", lambda: services.exempt_members(campaign, as_of=AS_OF))):
        with counting() as statements:
            result = call()
        counts[name] = len(statements)
        if name == "figures":
            figures = result
    assert sum((row.figures["quiz"] for row in figures.units), Rate(0, 0)) == figures.total.figures["quiz"]
    assert figures.total.headcount == sum(services.headcount(campaign, as_of=AS_OF).values())
    assert figures.total.figures["quiz"].count > 0 and figures.total.attendance.of > 0
    return counts


def test_statement_counts_do_not_grow_with_units_or_members(app):
    small = statements_for(build_campaign(units=3, members=40, prefix="S"))
    large = statements_for(build_campaign(units=12, members=400, prefix="L"))
    assert small == large
    # The figures read the people (3), the offline records, and each figure's records (with a score:
    # 2), beside the units, the settings, the versions and the attendance: a number set by the
    # activities registered, never by units or members.
    figures = sum(1 + (spec.provider.score is not None) for spec in services.column_specs() if spec.kind == "members")
    assert small["figures"] <= 10 + figures and small["members"] <= 6


def test_dashboard_and_workbook_statements_do_not_grow(app, organiser_client, count_queries):
    """Through the pages: the dashboard (with a stored snapshot for the trend) and the workbook take as
    many statements for 12 units and 400 members as for 3 and 40, and the dashboard shows them all."""
    from datetime import date

    from app.common import clock

    def statements(campaign, units):
        with clock.frozen_at(AS_OF):
            services.take_snapshot(campaign, day=date(2026, 3, 19))
            db.session.commit()
            counts = []
            for path in (f"/participation/{campaign.id}", f"/participation/{campaign.id}/export.xlsx"):
                organiser_client.get(path)  # warm: the settings' first read is not what is counted
                forget_kept(organiser_client.application)  # counted: a view that computes the figures
                with count_queries() as counter:
                    response = organiser_client.get(path)
                assert response.status_code == 200
                counts.append(counter.count)
            page = organiser_client.get(f"/participation/{campaign.id}").get_data(as_text=True)
        assert page.count('class="pt-unit"') == units  # every unit (both data sets'), branches folded under it
        return counts

    small = statements(build_campaign(units=3, members=40, prefix="S"), 3)
    large = statements(build_campaign(units=12, members=400, prefix="L"), 3 + 12)
    assert small == large
    # A computing view reads the people (3 statements) and each figure's records (and score) once,
    # beside the page's own: a number set by the activities registered, never by units or members.
    figures = sum(1 + (spec.provider.score is not None) for spec in services.column_specs() if spec.kind == "members")
    assert small[0] <= 12 + 4 + figures


def test_the_dashboard_shows_a_new_submission_at_once(app, organiser_client):
    """Figures are kept only until a write moves one: a quiz submitted between two views moves the total's quiz
    cell by one participant at once (nothing stale is served)."""
    from datetime import timedelta

    from app.accounts.models import User
    from app.common import clock
    from app.participation.models import ParticipationExemption
    from quizzes.models import Attempt, Quiz

    campaign = build_campaign(units=3, members=40, prefix="N")
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.campaign_id == campaign.id).order_by(Quiz.id))
    took_part = sa.select(Attempt.user_id).join(Quiz, Quiz.id == Attempt.quiz_id).where(
        Quiz.campaign_id == campaign.id)
    exempt = sa.select(ParticipationExemption.user_id)
    newcomer = db.session.scalar(sa.select(sa.func.min(User.id)).where(
        User.staff_id.like("N%"), User.active.is_(True), User.id.not_in(took_part), User.id.not_in(exempt)))

    def quiz_total():
        with clock.frozen_at(AS_OF):
            html = organiser_client.get(f"/participation/{campaign.id}").get_data(as_text=True)
        total = html[html.index('data-unit="total"'):]
        return re.search(r'知识竞赛</span><span class="pt-value">[^<]*</span><span class="pt-n">(\d+)/(\d+)<',
                         total).groups()

    before = quiz_total()
    db.session.execute(sa.insert(Attempt.__table__), [{  # Core, as a submitted attempt leaves it: no open slot
        "quiz_id": quiz.id, "user_id": newcomer, "number": 1, "seed": 1, "started_at": AS_OF - timedelta(hours=2),
        "deadline_at": AS_OF - timedelta(hours=1), "submitted_at": AS_OF - timedelta(hours=1), "open_slot": None,
        "score": 80.0, "max_score": 100.0, "leave_count": 0, "mistakes_booked": False}])
    db.session.commit()
    after = quiz_total()
    assert int(after[0]) == int(before[0]) + 1 and after[1] == before[1]
