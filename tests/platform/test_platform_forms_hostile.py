"""Hostile and malformed posts to every units/campaigns form: a 4xx with a message, nothing changed."""
import pytest

from tests.platform.helpers import snapshot

LONG = "长" * 5000


@pytest.fixture
def world(make_unit, make_campaign):
    from datetime import date

    unit = make_unit("市委办公室")
    branch = make_unit("第一党支部", parent=unit)
    make_unit("市政府办公室")
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=[("动员部署", date(2026, 3, 1), date(2026, 3, 10)),
                                     ("学习讨论", date(2026, 3, 11), date(2026, 4, 30))])
    return {"unit": unit.id, "branch": branch.id, "campaign": campaign.id, "phase": campaign.phases[0].id}


NAME_CASES = [
    ({}, "请输入名称"),
    ({"name": ""}, "请输入名称"),
    ({"name": " \u3000 \t"}, "请输入名称"),
    ({"name": LONG}, "名称不能超过"),
    ({"name": "市委\x00办公室"}, "控制字符"),
    ({"name": "市委\x1b办公室"}, "控制字符"),
]
UNIT_FORMS = ["/units/", "/units/{unit}/branches", "/units/{unit}/edit", "/units/{branch}/edit"]

GOOD_DATED = {"name": "新的名称", "description": "", "starts_on": "2026-03-01", "ends_on": "2026-03-05"}
DATED_CASES = [
    ({}, "请输入名称"),
    ({**GOOD_DATED, "name": ""}, "请输入名称"),
    ({**GOOD_DATED, "name": LONG}, "名称不能超过"),
    ({**GOOD_DATED, "name": "活动\x00"}, "控制字符"),
    ({**GOOD_DATED, "description": LONG}, "说明不能超过"),
    ({**GOOD_DATED, "description": "说明\x00"}, "控制字符"),
    ({**GOOD_DATED, "starts_on": ""}, "请选择开始日期"),
    ({**GOOD_DATED, "starts_on": "not-a-date"}, "请输入有效的日期"),
    ({**GOOD_DATED, "starts_on": "2026-02-30"}, "请输入有效的日期"),
    ({**GOOD_DATED, "ends_on": "2026/03/05"}, "请输入有效的日期"),
    ({**GOOD_DATED, "ends_on": "99999-01-01"}, "请输入有效的日期"),
    ({**GOOD_DATED, "starts_on": "2026-03-05", "ends_on": "2026-03-01"}, "结束日期不能早于开始日期"),
]
DATED_FORMS = ["/campaigns/new", "/campaigns/{campaign}/edit", "/campaigns/{campaign}/phases/new",
               "/campaigns/{campaign}/phases/{phase}/edit"]


def post_and_check(client, url, data, message):
    before = snapshot()
    response = client.post(url, data=data)
    body = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (url, data, response.status_code)
    assert message in body, (url, message)
    assert snapshot() == before, url


@pytest.mark.parametrize("form", UNIT_FORMS)
def test_unit_forms_refuse_bad_names(organiser_client, world, form):
    for data, message in NAME_CASES:
        post_and_check(organiser_client, form.format(**world), data, message)


@pytest.mark.parametrize("form", DATED_FORMS)
def test_campaign_and_phase_forms_refuse_bad_values(organiser_client, world, form):
    for data, message in DATED_CASES:
        post_and_check(organiser_client, form.format(**world), data, message)


@pytest.mark.parametrize("form", ["/units/{unit}/move", "/units/{branch}/move",
                                  "/campaigns/{campaign}/phases/{phase}/move"])
def test_move_refuses_unknown_directions(organiser_client, world, form):
    for data in ({}, {"direction": ""}, {"direction": "sideways"}, {"direction": "UP"}, {"direction": LONG}):
        post_and_check(organiser_client, form.format(**world), data, "无效的移动方向")


@pytest.mark.parametrize("url", [
    "/units/987654/edit", "/units/987654/move", "/units/987654/delete", "/units/987654/branches",
    "/units/{branch}/branches",  # a branch of a branch
    "/campaigns/987654/edit", "/campaigns/987654/delete", "/campaigns/987654/phases/new",
    "/campaigns/{campaign}/phases/987654/edit", "/campaigns/{campaign}/phases/987654/delete",
    "/campaigns/{campaign}/phases/987654/move", "/campaigns/987654/phases/{phase}/edit",
])
def test_unknown_ids_are_not_found(organiser_client, world, url):
    post_and_check(organiser_client, url.format(**world), {"name": "x", "direction": "up"}, "页面不存在")


NOT_TEXT = ({"name": {"x": 1}}, {"name": 12}, {"name": None}, {"name": [{"x": 1}]}, [1, 2, 3], "text", None)
DATED_NOT_TEXT = ({**GOOD_DATED, "starts_on": {"y": 2026}}, {**GOOD_DATED, "ends_on": 20260302},
                  {**GOOD_DATED, "description": {"x": 1}}, {**GOOD_DATED, "name": None})


def test_json_and_garbage_bodies_change_nothing(organiser_client, world):
    for forms, payloads in ((UNIT_FORMS, NOT_TEXT), (DATED_FORMS, NOT_TEXT + DATED_NOT_TEXT)):
        for url in [form.format(**world) for form in forms]:
            before = snapshot()
            response = organiser_client.post(url, data=b"\xff\xfe\x00garbage",
                                             content_type="application/octet-stream")
            assert 400 <= response.status_code < 500, url
            for payload in payloads:
                response = organiser_client.post(url, json=payload)
                assert 400 <= response.status_code < 500, (url, payload)
            assert snapshot() == before


def test_markup_in_names_is_shown_as_text(organiser_client, world):
    response = organiser_client.post("/units/", data={"name": "<script>alert(1)</script>"})
    assert response.status_code == 302
    page = organiser_client.get("/units/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_posts_without_the_csrf_token_are_refused(app, organiser, world):
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert client.post("/login", data={"login": organiser.staff_id, "password": "Passw0rd2026",
                                       "csrf_token": token}).status_code == 302
    for form in UNIT_FORMS + DATED_FORMS + ["/units/{unit}/delete", "/campaigns/{campaign}/delete",
                                            "/campaigns/{campaign}/phases/{phase}/delete",
                                            "/units/{unit}/move"]:
        post_and_check(client, form.format(**world), {**GOOD_DATED, "direction": "up"}, "页面已过期")
