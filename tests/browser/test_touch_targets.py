"""Members and liaisons on phones: every control is big enough for a thumb (44 × 44 CSS px), and the
liaison's pages fit 360 px — tables turn into cards, nothing needed hides off to the right."""
import pytest
from playwright.sync_api import expect

from tests.browser import test_quiz_phone as phone_tests
from tests.browser.test_quiz_phone import SMALL_PHONE, choose, saved, sign_in
from tests.quizzes.results_helpers import record_attempt
from tests.support import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

make_bank, make_question, make_quiz = phone_tests.make_bank, phone_tests.make_question, phone_tests.make_quiz
MIN_TARGET = 44

# What a thumb can press: links, buttons, fields, disclosure toggles and labels standing in for a
# hidden control. A radio or checkbox is measured by the label around it, which is what is pressed.
MEASURE = """() => {
  const small = [];
  const targets = document.querySelectorAll(
    'a[href], button, select, textarea, summary, label[for], input:not([type=hidden])');
  for (const el of targets) {
    let box = el;
    if (el.matches('input[type=radio], input[type=checkbox]')) { box = el.closest('label') || el; }
    if (el.matches('input') && el.id && document.querySelector('label[for="' + el.id + '"]')
        && getComputedStyle(el).opacity === '0') { continue; }  /* pressed through its label */
    if (el.matches('label[for]') && !document.getElementById(el.htmlFor)?.matches('input[type=checkbox], input[type=radio]')) { continue; }
    const style = getComputedStyle(box);
    if (style.visibility === 'hidden' || box.closest('[hidden], .hidden')) { continue; }
    const rect = box.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) { continue; }  /* not shown */
    if (rect.width < 43.5 || rect.height < 43.5) {
      small.push(`${box.tagName.toLowerCase()}${box.className ? '.' + box.className : ''} "${(box.innerText || box.value || box.getAttribute('aria-label') || '').trim().slice(0, 20)}" ${Math.round(rect.width)}×${Math.round(rect.height)}`);
    }
  }
  return small;
}"""

HIDDEN_RIGHT = """() => Array.from(document.querySelectorAll('.table-wrap, .tabs'))
  .filter(wrap => wrap.getBoundingClientRect().width > 0 && wrap.scrollWidth > wrap.clientWidth + 1
                  && !wrap.hasAttribute('data-scroll-hint'))
  .map(wrap => wrap.className + ' ' + (wrap.querySelector('table')?.className || ''))"""


STRAY_SCROLLBARS = """() => Array.from(document.querySelectorAll('.table-wrap'))
  .filter(wrap => wrap.getBoundingClientRect().height > 0 && wrap.scrollHeight > wrap.clientHeight + 1)
  .map(wrap => (wrap.querySelector('table')?.className || 'table') + ' ' + (wrap.scrollHeight - wrap.clientHeight))"""


def check_page(page, url):
    page.goto(url)
    assert not page.evaluate(STRAY_SCROLLBARS), f"{url}: a table scrolls up and down inside its frame"
    small = page.evaluate(MEASURE)
    assert not small, f"{url}: controls smaller than {MIN_TARGET}×{MIN_TARGET}: {small}"
    assert not page.evaluate(HIDDEN_RIGHT), f"{url}: a table runs off to the right without a hint"
    assert_no_horizontal_scroll(page)


@pytest.fixture
def liaison_setup(make_bank, make_question, make_quiz, make_member, make_unit, make_staff, live_server):
    office = make_unit("市委办公室")
    branch = make_unit("第一党支部", parent=office)
    bank = make_bank()
    questions = [make_question(bank, "single", stem=f"第{n}题？", options=["甲", "乙", "丙", "丁"], answer="B")
                 for n in range(3)]
    quiz = make_quiz(banks=[bank], fixed=[(question, 10) for question in questions], title="党史知识竞赛",
                     eligible_units=[office], shuffle_questions=False, shuffle_options=False)
    people = [make_member(unit=office, branch=branch, name=name, staff_id=f"00{n}", mobile=f"1380000000{n}")
              for n, name in enumerate(["欧阳建国", "司马相如", "王芳", "李明", "诸葛孔明"], start=1)]
    for person in people[:3]:
        record_attempt(quiz, person, answers=[(questions[0], "B"), (questions[1], "A")])
    make_staff("liaison", unit=office, name="赵联络", staff_id="L001")
    details = {"quiz_id": quiz.id, "liaison": "L001", "member_id": people[3].id}
    live_server.settle()  # read nothing from the session after this: it would hold the server's writes up
    return details


def test_a_liaisons_pages_fit_a_small_phone_and_every_control_fits_a_thumb(live_server, phone_page, liaison_setup):
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    sign_in(page, liaison_setup["liaison"])
    page.wait_for_url(live_server.url("/"))
    quiz = liaison_setup["quiz_id"]
    for path in ["/", "/quizzes/manage/results", f"/quizzes/manage/{quiz}/progress",
                 f"/quizzes/manage/{quiz}/leaderboard", f"/quizzes/manage/{quiz}/absent", "/members/",
                 f"/members/{liaison_setup['member_id']}"]:
        check_page(page, live_server.url(path))

    # on the 未参与名单 each person is a card: name and status visible, no word broken in two
    page.goto(live_server.url(f"/quizzes/manage/{quiz}/absent"))
    card = page.locator("tr", has_text="诸葛孔明")
    expect(card.get_by_text("未开始")).to_be_visible()
    name_box = card.get_by_text("诸葛孔明").bounding_box()
    assert name_box["height"] < 30, "the name wraps mid-word"
    pill = card.locator(".badge").bounding_box()
    assert pill["height"] < 30 and pill["x"] + pill["width"] <= SMALL_PHONE["width"]


def test_a_members_pages_have_thumb_sized_controls(live_server, phone_page, make_member, make_unit, make_bank,
                                                     make_question, make_quiz):
    setup = phone_tests.quiz_setup.__wrapped__(make_bank, make_question, make_quiz, make_member, make_unit,
                                               live_server)
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    check_page(page, live_server.url("/login"))
    sign_in(page, setup["staff_id"])
    page.wait_for_url(live_server.url("/"))
    for path in ["/", "/quizzes/", f"/quizzes/{setup['quiz_id']}", "/quizzes/practice/", "/preferences"]:
        check_page(page, live_server.url(path))
    page.goto(live_server.url(f"/quizzes/{setup['quiz_id']}"))
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_url("**/quizzes/attempts/*")
    assert not page.evaluate(MEASURE)
    choose(page, 1, "上海")
    saved(page)
    page.get_by_role("button", name="交卷").click()
    page.get_by_role("button", name="确认交卷").click()
    page.wait_for_url("**/result")
    assert not page.evaluate(MEASURE), page.evaluate(MEASURE)
    for path in ["/quizzes/practice/wrong"]:
        check_page(page, live_server.url(path))


def test_resetting_a_password_and_deactivating_ask_first_naming_the_person(live_server, phone_page, liaison_setup):
    from app.accounts.models import User
    from app.extensions import db

    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    sign_in(page, liaison_setup["liaison"])
    page.wait_for_url(live_server.url("/"))
    page.goto(live_server.url(f"/members/{liaison_setup['member_id']}"))

    def password_hash():
        db.session.commit()
        value = db.session.get(User, liaison_setup["member_id"]).password_hash
        db.session.commit()  # no transaction left open to hold the server's writes up
        return value

    before = password_hash()
    page.locator("summary", has_text="重置密码").click()
    expect(page.get_by_text("确定重置 李明（工号 004）的密码吗？")).to_be_visible()
    assert not page.evaluate(MEASURE)
    assert password_hash() == before  # nothing done yet
    page.get_by_role("button", name="确认重置 李明 的密码").click()
    expect(page.get_by_text("临时密码：")).to_be_visible()
    assert password_hash() != before
    expect(page.get_by_text("初始密码")).to_have_count(0)

    page.goto(live_server.url(f"/members/{liaison_setup['member_id']}"))
    page.locator("summary", has_text="停用账号").click()
    expect(page.get_by_text("确定停用 李明（工号 004）的账号吗？")).to_be_visible()
    page.get_by_role("button", name="确认停用 李明").click()
    expect(page.locator("h1 .badge")).to_have_text("已停用")
    db.session.commit()
    assert db.session.get(User, liaison_setup["member_id"]).active is False
    db.session.commit()


UNBROKEN_DATES = r"""() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (/\d{4}-\d{2}-\d{2}/.test(node.textContent) && !node.parentElement.closest('.nowrap, td.nowrap')) {
      broken.push(node.textContent.trim());
    }
  }
  return broken;
}"""


def test_the_home_page_never_breaks_a_date_on_a_small_phone(live_server, phone_page, make_member, make_unit,
                                                           make_bank, make_question, make_quiz):
    setup = phone_tests.quiz_setup.__wrapped__(make_bank, make_question, make_quiz, make_member, make_unit,
                                               live_server)
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    sign_in(page, setup["staff_id"])
    page.wait_for_url(live_server.url("/"))
    expect(page.locator(".home-campaign")).to_be_visible()
    for path in ["/", "/quizzes/"]:
        page.goto(live_server.url(path))
        assert not page.evaluate(UNBROKEN_DATES), path
        for box in page.locator("main .nowrap").all():
            assert box.bounding_box()["height"] < 30, box.inner_text()


def test_on_a_tablet_the_liaisons_tables_stay_tables_with_thumb_sized_links(live_server, tablet_page, liaison_setup):
    page = tablet_page
    page.goto(live_server.url("/login"))
    sign_in(page, liaison_setup["liaison"])
    page.wait_for_url(live_server.url("/"))
    quiz = liaison_setup["quiz_id"]
    for path in ["/quizzes/manage/results", f"/quizzes/manage/{quiz}/leaderboard", f"/quizzes/manage/{quiz}/absent",
                 "/members/"]:
        check_page(page, live_server.url(path))
