"""Warm-up (app/common/warm_up.py, gunicorn.conf.py): a fresh worker works out the running campaigns'
participation figures before its first request, so the first dashboard view reads nothing; a warm-up
that fails is logged and the others still run; SAISHI_WARM_UP=0 turns it off; `flask warm-up` says how
long each took."""
import logging
import runpy
from datetime import timedelta
from pathlib import Path

import pytest

from app import hooks
from app.common import clock
from app.common.warm_up import warm_up
from app.participation import tally
from tests.participation.pages_data import populate, settings

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


class _Worker:
    def __init__(self, app):
        self.wsgi, self.messages, self.beats = app, [], 0
        self.log = self

    def info(self, message, *args):
        self.messages.append(message % args)

    def notify(self):
        self.beats += 1


@pytest.fixture
def people_read(monkeypatch):
    """How many times the engine read the people whole."""
    reads = []
    init = tally.People.__init__

    def counting(self):
        reads.append(1)
        init(self)

    monkeypatch.setattr(tally.People, "__init__", counting)
    return reads


def test_a_worker_warmed_by_gunicorns_hook_serves_the_first_dashboard_from_what_it_keeps(
        app, make_unit, make_member, make_campaign, organiser_client, people_read, monkeypatch):
    today = clock.local_today()
    running = make_campaign(starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=3))
    make_campaign("已结束的活动", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=60))
    populate(make_unit, make_member, running, units=2, per_unit=3)
    settings(running, quiz=(True, 70, 1))
    monkeypatch.delenv("SAISHI_WARM_UP", raising=False)
    worker = _Worker(app)
    runpy.run_path(str(CONFIG))["post_worker_init"](worker)
    assert people_read == [1]
    assert worker.beats >= 1  # the heartbeat before each task: a long warm-up is not a stuck worker
    assert worker.messages and worker.messages[0].startswith("warmed up: participation.running_campaigns ")
    assert {slot[1] for slot in app.extensions[tally.STORE] if len(slot) > 1} == {running.id}  # not the old one
    response = organiser_client.get(f"/participation/{running.id}")
    assert response.status_code == 200 and "数据截至" in response.get_data(as_text=True)
    assert people_read == [1]  # the first view: nothing read again


def test_warm_up_can_be_turned_off_and_a_failing_task_does_not_stop_the_others(app, monkeypatch, caplog):
    ran = []
    hooks.add_warm_up(app, "a.fails", lambda: 1 / 0)
    hooks.add_warm_up(app, "b.works", lambda: ran.append(1))
    monkeypatch.setenv("SAISHI_WARM_UP", "0")
    worker = _Worker(app)
    runpy.run_path(str(CONFIG))["post_worker_init"](worker)
    assert ran == [] and worker.messages == []
    with caplog.at_level(logging.ERROR, logger="app.common.warm_up"):
        took = warm_up(app)
    assert took["a.fails"] is None and took["b.works"] >= 0 and ran == [1]
    assert "warm-up a.fails failed" in caplog.text
    result = app.test_cli_runner().invoke(args=["warm-up"])
    assert result.exit_code == 0
    assert "a.fails: failed (see the log)" in result.output and "b.works: " in result.output


def test_the_participation_warm_up_starts_no_campaign_past_its_time(app, make_campaign, people_read, monkeypatch):
    from app.participation import snapshots

    today = clock.local_today()
    make_campaign(starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=3))
    monkeypatch.setattr(snapshots, "WARM_UP_SECONDS", -1)  # as if the first campaign had taken all the time
    snapshots.warm_running_campaigns()
    assert people_read == [] and not app.extensions.get(tally.STORE)
