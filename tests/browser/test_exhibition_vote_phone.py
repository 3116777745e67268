"""A member on a 360 px phone votes for a work in the gallery: a double tap sends one vote, the button
says 已投票, and no count is shown before the organiser shows the counts."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.common.clock import to_local, utcnow
from app.extensions import db
from events.exhibition.award_models import ExhibitionVote
from events.exhibition.services import votes
from tests.browser.test_exhibition_phone import sign_in
from tests.events.exhibition.awards_support import accepted_work
from tests.events.exhibition.helpers import category, new_exhibition

pytestmark = pytest.mark.browser


def test_a_double_tap_on_a_small_phone_casts_one_vote(live_server, browser_page, make_campaign, make_member,
                                                      organiser):
    exhibition = new_exhibition(make_campaign())
    work = accepted_work(exhibition, category(exhibition, "摄影"), make_member(name="作者丁"), "江边晨曦")
    now = to_local(utcnow()).replace(tzinfo=None)
    votes.set_voting(organiser, exhibition, now - timedelta(hours=1), now + timedelta(days=2), 3)
    db.session.commit()
    voter = make_member(name="观众戊")
    work_id, login = work.id, voter.staff_id
    live_server.settle()

    page = browser_page("Pixel 7", viewport={"width": 360, "height": 740})
    sign_in(page, live_server, login)
    page.goto(live_server.url(f"/exhibition/works/{work_id}"))
    button = page.get_by_role("button", name="投一票")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sideways at 360 px
    assert "得票" not in page.content()
    button.dblclick()
    expect(page.locator(".vote-state")).to_have_text("投票成功，谢谢！")
    expect(page.locator(".vote-button")).to_have_text("已投票")
    expect(page.locator(".vote-button")).to_be_disabled()
    page.reload()
    expect(page.locator(".vote-box .badge.ok")).to_have_text("已投票")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExhibitionVote)) == 1
