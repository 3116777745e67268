"""Registration through HTTP: a liaison registers only their own unit's members, members apply,
the organiser approves or rejects and the liaison sees the reason, manuscripts reach only the
organiser and the registering unit's liaison, races for the last seat and for one member settle in
the database, the home and campaign pages show the contests."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.extensions import db
from events.speech.models import SpeechEntry
from events.speech.services.setup import ContestFacts, create_contest
from tests.events.speech.test_speech_registration_rules import docx_bytes, jpeg_bytes, pdf_bytes


@pytest.fixture
def hall(make_campaign, make_unit, make_member, make_staff, organiser):
    """A contest with quota 2, unit A (liaison, three members) and unit B (liaison, one member)."""
    campaign = make_campaign(name="解放思想大讨论活动")
    contest = create_contest(organiser, ContestFacts(campaign_id=campaign.id, title="青春演讲比赛", quota_per_unit=2))
    unit_a, unit_b = make_unit("市委办公室"), make_unit("市财政局")
    people = {
        "liaison_a": make_staff("liaison", unit=unit_a, name="甲联络员"),
        "liaison_b": make_staff("liaison", unit=unit_b, name="乙联络员"),
        "a1": make_member(unit=unit_a, name="王小明"), "a2": make_member(unit=unit_a, name="李小红"),
        "a3": make_member(unit=unit_a, name="赵小刚"), "b1": make_member(unit=unit_b, name="钱小芳"),
    }
    db.session.commit()
    return contest, campaign, people


def _register(client, contest, member, **extra):
    return _post_register(client, contest.id, member.id, **extra)


def _post_register(client, contest_id: int, member_id: int, **extra):
    data = {"member_id": str(member_id), "speech_title": extra.pop("title", "青春心向党"), "introduction": "简介", **extra}
    return client.post(f"/speech/registration/contests/{contest_id}/register", data=data,
                       content_type="multipart/form-data")


def entries():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SpeechEntry).order_by(SpeechEntry.id)))


def test_the_liaison_page_offers_only_own_unit_members(hall, client_for):
    contest, _campaign, people = hall
    page = client_for(people["liaison_a"]).get(f"/speech/registration/contests/{contest.id}/register")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "王小明" in text and "李小红" in text and "钱小芳" not in text
    assert page.headers["Cache-Control"].startswith("no-store")


def test_a_liaison_registers_with_manuscript_and_photo(hall, client_for):
    contest, _campaign, people = hall
    client = client_for(people["liaison_a"])
    response = _register(client, contest, people["a1"], manuscript=(io.BytesIO(pdf_bytes()), "稿件.pdf"),
                         photo=(io.BytesIO(jpeg_bytes()), "me.jpg"))
    assert response.status_code == 302
    [entry] = entries()
    assert (entry.member_id, entry.status, entry.manuscript_type) == (people["a1"].id, "registered", "pdf")
    page = client.get(f"/speech/registration/contests/{contest.id}").get_data(as_text=True)
    assert "王小明" in page and "待审核" in page and "已用 1 / 共 2" in page


def test_a_liaison_cannot_register_another_units_member_by_posting_its_id(hall, client_for):
    contest, _campaign, people = hall
    response = _register(client_for(people["liaison_a"]), contest, people["b1"])
    assert response.status_code == 400
    assert entries() == []


def test_a_disguised_manuscript_is_refused_beside_the_field(hall, client_for):
    contest, _campaign, people = hall
    response = _register(client_for(people["liaison_a"]), contest, people["a1"],
                         manuscript=(io.BytesIO(b"MZ\x90 this is an exe"), "稿件.pdf"))
    assert response.status_code == 400
    assert "演讲稿只能是 PDF 或 Word" in response.get_data(as_text=True)
    assert entries() == []


def test_the_quota_shows_on_the_form_when_full(hall, client_for):
    contest, _campaign, people = hall
    client = client_for(people["liaison_a"])
    assert _register(client, contest, people["a1"]).status_code == 302
    assert _register(client, contest, people["a2"]).status_code == 302
    response = _register(client, contest, people["a3"])
    assert response.status_code == 400 and "本单位名额已满" in response.get_data(as_text=True)
    assert len(entries()) == 2


def test_rejection_reason_reaches_the_liaison_and_the_member(hall, client_for, organiser_client):
    contest, _campaign, people = hall
    _register(client_for(people["liaison_a"]), contest, people["a1"])
    [entry] = entries()
    assert organiser_client.post(f"/speech/registration/entries/{entry.id}/reject", data={"reason": ""}).status_code == 400
    assert organiser_client.post(f"/speech/registration/entries/{entry.id}/reject",
                                 data={"reason": "题目与主题不符"}).status_code == 302
    assert entries()[0].status == "rejected"
    liaison_page = client_for(people["liaison_a"]).get(f"/speech/registration/contests/{contest.id}").get_data(as_text=True)
    assert "未通过原因：题目与主题不符" in liaison_page
    member_page = client_for(people["a1"]).get("/speech/registration/").get_data(as_text=True)
    assert "未通过原因：题目与主题不符" in member_page
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speech.entry.rejected"))
    assert audit.details["reason"] == "题目与主题不符"


def test_a_member_applies_and_the_organiser_approves(hall, client_for, organiser_client):
    contest, _campaign, people = hall
    member = client_for(people["b1"])
    listing = member.get("/speech/registration/").get_data(as_text=True)
    assert "青春演讲比赛" in listing and "我要报名" in listing
    response = member.post(f"/speech/registration/contests/{contest.id}/apply",
                           data={"speech_title": "我的青春", "introduction": ""}, content_type="multipart/form-data")
    assert response.status_code == 302
    [entry] = entries()
    assert (entry.self_applied, entry.status) == (True, "registered")
    review = organiser_client.get(f"/speech/registration/contests/{contest.id}?status=registered").get_data(as_text=True)
    assert "钱小芳" in review and "个人申请" in review
    assert organiser_client.post(f"/speech/registration/entries/{entry.id}/approve").status_code == 302
    assert entries()[0].status == "approved"


def test_manuscripts_only_for_the_organiser_and_the_registering_units_liaison(hall, client_for, organiser_client):
    contest, _campaign, people = hall
    _register(client_for(people["liaison_a"]), contest, people["a1"],
              manuscript=(io.BytesIO(docx_bytes()), "演讲稿.docx"))
    [entry] = entries()
    url = f"/speech/registration/entries/{entry.id}/manuscript"
    for allowed in (organiser_client, client_for(people["liaison_a"])):
        response = allowed.get(url)
        assert response.status_code == 200 and response.data == docx_bytes()
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"].startswith("no-store")
    assert client_for(people["liaison_b"]).get(url).status_code == 404
    assert client_for(people["a2"]).get(url).status_code == 403  # a member, even of the same unit


def test_another_unit_cannot_see_withdraw_or_edit_an_entry(hall, client_for):
    contest, _campaign, people = hall
    _register(client_for(people["liaison_a"]), contest, people["a1"])
    [entry] = entries()
    other = client_for(people["liaison_b"])
    assert other.post(f"/speech/registration/entries/{entry.id}/withdraw").status_code == 404
    assert other.get(f"/speech/registration/entries/{entry.id}/edit").status_code == 404
    assert client_for(people["a2"]).post(f"/speech/registration/entries/{entry.id}/withdraw").status_code == 404
    assert "王小明" not in other.get(f"/speech/registration/contests/{contest.id}").get_data(as_text=True)
    assert entries()[0].status == "registered"


def test_the_liaison_withdraws_and_the_seat_comes_back(hall, client_for):
    contest, _campaign, people = hall
    client = client_for(people["liaison_a"])
    _register(client, contest, people["a1"])
    _register(client, contest, people["a2"])
    first = entries()[0]
    assert client.post(f"/speech/registration/entries/{first.id}/withdraw").status_code == 302
    assert _register(client, contest, people["a3"]).status_code == 302
    assert sorted(entry.unit_seat for entry in entries() if entry.unit_seat) == [1, 2]


def test_the_registration_list_exports_for_a4(hall, client_for, organiser_client):
    contest, _campaign, people = hall
    _register(client_for(people["liaison_a"]), contest, people["a1"], title="=HYPERLINK(\"x\")")
    response = organiser_client.get(f"/speech/registration/contests/{contest.id}/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "单位", "姓名", "工号", "演讲题目")
    assert rows[1][1:3] == ("市委办公室", "王小明") and rows[1][4] == "'=HYPERLINK(\"x\")"
    assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$1:$1"


def test_home_and_campaign_pages_show_the_contest(hall, client_for, organiser_client):
    contest, campaign, people = hall
    _register(client_for(people["liaison_a"]), contest, people["a1"])
    assert "青春演讲比赛" in client_for(people["b1"]).get("/").get_data(as_text=True)
    liaison_home = client_for(people["liaison_a"]).get("/").get_data(as_text=True)
    assert "青春演讲比赛" in liaison_home and "1 人待审核" in liaison_home
    campaign_page = organiser_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/speech/setup/contests/{contest.id}" in campaign_page


def test_two_liaison_requests_racing_for_the_last_seat_take_one(hall, client_for, run_concurrently):
    contest, _campaign, people = hall
    contest.quota_per_unit = 1
    db.session.commit()
    clients = [client_for(people["liaison_a"]) for _ in range(2)]
    contest_id, members = contest.id, [people["a1"].id, people["a2"].id]
    db.session.remove()
    results = run_concurrently(lambda index: _post_register(clients[index], contest_id, members[index]).status_code)
    assert sorted(results) == [302, 400]
    live = [entry for entry in entries() if entry.status in ("registered", "approved")]
    assert len(live) == 1 and live[0].unit_seat == 1


def test_two_requests_registering_one_member_make_one_entry(hall, client_for, run_concurrently):
    contest, _campaign, people = hall
    clients = [client_for(people["liaison_a"]), client_for(people["a1"])]
    contest_id, member_id = contest.id, people["a1"].id
    db.session.remove()

    def post(index):
        if index == 0:
            return _post_register(clients[0], contest_id, member_id).status_code
        return clients[1].post(f"/speech/registration/contests/{contest_id}/apply",
                               data={"speech_title": "自己报"}, content_type="multipart/form-data").status_code

    results = run_concurrently(post)
    assert sorted(results) == [302, 400]
    assert len(entries()) == 1


def test_a_unit_with_entries_is_not_deleted(hall, client_for, organiser_client):
    contest, _campaign, people = hall
    _register(client_for(people["liaison_a"]), contest, people["a1"])
    [entry] = entries()
    from app.units.services import deletion_blockers

    assert any("青春演讲比赛" in reason for reason in deletion_blockers(entry.unit))


def test_an_organiser_registers_anyone_by_staff_id(hall, organiser_client):
    contest, _campaign, people = hall
    response = organiser_client.post(f"/speech/registration/contests/{contest.id}/register",
                                     data={"staff_id": people["b1"].staff_id, "speech_title": "代报"},
                                     content_type="multipart/form-data")
    assert response.status_code == 302
    assert [(entry.member_id, entry.status) for entry in entries()] == [(people["b1"].id, "approved")]
    unknown = organiser_client.post(f"/speech/registration/contests/{contest.id}/register",
                                    data={"staff_id": "NOBODY", "speech_title": "代报"}, content_type="multipart/form-data")
    assert unknown.status_code == 400 and "找不到这个人员" in unknown.get_data(as_text=True)


def test_editing_replaces_the_manuscript_and_removes_the_old_file(hall, client_for):
    from events.speech.services import registration_files as files

    contest, _campaign, people = hall
    client = client_for(people["liaison_a"])
    _register(client, contest, people["a1"], manuscript=(io.BytesIO(pdf_bytes()), "旧稿.pdf"))
    [entry] = entries()
    old = entry.manuscript_file
    response = client.post(f"/speech/registration/entries/{entry.id}/edit",
                           data={"speech_title": "新题目", "introduction": "",
                                 "manuscript": (io.BytesIO(docx_bytes()), "新稿.docx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    [entry] = entries()
    assert (entry.speech_title, entry.manuscript_type, entry.manuscript_name) == ("新题目", "docx", "新稿.docx")
    assert files.read(old) is None and files.read(entry.manuscript_file) == docx_bytes()
    member_edit = client_for(people["a2"]).get(f"/speech/registration/entries/{entry.id}/edit")
    assert member_edit.status_code == 404


def test_the_organiser_approves_every_waiting_entry_at_once(hall, client_for, organiser_client):
    contest, _campaign, people = hall
    _register(client_for(people["liaison_a"]), contest, people["a1"])
    _register(client_for(people["liaison_b"]), contest, people["b1"])
    review = organiser_client.get(f"/speech/registration/contests/{contest.id}").get_data(as_text=True)
    assert "全部通过（2 条待审核）" in review and "市财政局" in review
    assert organiser_client.post(f"/speech/registration/contests/{contest.id}/approve-all").status_code == 302
    assert [entry.status for entry in entries()] == ["approved", "approved"]
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speech.entry.approved_all"))
    assert sorted(audit.details["entry_ids"]) == sorted(entry.id for entry in entries())
    assert "全部通过" not in organiser_client.get(f"/speech/registration/contests/{contest.id}").get_data(as_text=True)
