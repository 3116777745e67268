"""Roster pages: who sees whom, searching, editing, deactivating, password resets and roles."""
import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.extensions import db
from tests.members.helpers import snapshot
from tests.support import DEFAULT_PASSWORD, log_in


@pytest.fixture
def two_units(make_unit, make_member, make_staff):
    """Unit A with a branch, its liaison and members; unit B with one member."""
    unit_a, unit_b = make_unit("市委办公室"), make_unit("市委组织部")
    branch = make_unit("第一党支部", parent=unit_a)
    world = {
        "unit_a": unit_a, "unit_b": unit_b, "branch": branch,
        "liaison": make_staff("liaison", unit=unit_a, name="联络员甲", staff_id="L0001"),
        "alice": make_member(unit=unit_a, branch=branch, name="张伟", staff_id="A0001", mobile="13800138001"),
        "zhang2": make_member(unit=unit_a, name="张伟", staff_id="A0002", mobile="13800138002"),
        "bob": make_member(unit=unit_b, name="李娜", staff_id="B0001", mobile="13900139001"),
    }
    return world


def page_text(response):
    return response.get_data(as_text=True)


def test_organiser_sees_everyone_and_can_search_and_filter(organiser_client, two_units):
    everyone = page_text(organiser_client.get("/members/"))
    assert all(staff_id in everyone for staff_id in ("A0001", "A0002", "B0001", "L0001"))
    assert "共 4 人" in everyone

    by_name = page_text(organiser_client.get("/members/?q=张伟"))
    assert "A0001" in by_name and "A0002" in by_name and "B0001" not in by_name
    assert "B0001" in page_text(organiser_client.get("/members/?q=139001"))  # part of a mobile
    by_staff_id = page_text(organiser_client.get("/members/?q=a0002"))
    assert "A0002" in by_staff_id and "A0001" not in by_staff_id

    by_unit = page_text(organiser_client.get(f"/members/?unit={two_units['unit_b'].id}"))
    assert "B0001" in by_unit and "A0001" not in by_unit
    by_branch = page_text(organiser_client.get(f"/members/?branch={two_units['branch'].id}"))
    assert "A0001" in by_branch and "A0002" not in by_branch
    assert "共 0 人" in page_text(organiser_client.get("/members/?q=%25"))  # LIKE wildcards are literal


def test_active_filter_and_staff_accounts(organiser_client, two_units, make_staff):
    two_units["bob"].active = False
    db.session.commit()
    make_staff("judge", name="外聘评委", staff_id="J0001")
    assert "B0001" not in page_text(organiser_client.get("/members/?active=1"))
    inactive = page_text(organiser_client.get("/members/?active=0"))
    assert "B0001" in inactive and "A0001" not in inactive
    assert "J0001" not in page_text(organiser_client.get("/members/"))
    staff = page_text(organiser_client.get("/members/?unit=none"))
    assert "J0001" in staff and "A0001" not in staff


def test_pagination(organiser_client, make_unit, app):
    unit = make_unit("大单位")
    db.session.execute(sa.insert(User), [
        {"staff_id": f"P{n:04d}", "name": f"成员{n}", "unit_id": unit.id, "password_hash": "x"} for n in range(120)])
    db.session.commit()
    first = page_text(organiser_client.get("/members/"))
    assert "共 120 人" in first and "P0000" in first and "P0050" not in first
    third = page_text(organiser_client.get("/members/?page=3"))
    assert "P0100" in third and "P0000" not in third
    assert organiser_client.get("/members/?page=99999999999999999999").status_code == 200


def test_list_page_runs_a_fixed_number_of_queries(organiser_client, make_unit, count_queries):
    def queries_for_page():
        with count_queries() as counter:
            assert organiser_client.get("/members/").status_code == 200
        return counter.count

    unit = make_unit("单位一")
    branch = make_unit("支部一", parent=unit)
    db.session.execute(sa.insert(User), [{"staff_id": f"Q{n:03d}", "name": f"成员{n}", "unit_id": unit.id,
                                          "branch_id": branch.id, "password_hash": "x"} for n in range(3)])
    db.session.commit()
    few = queries_for_page()
    for number in range(2, 12):
        other = make_unit(f"单位{number}")
        other_branch = make_unit("支部", parent=other)
        db.session.execute(sa.insert(User), [{"staff_id": f"Q{number:02d}{n:03d}", "name": "某人", "unit_id": other.id,
                                              "branch_id": other_branch.id, "password_hash": "x"} for n in range(5)])
    db.session.commit()
    assert queries_for_page() == few


def test_liaison_sees_and_manages_only_their_unit(client_for, two_units):
    client = client_for(two_units["liaison"])
    listing = page_text(client.get("/members/"))
    assert "A0001" in listing and "A0002" in listing and "B0001" not in listing
    assert "B0001" not in page_text(client.get(f"/members/?unit={two_units['unit_b'].id}"))
    assert "共 0 人" in page_text(client.get("/members/?q=B0001"))

    bob = two_units["bob"]
    before = snapshot()
    for method, path in [("get", f"/members/{bob.id}"), ("get", f"/members/{bob.id}/edit"),
                         ("post", f"/members/{bob.id}/edit"), ("post", f"/members/{bob.id}/deactivate"),
                         ("post", f"/members/{bob.id}/reactivate"), ("post", f"/members/{bob.id}/reset-password"),
                         ("post", f"/members/{bob.id}/roles")]:
        response = getattr(client, method)(path, data={"name": "改", "staff_id": "X1", "unit_id": bob.unit_id})
        assert response.status_code in (403, 404), (method, path, response.status_code)
    assert snapshot() == before

    alice = two_units["alice"]
    assert client.get(f"/members/{alice.id}").status_code == 200
    reset = client.post(f"/members/{alice.id}/reset-password")
    assert reset.status_code == 200


def test_liaison_cannot_move_members_out_or_create_in_another_unit(client_for, two_units):
    client = client_for(two_units["liaison"])
    alice, unit_b = two_units["alice"], two_units["unit_b"]
    before = snapshot()
    moved = client.post(f"/members/{alice.id}/edit", data={"name": "张伟", "staff_id": "A0001", "unit_id": unit_b.id,
                                                          "branch_id": 0})
    assert moved.status_code == 400
    created = client.post("/members/new", data={"name": "新人", "staff_id": "N0001", "unit_id": unit_b.id,
                                               "branch_id": 0})
    assert created.status_code == 400
    assert snapshot() == before


def test_liaison_cannot_touch_staff_in_their_unit(client_for, make_staff, two_units):
    organiser_in_unit = make_staff("organiser", unit=two_units["unit_a"], name="本单位组织者")
    client = client_for(two_units["liaison"])
    assert client.get(f"/members/{organiser_in_unit.id}").status_code == 200
    before = snapshot()
    assert client.post(f"/members/{organiser_in_unit.id}/reset-password").status_code == 403
    assert client.post(f"/members/{organiser_in_unit.id}/deactivate").status_code == 403
    assert client.get(f"/members/{organiser_in_unit.id}/edit").status_code == 403
    assert snapshot() == before


def test_members_and_judges_cannot_see_the_roster(client_for, make_staff, two_units):
    for user in (two_units["bob"], make_staff("judge")):
        client = client_for(user)
        assert client.get("/members/").status_code == 403
        assert client.get(f"/members/{two_units['alice'].id}").status_code == 403
        assert client.get("/members/export").status_code == 403


def test_create_member_shows_the_password_once(organiser_client, two_units, app):
    response = organiser_client.post("/members/new", data={
        "name": " 王　芳 ", "staff_id": "N0001", "mobile": "138-0013-8999", "unit_id": two_units["unit_a"].id,
        "branch_id": two_units["branch"].id, "gender": "女", "political_status": "预备党员"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"].startswith("no-store")
    password = page_text(response).split('data-password>')[1].split("<")[0]
    person = db.session.scalars(sa.select(User).where(User.staff_id == "N0001")).one()
    assert (person.name, person.mobile, person.branch_id) == ("王芳", "13800138999", two_units["branch"].id)
    assert person.must_change_password and person.check_password(password)
    assert password not in page_text(organiser_client.get(f"/members/{person.id}"))
    signed_in = log_in(app.test_client(), person, password)
    assert signed_in.get("/").headers["Location"].endswith("/account/password")


def test_edit_checks_uniqueness_and_branch(organiser_client, two_units):
    alice, zhang2 = two_units["alice"], two_units["zhang2"]
    before = snapshot()
    base = {"name": "张伟", "staff_id": "A0001", "unit_id": alice.unit_id, "branch_id": 0}
    taken_id = organiser_client.post(f"/members/{alice.id}/edit", data={**base, "staff_id": "A0002"})
    assert taken_id.status_code == 400 and "工号 A0002 已被" in page_text(taken_id)
    taken_mobile = organiser_client.post(f"/members/{alice.id}/edit", data={**base, "mobile": zhang2.mobile})
    assert taken_mobile.status_code == 400 and "已被" in page_text(taken_mobile)
    wrong_branch = organiser_client.post(f"/members/{alice.id}/edit", data={
        **base, "unit_id": two_units["unit_b"].id, "branch_id": two_units["branch"].id})
    assert wrong_branch.status_code == 400 and "支部" in page_text(wrong_branch)
    assert snapshot() == before

    saved = organiser_client.post(f"/members/{alice.id}/edit", data={**base, "name": "张卫", "mobile": "13700137000",
                                                                     "political_status": "群众"})
    assert saved.status_code == 302
    db.session.refresh(alice)
    assert (alice.name, alice.mobile, alice.branch_id, alice.political_status) == (
        "张卫", "13700137000", None, "群众")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "member.updated")).one()
    assert set(entry.details["fields"]) == {"name", "mobile", "branch_id", "political_status"}


def test_deactivate_blocks_sign_in_and_reactivate_restores(organiser_client, two_units, app):
    alice = two_units["alice"]
    assert organiser_client.post(f"/members/{alice.id}/deactivate").status_code == 302
    refused = app.test_client().post("/login", data={"login": alice.staff_id, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 401
    assert organiser_client.post(f"/members/{alice.id}/reactivate").status_code == 302
    log_in(app.test_client(), alice)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.target_id == alice.id)).all()
    assert actions == ["member.deactivated", "member.activated"]


def test_nobody_deactivates_themselves(client_for, make_staff):
    admin = make_staff("admin")
    assert client_for(admin).post(f"/members/{admin.id}/deactivate").status_code == 400
    db.session.refresh(admin)
    assert admin.active


def test_reset_password_is_shown_once_and_audited(organiser_client, two_units, app):
    alice = two_units["alice"]
    response = organiser_client.post(f"/members/{alice.id}/reset-password")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("no-store")
    password = page_text(response).split('data-password>')[1].split("<")[0]
    db.session.refresh(alice)
    assert alice.check_password(password) and alice.must_change_password
    assert db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "password.reset")).one().target_id == alice.id
    assert organiser_client.get(f"/members/{alice.id}/reset-password").status_code == 405


def test_admin_grants_roles_and_organiser_cannot_make_admins(client_for, make_staff, two_units):
    admin, organiser = make_staff("admin"), make_staff("organiser")
    alice, unit_a = two_units["alice"], two_units["unit_a"]
    admin_client, organiser_client = client_for(admin), client_for(organiser)

    granted = admin_client.post(f"/members/{alice.id}/roles", data={"roles": ["judge", "liaison"],
                                                                    "liaison_unit_id": unit_a.id})
    assert granted.status_code == 302
    db.session.refresh(alice)
    assert sorted(grant.role for grant in alice.role_grants) == ["judge", "liaison"]
    assert alice.liaison_unit_id == unit_a.id
    kept = admin_client.post(f"/members/{alice.id}/roles", data={"roles": ["judge", "organiser"]})
    assert kept.status_code == 302  # keeping a role while adding another
    db.session.refresh(alice)
    assert sorted(grant.role for grant in alice.role_grants) == ["judge", "organiser"]

    before = snapshot()
    assert organiser_client.post(f"/members/{alice.id}/roles", data={"roles": ["admin"]}).status_code == 403
    assert organiser_client.post(f"/members/{admin.id}/roles", data={"roles": []}).status_code == 403
    assert organiser_client.post(f"/members/{admin.id}/reset-password").status_code == 403
    assert snapshot() == before
    assert "系统管理员" not in page_text(organiser_client.get(f"/members/{alice.id}"))

    bob = two_units["bob"]
    assert organiser_client.post(f"/members/{bob.id}/roles", data={"roles": ["judge"]}).status_code == 302
    no_unit = admin_client.post(f"/members/{bob.id}/roles", data={"roles": ["liaison"], "liaison_unit_id": 0})
    assert no_unit.status_code == 400 and "联络员需要选择" in page_text(no_unit)
    own = admin_client.post(f"/members/{admin.id}/roles", data={"roles": []})
    assert own.status_code == 400
    changes = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roles.changed")).all()
    assert len(changes) == 3


def test_liaison_cannot_change_roles(client_for, two_units):
    client = client_for(two_units["liaison"])
    assert client.post(f"/members/{two_units['alice'].id}/roles", data={"roles": ["organiser"]}).status_code == 403


def test_admin_creates_a_staff_account_without_unit(client_for, make_staff, app):
    admin_client = client_for(make_staff("admin"))
    response = admin_client.post("/members/staff/new", data={"name": "外聘评委", "staff_id": "J0009",
                                                             "roles": ["judge"]})
    assert response.status_code == 201
    password = page_text(response).split('data-password>')[1].split("<")[0]
    judge = db.session.scalars(sa.select(User).where(User.staff_id == "J0009")).one()
    assert judge.unit_id is None and judge.roles == {"judge"}
    log_in(app.test_client(), judge, password)
    organiser_client = client_for(make_staff("organiser"))
    assert organiser_client.post("/members/staff/new", data={"name": "x", "staff_id": "J0010"}).status_code == 403


@pytest.mark.parametrize("data", [
    {},                                                                         # everything missing
    {"name": "甲" * 5000, "staff_id": "N1", "unit_id": "{unit}"},              # very long name
    {"name": "甲", "staff_id": "N" * 5000, "unit_id": "{unit}"},               # very long staff ID
    {"name": "甲", "staff_id": "N 1", "unit_id": "{unit}"},                    # space in staff ID
    {"name": "甲", "staff_id": "N1", "unit_id": "abc"},                        # wrong type
    {"name": "甲", "staff_id": "N1", "unit_id": "99999999999999999999999"},    # overflowing id
    {"name": "甲", "staff_id": "N1", "unit_id": "987654"},                     # no such unit
    {"name": "甲", "staff_id": "N1", "unit_id": "{unit}", "mobile": "1" * 5000},
    {"name": "甲", "staff_id": "N1", "unit_id": "{unit}", "mobile": "12345"},
    {"name": "甲", "staff_id": "N1", "unit_id": "{unit}", "gender": "不详"},
    {"name": "甲", "staff_id": "N1", "unit_id": "{unit}", "political_status": "党员" * 100},
    {"name": "甲", "staff_id": "N1", "unit_id": "{unit}", "branch_id": "-1"},
    {"name": "甲\x00乙", "staff_id": "N1", "unit_id": "{unit}"},              # NUL (PostgreSQL refuses it)
    {"name": "甲", "staff_id": "N1\x00", "unit_id": "{unit}"},
    {"name": ["甲", "乙"], "staff_id": "N1", "unit_id": "{branch}"},            # a branch is not a unit
])
def test_hostile_member_forms_are_refused_with_a_message(organiser_client, two_units, data):
    data = {key: (value.format(unit=two_units["unit_a"].id, branch=two_units["branch"].id)
                  if isinstance(value, str) else value) for key, value in data.items()}
    before = snapshot()
    for path in ("/members/new", f"/members/{two_units['alice'].id}/edit"):
        response = organiser_client.post(path, data=data)
        assert response.status_code == 400, (path, data)
        assert 'class="field-error"' in page_text(response)
    assert snapshot() == before


def test_hostile_ids_and_query_strings(organiser_client, two_units):
    assert organiser_client.get("/members/99999999999999999999").status_code == 404
    assert organiser_client.post("/members/99999999999999999999/deactivate").status_code == 404
    for query in ("unit=abc", "branch=-3", "active=maybe", "page=-1", "q=" + "x" * 10000,
                  "unit=99999999999999999999", "branch=99999999999999999999", "q=%27%22%0A"):
        assert organiser_client.get(f"/members/?{query}").status_code == 200, query
        assert organiser_client.get(f"/members/export?{query}").status_code == 200, query
    for query in ("q=%00%27%22", "q=%1B"):  # NUL, ESC: refused, with the reason
        response = organiser_client.get(f"/members/?{query}")
        assert response.status_code == 400 and "控制字符" in page_text(response), query
    hostile_roles = organiser_client.post(f"/members/{two_units['alice'].id}/roles",
                                          data={"roles": ["judge"], "liaison_unit_id": "x" * 5000})
    assert hostile_roles.status_code == 400


def test_a_liaison_is_not_told_who_in_another_unit_holds_a_mobile_or_staff_id(client_for, two_units):
    liaison, alice, bob = two_units["liaison"], two_units["alice"], two_units["bob"]
    client = client_for(liaison)
    base = {"name": "张伟", "staff_id": "A0001", "unit_id": alice.unit_id, "branch_id": 0}
    before = snapshot()
    elsewhere = page_text(client.post(f"/members/{alice.id}/edit", data={**base, "mobile": bob.mobile}))
    assert f"手机号 {bob.mobile} 已被其他人员使用" in elsewhere
    assert "李娜" not in elsewhere and "B0001" not in elsewhere
    elsewhere_id = page_text(client.post(f"/members/{alice.id}/edit", data={**base, "staff_id": "B0001"}))
    assert "工号 B0001 已被其他人员使用" in elsewhere_id and "李娜" not in elsewhere_id
    # within the liaison's own unit the holder is named, so the liaison can sort it out
    own = page_text(client.post(f"/members/{alice.id}/edit", data={**base, "mobile": two_units["zhang2"].mobile}))
    assert "已被 张伟（工号 A0002）使用" in own
    assert snapshot() == before


def test_roster_pages_are_never_cached(client_for, organiser_client, two_units, make_quiz_for_absent):
    alice = two_units["alice"]
    liaison = client_for(two_units["liaison"])
    pages = [(organiser_client, "/members/"), (organiser_client, f"/members/{alice.id}"),
             (organiser_client, f"/members/{alice.id}/edit"), (organiser_client, "/members/new"),
             (organiser_client, "/members/import"), (liaison, "/members/"),
             (organiser_client, f"/quizzes/manage/{make_quiz_for_absent.id}/absent"),
             (liaison, f"/quizzes/manage/{make_quiz_for_absent.id}/absent")]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path
    assert "13800138001" in liaison.get(f"/quizzes/manage/{make_quiz_for_absent.id}/absent").get_data(as_text=True)
    assert "no-store" not in organiser_client.get("/").headers.get("Cache-Control", "")


@pytest.fixture
def make_quiz_for_absent(make_campaign, two_units):
    from datetime import timedelta

    from app.common import clock
    from quizzes.models import QuestionBank, Quiz

    bank = QuestionBank(name="名册测试题库")
    quiz = Quiz(campaign_id=make_campaign().id, title="名册测试竞赛", opens_at=clock.utcnow() - timedelta(hours=1),
                closes_at=clock.utcnow() + timedelta(days=1), paper_mode="random", is_published=True)
    quiz.banks = [bank]
    db.session.add(quiz)
    db.session.commit()
    return quiz
