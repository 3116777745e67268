"""app/participation/tally, the dashboard's tallies from parts kept in the worker: the same rows as
the rule written as one SQL statement (reference_tallies.py) on data with transfers, a member leaving, a member with no
history, exemptions of every kind, offline records and records dated after the view; and what the clock
alone changes shows with no write — a record dated later, an exemption ending, a period starting."""
import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.common import clock
from app.common.clock import from_local, utcnow
from app.extensions import db
from app.participation import services, tally
from app.participation.models import MemberPeriod, OfflineParticipation, ParticipationExemption
from app.participation.settings import MEMBERS, column_specs
from app.participation.tally import member_keys
from app.participation.tally.reading import _cents
from app.units.models import Unit
from quizzes.models import Attempt, Quiz
from tests.participation.bulk import START, build_campaign
from tests.participation.helpers import approved_exemption
from tests.participation.pages_data import populate, settings, submit
from tests.participation.reference_tallies import credits, reference_tallies, roster
from tests.support import forget_kept


def _rows(rows) -> Counter:
    return Counter((row.part, row.key, row.unit_id, row.branch_id, row.flag, row.here_unit, row.here_branch,
                    row.number, row.cents) for row in rows)


def _shake(campaign) -> None:
    """Transfers (some after the as-of instants below), a member leaving, a member with no history,
    exemptions (pending, ended, for every campaign), offline records (beside online ones, alone, for a
    figure that is not registered) and quiz submissions dated after the as-of instants."""
    rng = random.Random(14)
    base = from_local(datetime(2026, 3, 1, 9))
    people = db.session.execute(sa.select(User.id, User.unit_id, User.branch_id)
                                .where(User.staff_id.like("T%")).order_by(User.id)).all()
    tops = db.session.scalars(sa.select(Unit.id).where(Unit.parent_id.is_(None), Unit.name.like("T%"))
                              .order_by(Unit.id)).all()
    for user_id, unit_id, _branch in rng.sample(people, 30):
        moved = base + timedelta(hours=rng.randrange(0, 24 * 25))
        target = rng.choice([top for top in tops if top != unit_id])
        branch = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id == target).order_by(Unit.id))
        db.session.execute(sa.update(MemberPeriod).where(MemberPeriod.user_id == user_id,
                                                         MemberPeriod.valid_to.is_(None)).values(valid_to=moved))
        db.session.execute(sa.insert(MemberPeriod).values(user_id=user_id, unit_id=target,
                                                          branch_id=branch if rng.random() < 0.5 else None,
                                                          active=rng.random() < 0.9, valid_from=moved))
        db.session.execute(sa.update(User).where(User.id == user_id).values(unit_id=target))
    leaver = people[3][0]
    db.session.execute(sa.update(MemberPeriod).where(MemberPeriod.user_id == leaver, MemberPeriod.valid_to.is_(None))
                       .values(valid_to=base + timedelta(days=4)))
    db.session.execute(sa.insert(User).values(staff_id="T_NOHISTORY", name="无履历", unit_id=tops[0],
                                              password_hash="x", must_change_password=False,
                                              created_at=base + timedelta(days=6), updated_at=base))
    for index, (user_id, _unit, _branch) in enumerate(people[10:40]):
        db.session.add(ParticipationExemption(
            user_id=user_id, campaign_id=None if index % 4 == 0 else campaign.id, kind="sick_leave", reason="病休",
            starts_on=START + timedelta(days=index % 9), ends_on=START + timedelta(days=8 + index % 12),
            status="pending" if index % 5 == 0 else "approved"))
    for index, (user_id, unit_id, _branch) in enumerate(people[40:70]):
        day = START + timedelta(days=index % 20)
        db.session.add(OfflineParticipation(
            campaign_id=campaign.id, provider_key=("quiz", "speech_registered", "meet", "nonesuch")[index % 4],
            user_id=user_id, unit_id=unit_id if index % 3 else None, took_part_on=day,
            took_part_at=from_local(datetime.combine(day, datetime.min.time())) + timedelta(hours=12),
            source="written_quiz", status="approved" if index % 6 else "pending"))
    quiz_id = db.session.scalar(sa.select(Quiz.id).where(Quiz.campaign_id == campaign.id).order_by(Quiz.id))
    for number, (user_id, _unit, _branch) in enumerate(people[70:90]):
        late = base + timedelta(days=10 + number)
        db.session.execute(sa.insert(Attempt.__table__).values(
            quiz_id=quiz_id, user_id=user_id, number=9, seed=1, started_at=late, deadline_at=late,
            submitted_at=late, open_slot=None, score=61.25 + number, max_score=100.0, leave_count=0,
            mistakes_booked=False))
    db.session.commit()


def test_the_kept_parts_give_the_rows_of_the_rule_as_one_statement(app):
    campaign = build_campaign(units=4, members=240, prefix="T")
    _shake(campaign)
    specs = [spec for spec in column_specs() if spec.kind == MEMBERS]
    keys = member_keys(specs)
    for as_of in (from_local(datetime(2026, 3, 2, 9)), from_local(datetime(2026, 3, 9, 12)),
                  from_local(datetime(2026, 3, 20, 12)), from_local(datetime(2026, 4, 30, 12))):
        for required, coverage in ((["quiz"], set(keys)), (["quiz", "meet"], set(keys) - {"quiz_practice"}),
                                   ([], set())):
            expected = _rows(reference_tallies(campaign, as_of, specs, required=required, coverage_keys=coverage))
            assert _rows(tally.tallies(campaign, as_of, specs, required=required, coverage_keys=coverage)) == expected
            forget_kept(app)  # and worked out afresh, not only from what an earlier as-of kept
            assert _rows(tally.tallies(campaign, as_of, specs, required=required, coverage_keys=coverage)) == expected
        # The member lists' side: where each member stands and what each is credited with.
        assert tally.roster_places(campaign, as_of) == roster(as_of)
        assert tally.member_credits(campaign, as_of, specs) == credits(campaign, as_of, specs)
        some = set(list(roster(as_of))[::7])
        assert tally.member_credits(campaign, as_of, specs, some) == credits(campaign, as_of, specs, some)
    # Later instants first too: a part kept for a later as-of is never used for an earlier one.
    for as_of in (from_local(datetime(2026, 3, 25, 12)), from_local(datetime(2026, 3, 5, 12))):
        expected = _rows(reference_tallies(campaign, as_of, specs, required=["quiz"], coverage_keys=set(keys)))
        assert _rows(tally.tallies(campaign, as_of, specs, required=["quiz"], coverage_keys=set(keys))) == expected


def test_a_roster_change_recredits_only_the_members_it_changed(app, monkeypatch):
    """After members move (users and their history), the figures are those of the rule, and each
    figure's credits are carried over with only the moved members worked out again."""
    campaign = build_campaign(units=3, members=90, prefix="T")
    _shake(campaign)
    specs = [spec for spec in column_specs() if spec.kind == MEMBERS]
    keys = member_keys(specs)
    as_of = utcnow()
    tally.tallies(campaign, as_of, specs, required=["quiz"], coverage_keys=set(keys))
    made = []
    init, rebased = tally.Credited.__init__, tally.Credited.rebased

    def counting_init(self, *args):
        made.append("built")
        init(self, *args)

    def counting_rebased(self, *args):
        made.append("rebased")
        return rebased(self, *args)

    monkeypatch.setattr(tally.Credited, "__init__", counting_init)
    monkeypatch.setattr(tally.Credited, "rebased", counting_rebased)
    from app.participation.history import record_membership

    movers = db.session.scalars(sa.select(User.id).where(User.staff_id.like("T%")).order_by(User.id).limit(4)).all()
    target = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id.is_(None), Unit.name.like("T%"))
                               .order_by(Unit.id.desc()))
    db.session.execute(sa.update(User).where(User.id.in_(movers)).values(unit_id=target, branch_id=None))
    record_membership(movers, now=as_of - timedelta(days=20))  # moved back in time: their credits move too
    # And a history-only correction: a member's first weeks were in another unit (their row unchanged).
    one_period = (sa.select(MemberPeriod.user_id).group_by(MemberPeriod.user_id)
                  .having(sa.func.count() == 1))
    corrected = db.session.scalar(sa.select(Attempt.user_id).where(Attempt.user_id.not_in(movers),
                                                                   Attempt.user_id.in_(one_period))
                                  .order_by(Attempt.user_id))
    open_period = db.session.scalar(sa.select(MemberPeriod).where(MemberPeriod.user_id == corrected,
                                                                  MemberPeriod.valid_to.is_(None)))
    split = as_of - timedelta(days=5)
    elsewhere = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id.is_(None), Unit.name.like("T%"),
                                                           Unit.id != open_period.unit_id).order_by(Unit.id))
    db.session.add(MemberPeriod(user_id=corrected, unit_id=elsewhere, branch_id=None, active=True,
                                valid_from=open_period.valid_from, valid_to=split))
    open_period.valid_from = split
    db.session.commit()
    expected = _rows(reference_tallies(campaign, as_of, specs, required=["quiz"], coverage_keys=set(keys)))
    assert _rows(tally.tallies(campaign, as_of, specs, required=["quiz"], coverage_keys=set(keys))) == expected
    assert made == ["rebased"] * len(keys)
    assert tally.member_credits(campaign, as_of, specs) == credits(campaign, as_of, specs)


def test_a_run_of_writes_is_followed_member_by_member_and_stays_the_rule(app, monkeypatch):
    """Submissions (a first one, a second by the same member, one dated later), a check-in and a move,
    each followed by a view: every view has the rule's rows (and credits), and after the first one the
    figures, their groups and "at least one"/coverage are carried over, never worked out whole."""
    from events.checkin.models import CheckinEvent, CheckinRecord

    campaign = build_campaign(units=3, members=90, prefix="T")
    _shake(campaign)
    specs = [spec for spec in column_specs() if spec.kind == MEMBERS]
    keys = member_keys(specs)
    as_of = utcnow()
    wanted = {"required": ["quiz", "meet"], "coverage_keys": set(keys) - {"quiz_practice"}}
    made = []
    for name in ("__init__", "rebased", "extended"):
        original = getattr(tally.Credited, name)
        monkeypatch.setattr(tally.Credited, name, lambda self, *args, original=original, name=name: (
            made.append(name), original(self, *args))[1])
    combined = tally.Combined.__init__
    monkeypatch.setattr(tally.Combined, "__init__", lambda self, *args, **kwargs: (
        made.append("combined whole"), combined(self, *args, **kwargs))[1])

    def view():
        rows = _rows(tally.tallies(campaign, as_of, specs, **wanted))
        assert rows == _rows(reference_tallies(campaign, as_of, specs, **wanted))
        assert tally.member_credits(campaign, as_of, specs) == credits(campaign, as_of, specs)

    view()
    assert made.count("__init__") == len(keys) and made.count("combined whole") == 1
    quiz_id = db.session.scalar(sa.select(Quiz.id).where(Quiz.campaign_id == campaign.id).order_by(Quiz.id))
    idle = db.session.scalars(sa.select(User.id).where(User.staff_id.like("T%"), User.id.not_in(
        sa.select(Attempt.user_id))).order_by(User.id)).all()
    keen = db.session.scalar(sa.select(Attempt.user_id).where(Attempt.quiz_id == quiz_id).order_by(Attempt.user_id))

    def attempt(user_id, at, number=1):
        db.session.execute(sa.insert(Attempt.__table__).values(
            quiz_id=quiz_id, user_id=user_id, number=number, seed=1, started_at=at, deadline_at=at, submitted_at=at,
            open_slot=None, score=77.5, max_score=100.0, leave_count=0, mistakes_booked=False))
        db.session.commit()

    made.clear()
    attempt(idle[0], as_of - timedelta(hours=3))  # a first submission
    view()
    attempt(keen, as_of - timedelta(hours=2), number=7)  # a member's second: nothing moves for them
    view()
    attempt(idle[1], as_of + timedelta(days=2))  # dated after the view
    view()
    event = db.session.scalar(sa.select(CheckinEvent).where(CheckinEvent.campaign_id == campaign.id)
                              .order_by(CheckinEvent.id))
    absent = db.session.scalar(sa.select(User.id).where(User.staff_id.like("T%"), User.id.not_in(
        sa.select(CheckinRecord.user_id))).order_by(User.id))  # never checked in anywhere
    db.session.add(CheckinRecord(event_id=event.id, user_id=absent, kind="check_in", method="manual",
                                 checked_at=event.starts_at))
    db.session.commit()
    view()
    db.session.execute(sa.update(User).where(User.id == idle[0]).values(unit_id=db.session.scalar(
        sa.select(Unit.id).where(Unit.parent_id.is_(None), Unit.name.like("T%")).order_by(Unit.id.desc()))))
    from app.participation.history import record_membership

    record_membership([idle[0]], now=as_of - timedelta(days=1))
    db.session.commit()
    view()
    assert made.count("__init__") == 0 and made.count("combined whole") == 0, made
    assert {"extended", "rebased"} <= set(made)


def _people_state(people) -> tuple:
    return (people.users, people.unrecorded, people.periods, people.single, people.starts,
            {user_id: spans for user_id, spans in people.exemptions.items() if spans}, people.boundaries)


def test_the_people_patched_from_the_log_are_the_people_read_afresh(app, make_user):
    """People.patched, for the members the people's change log names: a move (the ORM and the history
    writer, as the roster page does it), a member leaving, a new member with no history, an exemption
    approved and one withdrawn, a member deleted: the same people as a fresh read, boundaries included."""
    from app.common import data_versions
    from app.participation.freshness import PEOPLE_DATA
    from app.participation.history import record_membership

    campaign = build_campaign(units=3, members=60, prefix="T")
    _shake(campaign)
    organiser = make_user(roles=["organiser"], staff_id="ORG_PATCH")
    version = data_versions.current(PEOPLE_DATA)
    before = tally.People()
    members = db.session.scalars(sa.select(User).where(User.staff_id.like("T%")).order_by(User.id)).all()
    target = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id.is_(None), Unit.name.like("T%"))
                               .order_by(Unit.id.desc()))
    mover = next(member for member in members[5:] if member.unit_id != target)
    leaver, exempt, gone = [member for member in members[5:] if member is not mover][:3]
    mover.unit_id, mover.branch_id = target, None
    leaver.active = False
    record_membership([mover.id, leaver.id])
    newcomer = User(staff_id="T_NEW", name="新成员", unit_id=target, password_hash="x", must_change_password=False)
    db.session.add(newcomer)
    db.session.commit()
    withdrawn = db.session.scalar(sa.select(ParticipationExemption).where(ParticipationExemption.status == "approved")
                                  .order_by(ParticipationExemption.id))
    db.session.delete(withdrawn)
    db.session.commit()
    approved_exemption(organiser, exempt, campaign, START)
    with data_versions.changing(PEOPLE_DATA, [gone.id]):  # a member deleted, by set-based statements
        db.session.execute(sa.delete(MemberPeriod).where(MemberPeriod.user_id == gone.id))
        db.session.execute(sa.delete(User).where(User.id == gone.id))
    db.session.commit()
    logged = data_versions.changed_keys(PEOPLE_DATA, version, data_versions.current(PEOPLE_DATA))
    assert logged is not None and {mover.id, leaver.id, newcomer.id, exempt.id, withdrawn.user_id, gone.id} <= logged
    patched, fresh = before.patched(logged), tally.People()
    assert _people_state(patched) == _people_state(fresh)
    assert _people_state(before) != _people_state(fresh)  # the people read before are left as they were
    changed, touched = patched.changes_from(before, among=logged)
    assert {mover.id, leaver.id, newcomer.id, gone.id} <= changed and exempt.id not in changed
    assert touched == logged


def test_a_roster_change_by_the_roster_page_reads_only_the_members_it_changed(app, make_user, monkeypatch):
    """A move, a deactivation and an exemption written the way the pages write them: each following view
    has the rule's rows and credits, with the people patched (never read whole) and the roster carried
    over (never worked out whole)."""
    from app.participation.history import record_membership

    campaign = build_campaign(units=3, members=90, prefix="T")
    _shake(campaign)
    organiser = make_user(roles=["organiser"], staff_id="ORG_PATCH")
    specs = [spec for spec in column_specs() if spec.kind == MEMBERS]
    keys = member_keys(specs)
    as_of = utcnow()
    wanted = {"required": ["quiz", "meet"], "coverage_keys": set(keys) - {"quiz_practice"}}

    def view():
        rows = _rows(tally.tallies(campaign, as_of, specs, **wanted))
        assert rows == _rows(reference_tallies(campaign, as_of, specs, **wanted))
        assert tally.member_credits(campaign, as_of, specs) == credits(campaign, as_of, specs)
        assert tally.roster_places(campaign, as_of) == roster(as_of)

    view()
    made = []
    for owner, name in ((tally.People, "__init__"), (tally.Roster, "__init__"), (tally.Credited, "__init__")):
        original = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda self, *args, original=original, owner=owner: (
            made.append(owner.__name__), original(self, *args))[1])
    members = db.session.scalars(sa.select(User).where(User.staff_id.like("T%"), User.active.is_(True))
                                 .order_by(User.id)).all()
    target = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id.is_(None), Unit.name.like("T%"))
                               .order_by(Unit.id.desc()))
    mover = next(member for member in members if member.unit_id != target)
    mover.unit_id, mover.branch_id = target, None
    record_membership([mover.id], now=as_of - timedelta(days=2))
    db.session.commit()
    view()
    members[11].active = False
    record_membership([members[11].id], now=as_of - timedelta(hours=1))
    db.session.commit()
    view()
    approved_exemption(organiser, members[50], campaign, START)
    view()
    assert made == [], made


@pytest.fixture
def campaign_now(make_unit, make_member, make_campaign):
    """A running campaign: one unit, four members (two have submitted the quiz), the quiz required."""
    today = clock.local_today()
    campaign = make_campaign(starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))
    _units, people, quiz = populate(make_unit, make_member, campaign, units=1, per_unit=4)
    settings(campaign, quiz=(True, 70, 1))
    return campaign, people, quiz


def _quiz(campaign):
    db.session.expire_all()
    return services.campaign_figures(campaign).total.figures["quiz"]


def test_a_record_dated_later_counts_once_the_clock_passes_it_with_no_write(app, campaign_now):
    campaign, people, quiz = campaign_now
    now = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)  # after everything populate wrote
    submit(quiz, people[1], at=now + timedelta(minutes=10))  # dated later (a clock a little ahead, say)
    with clock.frozen_at(now + timedelta(seconds=5)):
        assert (_quiz(campaign).count, _quiz(campaign).of) == (2, 4)
    with clock.frozen_at(now + timedelta(minutes=11)):
        assert (_quiz(campaign).count, _quiz(campaign).of) == (3, 4)


def test_an_exemption_ending_today_puts_the_member_back_tomorrow_with_no_write(app, campaign_now, organiser):
    from app.participation import exemptions
    from app.participation.exemptions import ExemptionData

    campaign, people, _ = campaign_now
    today = clock.local_today()
    exemption = exemptions.enter_exemption(organiser, db.session.get(User, people[3].id), ExemptionData(
        "sick_leave", "长期病休", today - timedelta(days=3), today, campaign.id))
    exemptions.decide_exemptions(organiser, [exemption], "approved")
    db.session.commit()
    midnight = from_local(datetime.combine(today + timedelta(days=1), datetime.min.time()))
    with clock.frozen_at(midnight - timedelta(minutes=1)):
        assert _quiz(campaign).of == 3
    with clock.frozen_at(midnight + timedelta(minutes=1)):
        assert _quiz(campaign).of == 4


def test_a_member_whose_period_starts_later_is_counted_from_then_with_no_write(app, campaign_now, make_member):
    campaign, people, _ = campaign_now
    now = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)  # after everything populate wrote
    joining = make_member(unit=db.session.get(Unit, people[0].unit_id), mobile=None)
    db.session.add(MemberPeriod(user_id=joining.id, unit_id=joining.unit_id, branch_id=None, active=True,
                                valid_from=now + timedelta(hours=1)))
    db.session.commit()
    with clock.frozen_at(now + timedelta(minutes=1)):
        assert _quiz(campaign).of == 4
    with clock.frozen_at(now + timedelta(hours=1, minutes=1)):
        assert _quiz(campaign).of == 5


def test_parts_for_another_day_leave_todays_kept(app, campaign_now):
    """Figures for an earlier instant (a snapshot, the notice's 截至) are worked out from the kept
    records without replacing what today's views keep."""
    campaign, _people, _ = campaign_now
    assert _quiz(campaign).count == 2
    kept = dict(app.extensions[tally.STORE])
    earlier = utcnow() - timedelta(minutes=30)  # after the submissions (an hour ago)
    assert services.campaign_figures(campaign, as_of=earlier).total.figures["quiz"].count == 2
    assert services.campaign_figures(campaign, as_of=earlier - timedelta(hours=1)).total.figures["quiz"].count == 0
    for slot, held in kept.items():
        assert app.extensions[tally.STORE][slot] is held


def test_a_long_provider_key_gets_a_short_version_name():
    from app.participation.freshness import figure_data

    assert figure_data("quiz") == "participation:quiz"
    long = figure_data("exhibition_submitted_by_the_members_of_every_unit")
    assert len(long) <= 40 and long.startswith("participation:")
    assert figure_data("带中文的键") != figure_data("another") and len(figure_data("带中文的键")) <= 40


@pytest.mark.parametrize("score, cents", [(80.0, 8000), (61.25, 6125), (70.125, 7013), (None, None), (0, 0)])
def test_scores_are_whole_cents(score, cents):
    assert _cents(score) == cents


def test_dates_of_the_window(app):
    """People.next_change: the first period boundary after as-of, or the next Shanghai midnight."""
    with app.app_context():
        people = tally.People()
    as_of = from_local(datetime(2026, 3, 5, 23, 30))
    assert people.next_change(as_of) <= from_local(datetime(2026, 3, 6, 0, 0))
    assert date(2026, 3, 6) == clock.to_local(from_local(datetime(2026, 3, 6, 0, 0))).date()


def test_a_worker_keeps_the_parts_of_a_few_campaigns(app, make_campaign, monkeypatch):
    """The parts of the least recently viewed campaign beyond CAMPAIGNS_KEPT are dropped (memory)."""
    monkeypatch.setattr(tally, "CAMPAIGNS_KEPT", 2)
    specs = [spec for spec in column_specs() if spec.kind == MEMBERS]
    campaigns = [make_campaign(f"第{number}期") for number in range(3)]
    for campaign in (campaigns[0], campaigns[1], campaigns[0], campaigns[2]):
        tally.tallies(campaign, utcnow(), specs, required=[], coverage_keys=set())
    held = {slot[1] for slot in app.extensions[tally.STORE] if len(slot) > 1}
    assert held == {campaigns[0].id, campaigns[2].id}
