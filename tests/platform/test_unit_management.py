"""Units (单位) and branches (支部): create, rename, reorder, delete, headcounts, who sees what."""
import sqlalchemy as sa

from app import hooks
from app.audit.models import AuditEntry
from app.extensions import db
from app.units import services
from app.units.models import Unit
from tests.platform.helpers import audit_actions, count


def names_in_order(parent_id=None):
    db.session.expire_all()
    query = sa.select(Unit.name).order_by(Unit.sort_order, Unit.id)
    query = query.where(Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- create and rename

def test_organiser_adds_units_and_branches(organiser_client):
    response = organiser_client.post("/units/", data={"name": "　市委办公室 "})
    assert response.status_code == 302
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "市委办公室"))
    assert unit is not None and unit.parent_id is None

    response = organiser_client.post(f"/units/{unit.id}/branches", data={"name": "第一党支部"})
    assert response.status_code == 302
    page = organiser_client.get(f"/units/{unit.id}").get_data(as_text=True)
    assert "第一党支部" in page
    assert organiser_client.get("/units/").status_code == 200
    assert audit_actions() == ["unit.created", "unit.branch_created"]


def test_new_units_go_to_the_end_of_the_list(organiser_client, make_unit):
    make_unit("市委办公室", sort_order=5)
    organiser_client.post("/units/", data={"name": "市政府办公室"})
    assert names_in_order() == ["市委办公室", "市政府办公室"]


def test_duplicate_top_level_name_gets_a_friendly_error(organiser_client, make_unit):
    make_unit("市委办公室")
    response = organiser_client.post("/units/", data={"name": " 市委办公室　"})
    assert response.status_code == 400
    assert "已有名为“市委办公室”的单位" in response.get_data(as_text=True)
    assert count(Unit) == 1
    assert count(AuditEntry) == 0


def test_branch_names_are_unique_within_a_unit_only(organiser_client, make_unit):
    first, second = make_unit("市教育局"), make_unit("市财政局")
    assert organiser_client.post(f"/units/{first.id}/branches", data={"name": "第一党支部"}).status_code == 302
    assert organiser_client.post(f"/units/{second.id}/branches", data={"name": "第一党支部"}).status_code == 302

    response = organiser_client.post(f"/units/{first.id}/branches", data={"name": "第一党支部"})
    assert response.status_code == 400
    assert "“市教育局”下已有名为“第一党支部”的支部" in response.get_data(as_text=True)
    assert count(Unit) == 4


def test_rename_and_duplicate_rename(organiser_client, make_unit):
    unit = make_unit("市科技局")
    make_unit("市教育局")
    response = organiser_client.post(f"/units/{unit.id}/edit", data={"name": "市科学技术局"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).name == "市科学技术局"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "unit.renamed"))
    assert "市科技局 → 市科学技术局" in entry.summary

    response = organiser_client.post(f"/units/{unit.id}/edit", data={"name": "市教育局"})
    assert response.status_code == 400
    assert "已有名为“市教育局”的单位" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).name == "市科学技术局"


def test_rename_form_shows_current_name(organiser_client, make_unit):
    unit = make_unit("市民政局")
    page = organiser_client.get(f"/units/{unit.id}/edit").get_data(as_text=True)
    assert 'value="市民政局"' in page


def test_a_race_on_the_same_name_is_a_friendly_error_not_a_500(organiser_client, organiser, make_unit, monkeypatch):
    """Both requests pass the check before either writes: the UNIQUE constraint decides, politely."""
    existing = make_unit("市委办公室")
    monkeypatch.setattr(services, "_name_taken", lambda *args, **kwargs: False)

    response = organiser_client.post("/units/", data={"name": "市委办公室"})
    assert response.status_code == 400
    assert "已有名为“市委办公室”的单位" in response.get_data(as_text=True)

    other = make_unit("市政府办公室")
    response = organiser_client.post(f"/units/{other.id}/edit", data={"name": "市委办公室"})
    assert response.status_code == 400
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(Unit.name))) == ["市委办公室", "市政府办公室"]
    assert db.session.get(Unit, existing.id).name == "市委办公室"
    assert count(AuditEntry) == 0


def test_concurrent_creates_of_one_name_make_one_unit(app, organiser, client_for, run_concurrently):
    clients = [client_for(organiser) for _ in range(2)]
    db.session.remove()  # the sign-ins ran in this thread's session: end its transaction first
    results = run_concurrently(lambda index: clients[index].post("/units/", data={"name": "市公安局"}).status_code)
    assert sorted(results) == [302, 400]
    assert count(Unit) == 1


# ---------------------------------------------------------------- delete

def test_empty_unit_and_branch_can_be_deleted(organiser_client, make_unit):
    unit = make_unit("市统计局")
    branch = make_unit("第一党支部", parent=unit)
    confirm = organiser_client.get(f"/units/{branch.id}/delete")
    assert confirm.status_code == 200 and "确认删除" in confirm.get_data(as_text=True)
    assert organiser_client.post(f"/units/{branch.id}/delete").status_code == 302
    assert organiser_client.post(f"/units/{unit.id}/delete").status_code == 302
    assert count(Unit) == 0
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "unit.deleted")).all()
    assert {(entry.target_type, entry.target_id) for entry in entries} == {("Unit", unit.id), ("Unit", branch.id)}


def test_unit_with_branches_or_members_is_not_deleted(organiser_client, make_unit, add_member):
    with_branch = make_unit("市教育局")
    make_unit("第一党支部", parent=with_branch)
    with_member = make_unit("市财政局")
    add_member(unit=with_member)
    with_inactive = make_unit("市民政局")
    add_member(unit=with_inactive, active=False)

    response = organiser_client.post(f"/units/{with_branch.id}/delete")
    assert response.status_code == 409
    assert "还有 1 个支部" in response.get_data(as_text=True)
    response = organiser_client.post(f"/units/{with_member.id}/delete")
    assert response.status_code == 409
    assert "还有 1 名人员" in response.get_data(as_text=True)
    assert organiser_client.post(f"/units/{with_inactive.id}/delete").status_code == 409

    confirm = organiser_client.get(f"/units/{with_member.id}/delete").get_data(as_text=True)
    assert "暂时不能删除" in confirm and "确认删除" not in confirm
    assert count(Unit) == 4
    assert count(AuditEntry) == 0


def test_branch_with_members_is_not_deleted(organiser_client, make_unit, add_member):
    unit = make_unit("市公安局")
    branch = make_unit("机关第一党支部", parent=unit)
    member = add_member(unit=unit, branch=branch)
    response = organiser_client.post(f"/units/{branch.id}/delete")
    assert response.status_code == 409
    assert "还有 1 名人员" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, branch.id) is not None
    assert db.session.get(type(member), member.id).branch_id == branch.id


def test_unit_with_a_liaison_is_not_deleted(organiser_client, make_unit, make_user):
    unit = make_unit("市司法局")
    make_user(roles=["liaison"], liaison_unit=unit)
    response = organiser_client.post(f"/units/{unit.id}/delete")
    assert response.status_code == 409
    assert "联络员" in response.get_data(as_text=True)
    assert count(Unit) == 1


# ---------------------------------------------------------------- order

def test_units_and_branches_move_up_and_down(organiser_client, make_unit):
    first, second, third = make_unit("甲"), make_unit("乙"), make_unit("丙")
    assert organiser_client.post(f"/units/{third.id}/move", data={"direction": "up"}).status_code == 302
    assert names_in_order() == ["甲", "丙", "乙"]
    organiser_client.post(f"/units/{first.id}/move", data={"direction": "down"})
    assert names_in_order() == ["丙", "甲", "乙"]
    organiser_client.post(f"/units/{third.id}/move", data={"direction": "up"})  # already first: nothing
    assert names_in_order() == ["丙", "甲", "乙"]
    assert audit_actions() == ["unit.reordered", "unit.reordered"]

    one, two = make_unit("一支部", parent=second), make_unit("二支部", parent=second)
    organiser_client.post(f"/units/{two.id}/move", data={"direction": "up"})
    assert names_in_order(second.id) == ["二支部", "一支部"]
    assert names_in_order() == ["丙", "甲", "乙"]
    assert one.id != two.id


def test_units_page_lists_in_order(organiser_client, make_unit):
    make_unit("乙单位", sort_order=2)
    make_unit("甲单位", sort_order=1)
    page = organiser_client.get("/units/").get_data(as_text=True)
    assert page.index("甲单位") < page.index("乙单位")


# ---------------------------------------------------------------- headcounts

def test_headcount_rolls_up_branches_and_excludes_inactive_members(app, organiser_client, make_unit, add_member):
    unit = make_unit("市委办公室")
    first, second = make_unit("第一党支部", parent=unit), make_unit("第二党支部", parent=unit)
    empty = make_unit("市委统战部")
    add_member(unit=unit, branch=first)
    add_member(unit=unit, branch=first)
    add_member(unit=unit, branch=second)
    add_member(unit=unit)  # no branch
    add_member(unit=unit, branch=first, active=False)

    assert services.unit_headcounts() == {unit.id: 4, empty.id: 0}
    assert services.unit_headcounts([empty.id]) == {empty.id: 0}
    assert services.branch_headcounts() == {first.id: 2, second.id: 1}
    assert services.unit_headcount(unit) == 4

    page = organiser_client.get(f"/units/{unit.id}").get_data(as_text=True)
    assert '<div class="value">4</div>' in page
    assert "未分配支部" in page


def test_units_in_order_gives_branches_in_order(make_unit):
    unit = make_unit("市教育局")
    make_unit("二支部", parent=unit, sort_order=2)
    make_unit("一支部", parent=unit, sort_order=1)
    make_unit("市财政局", sort_order=-1)
    units = services.units_in_order()
    assert [item.name for item in units] == ["市财政局", "市教育局"]
    assert [branch.name for branch in units[1].branches] == ["一支部", "二支部"]


def test_units_page_runs_a_constant_number_of_queries(organiser_client, make_unit, add_member, count_queries):
    unit = make_unit()
    add_member(unit=unit)
    with count_queries() as small:
        assert organiser_client.get("/units/").status_code == 200

    for _ in range(8):
        unit = make_unit()
        for _ in range(3):
            branch = make_unit(parent=unit)
            add_member(unit=unit, branch=branch)
    with count_queries() as large:
        page = organiser_client.get("/units/")
    assert page.status_code == 200
    assert large.count == small.count, large.statements


# ---------------------------------------------------------------- who sees what

def test_liaison_sees_own_unit_with_branches_and_headcount(client_for, make_staff, make_unit, add_member):
    unit = make_unit("市委办公室")
    branch = make_unit("第一党支部", parent=unit)
    liaison = make_staff("liaison", unit=unit)
    add_member(unit=unit, branch=branch)
    client = client_for(liaison)

    response = client.get("/units/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/units/{unit.id}")
    page = client.get(f"/units/{unit.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "第一党支部" in text and '<div class="value">2</div>' in text  # the liaison is on the roster too
    assert "添加支部" not in text
    assert client.get(f"/units/{branch.id}").status_code == 302


def test_liaison_cannot_see_or_change_another_unit(client_for, make_staff, make_unit):
    own, other = make_unit("市委办公室"), make_unit("市政府办公室")
    other_branch = make_unit("第一党支部", parent=other)
    client = client_for(make_staff("liaison", unit=own))

    assert client.get(f"/units/{other.id}").status_code == 403
    assert client.get(f"/units/{other_branch.id}").status_code == 403
    for method, url, data in [
        ("post", "/units/", {"name": "新单位"}),
        ("post", f"/units/{other.id}/branches", {"name": "新支部"}),
        ("post", f"/units/{own.id}/branches", {"name": "新支部"}),
        ("post", f"/units/{other.id}/edit", {"name": "改名"}),
        ("post", f"/units/{own.id}/edit", {"name": "改名"}),
        ("post", f"/units/{other.id}/move", {"direction": "up"}),
        ("post", f"/units/{other.id}/delete", {}),
        ("post", f"/units/{other_branch.id}/delete", {}),
        ("get", f"/units/{other.id}/edit", None),
    ]:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert count(Unit) == 3
    assert sorted(db.session.scalars(sa.select(Unit.name))) == ["市委办公室", "市政府办公室", "第一党支部"]


def test_members_and_judges_have_no_units_pages(client_for, make_staff, make_unit):
    unit = make_unit()
    for role in ("member", "judge"):
        client = client_for(make_staff(role))
        assert client.get("/units/").status_code == 403
        assert client.get(f"/units/{unit.id}").status_code == 403


def test_other_features_can_block_deleting_a_unit(app, organiser_client, make_unit):
    unit = make_unit("市审计局")
    hooks.add_unit_deletion_check(app, lambda candidate: "还被 1 场竞赛设为参赛范围" if candidate.id == unit.id else None)
    response = organiser_client.post(f"/units/{unit.id}/delete")
    assert response.status_code == 409
    assert "还被 1 场竞赛设为参赛范围" in response.get_data(as_text=True)
    assert count(Unit) == 1
