"""Organiser pages for question banks: access, banks, questions of every type, preview, import/export."""
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.common import clock
from app.extensions import db
from quizzes.models import Attempt, AttemptItem, Question, QuestionBank
from quizzes.services.attempts import question_snapshot
from tests.quizzes.banks_sheet import HEADER, read_sheet, row
from tests.support import DEFAULT_PASSWORD


@pytest.fixture
def organiser(make_staff):
    return make_staff("organiser")


@pytest.fixture
def org(client_for, organiser):
    return client_for(organiser)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def question_form(question_type="single", stem="中国共产党的根本宗旨是（ ）。", answer="B",
                  options=("发展经济", "全心全意为人民服务", "改革开放", "民族复兴"), **extra):
    data = {"question_type": question_type, "stem": stem, "answer": answer, "explanation": "见党章。",
            "category": "党章党规", "difficulty": "易", "points": "2"}
    for letter, option in zip("abcdefgh", options, strict=False):
        data[f"option_{letter}"] = option
    data.update(extra)
    return data


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# ---------------------------------------------------------------- access

def bank_urls(bank, question):
    base = f"/quizzes/banks/{bank.id}"
    question_url = f"{base}/questions/{question.id}"
    gets = ["/quizzes/banks/", base, f"{base}/edit", f"{base}/import", f"{base}/export.xlsx",
            "/quizzes/banks/template.xlsx", f"{base}/questions/new", question_url, f"{question_url}/edit"]
    posts = ["/quizzes/banks/", f"{base}/edit", f"{base}/import", f"{base}/questions/new", f"{question_url}/edit",
             f"{question_url}/disable", f"{question_url}/enable"]
    return gets, posts


@pytest.mark.parametrize("role", ["member", "liaison", "judge"])
def test_only_organisers_reach_any_bank_page(role, make_staff, client_for, make_bank, make_question):
    bank = make_bank("党建知识")
    question = make_question(bank, "judge", answer=True)
    client = client_for(make_staff(role))
    gets, posts = bank_urls(bank, question)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data=question_form(name="改名", question_type="judge", answer="错",
                                                   options=())).status_code == 403, url
    assert db.session.get(QuestionBank, bank.id).name == "党建知识"
    assert count(Question) == 1 and db.session.get(Question, question.id).is_active


def test_signed_out_visitors_are_sent_to_sign_in(client, make_bank, make_question):
    bank = make_bank()
    gets, _posts = bank_urls(bank, make_question(bank))
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_admins_manage_banks_too(make_staff, client_for):
    assert client_for(make_staff("admin")).get("/quizzes/banks/").status_code == 200


# ---------------------------------------------------------------- banks

def test_the_bank_list_shows_counts_per_type_and_disabled(org, make_bank, make_question):
    bank = make_bank("党建知识题库")
    for _ in range(3):
        make_question(bank, "single")
    make_question(bank, "multiple")
    make_question(bank, "fill")
    make_question(bank, "judge", is_active=False)
    make_bank("空题库")
    page = org.get("/quizzes/banks/").get_data(as_text=True)
    assert "党建知识题库" in page and "空题库" in page
    row_html = page.split(f'id="bank-{bank.id}"')[1].split("</tr>")[0]
    numbers = [cell.split(">")[-1] for cell in row_html.split("</td>") if 'class="num"' in cell]
    assert numbers == ["3", "1", "0", "1", "5", "1", "0"]


def test_creating_and_renaming_a_bank(org):
    response = org.post("/quizzes/banks/", data={"name": "\u3000党史知识\u3000", "description": "2026 年"})
    assert response.status_code == 302
    bank = db.session.scalars(sa.select(QuestionBank)).one()
    assert bank.name == "党史知识"
    assert org.post("/quizzes/banks/", data={"name": "党史知识"}).status_code == 400
    assert org.post("/quizzes/banks/", data={"name": "  "}).status_code == 400
    assert org.post("/quizzes/banks/", data={"name": "长" * 101}).status_code == 400
    assert org.post("/quizzes/banks/", data={"name": "题库\x00"}).status_code == 400
    assert org.post("/quizzes/banks/", data={"name": "好名字", "description": "说明\x00"}).status_code == 400
    assert org.post("/quizzes/banks/", data={"name": "好名字", "description": "长" * 1001}).status_code == 400
    assert count(QuestionBank) == 1

    assert org.post(f"/quizzes/banks/{bank.id}/edit", data={"name": "党史知识（修订）"}).status_code == 302
    db.session.expire_all()
    assert bank.name == "党史知识（修订）"
    assert audit_actions() == ["quiz.bank.created", "quiz.bank.updated"]


def test_renaming_onto_another_bank_is_refused(org, make_bank):
    make_bank("甲")
    bank = make_bank("乙")
    response = org.post(f"/quizzes/banks/{bank.id}/edit", data={"name": "甲"})
    assert response.status_code == 400 and "已有同名题库" in response.get_data(as_text=True)
    db.session.expire_all()
    assert bank.name == "乙"


# ---------------------------------------------------------------- the bank page

def test_filters_search_and_pages(org, make_bank, make_question):
    bank = make_bank()
    for number in range(25):
        make_question(bank, "single", stem=f"单选题第{number:02d}号", category="党史" if number % 2 else "理论知识")
    make_question(bank, "judge", stem="判断题：100% 的党员都应参加组织生活", answer=True, category="党章党规")
    make_question(bank, "fill", stem="已停用的填空题（ ）", is_active=False)

    def stems(query):
        response = org.get(f"/quizzes/banks/{bank.id}?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    first = stems("")
    assert "单选题第00号" in first and "单选题第19号" in first and "单选题第20号" not in first
    assert "单选题第20号" in stems("page=2") and "单选题第00号" not in stems("page=2")
    assert "判断题" in stems("type=judge") and "单选题第01号" not in stems("type=judge")
    assert "单选题第01号" in stems("category=党史") and "单选题第02号" not in stems("category=党史")
    disabled = stems("active=0")
    assert "已停用的填空题" in disabled and "单选题第01号" not in disabled
    assert "已停用的填空题" not in stems("active=1&page=2")
    assert "判断题：100%" in stems("q=100%25") and "单选题第01号" not in stems("q=100%25")
    assert "单选题第01号" not in stems("q=_")  # a wildcard character is searched for literally
    assert "单选题第07号" in stems("q=第07")


@pytest.mark.parametrize("query", ["type=essay", "active=maybe", "page=-3", "page=abc", "page=99999999999",
                                   "category=" + "x" * 500, "q=" + "%" * 300, "q=%0A"])
def test_unreadable_filters_mean_all(org, make_bank, make_question, query):
    bank = make_bank()
    make_question(bank, "single")
    assert org.get(f"/quizzes/banks/{bank.id}?{query}").status_code == 200


def test_a_nul_in_a_filter_is_refused_with_a_message(org, make_bank):
    response = org.get(f"/quizzes/banks/{make_bank().id}?q=%00")
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)


def test_the_bank_page_runs_the_same_queries_for_few_or_many_questions(org, make_bank, make_question, count_queries):
    bank = make_bank()
    make_question(bank, "single", category="党史")
    with count_queries() as few:
        assert org.get(f"/quizzes/banks/{bank.id}").status_code == 200
    for number in range(30):
        make_question(bank, ("single", "multiple", "judge", "fill")[number % 4], category=f"分类{number % 3}",
                      is_active=number % 5 != 0)
    with count_queries() as many:
        assert org.get(f"/quizzes/banks/{bank.id}").status_code == 200
    assert many.count == few.count
    assert many.count <= 8

    with count_queries() as listing:
        assert org.get("/quizzes/banks/").status_code == 200
    assert listing.count <= 6


# ---------------------------------------------------------------- questions

@pytest.mark.parametrize(("data", "expected"), [
    (question_form("single", answer="b"), ("single", "B", 4)),
    (question_form("multiple", stem="党的三大优良作风包括（ ）。", answer="A,B,C",
                   options=("理论联系实际", "密切联系群众", "批评与自我批评", "形式主义")), ("multiple", ["A", "B", "C"], 4)),
    (question_form("judge", stem="党的最高领导机关是党的全国代表大会和它所产生的中央委员会。", answer="√", options=()),
     ("judge", True, 0)),
    (question_form("fill", stem="中国共产党成立于（ ）年（ ）月。", answer="1921|7/七", options=()),
     ("fill", [["1921"], ["7", "七"]], 0)),
])
def test_adding_a_question_of_each_type(org, make_bank, data, expected):
    bank = make_bank()
    response = org.post(f"/quizzes/banks/{bank.id}/questions/new", data=data)
    assert response.status_code == 302
    question = db.session.scalars(sa.select(Question)).one()
    assert (question.question_type, question.answer, len(question.options)) == expected
    assert (question.points, question.category, question.difficulty, question.is_active) == (2, "党章党规", "易", True)
    assert response.headers["Location"].endswith(f"/quizzes/banks/{bank.id}/questions/{question.id}")
    assert audit_actions() == ["quiz.question.created"]


HOSTILE = [
    ("unknown type", question_form(question_type="essay")),
    ("no stem", question_form(stem="   ")),
    ("huge stem", question_form(stem="长" * 2001)),
    ("huge option", question_form(options=("甲" * 501, "乙"))),
    ("options with a gap", question_form(options=("甲", "", "丙"))),
    ("one option", question_form(options=("甲",), answer="A")),
    ("answer outside the options", question_form(answer="E")),
    ("two answers to a single", question_form(answer="AB")),
    ("judge with options", question_form("judge", answer="对", options=("甲", "乙"))),
    ("fill with options", question_form("fill", answer="甲", options=("甲",))),
    ("unreadable judge", question_form("judge", answer="maybe", options=())),
    ("negative points", question_form(points="-1")),
    ("zero points", question_form(points="0")),
    ("nan points", question_form(points="nan")),
    ("infinite points", question_form(points="inf")),
    ("huge points", question_form(points="1e309")),
    ("word points", question_form(points="三")),
    ("too many decimals", question_form(points="0.125")),
    ("unknown difficulty", question_form(difficulty="超难")),
    ("huge category", question_form(category="类" * 65)),
    ("no answer", question_form(answer="")),
    ("NUL in the stem", question_form(stem="题干\x00")),
    ("control character in an option", question_form(options=("甲\x07", "乙"))),
    ("NUL in a fill answer", question_form("fill", answer="答\x00案", options=())),
    ("NUL in the explanation", question_form(explanation="解析\x00")),
]


@pytest.mark.parametrize(("label", "data"), HOSTILE, ids=[label for label, _data in HOSTILE])
def test_hostile_question_forms_change_nothing(org, make_bank, make_question, label, data):
    bank = make_bank()
    question = make_question(bank, "single", stem="原来的题干", answer="A")
    before = (question.stem, question.options, question.answer, question.points)

    assert org.post(f"/quizzes/banks/{bank.id}/questions/new", data=data).status_code == 400
    response = org.post(f"/quizzes/banks/{bank.id}/questions/{question.id}/edit", data=data)
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Question) == 1
    assert (question.stem, question.options, question.answer, question.points) == before
    assert audit_actions() == []


def test_ids_that_do_not_exist_or_belong_to_another_bank_are_not_found(org, make_bank, make_question):
    bank, other = make_bank(), make_bank()
    question = make_question(other, "judge", answer=True)
    for url in [f"/quizzes/banks/{bank.id}/questions/{question.id}", f"/quizzes/banks/{bank.id}/questions/999/edit",
                "/quizzes/banks/999", "/quizzes/banks/999/export.xlsx", "/quizzes/banks/999/questions/new"]:
        assert org.get(url).status_code == 404, url
    assert org.post(f"/quizzes/banks/{bank.id}/questions/{question.id}/disable").status_code == 404
    assert org.post(f"/quizzes/banks/{bank.id}/questions/{question.id}/edit",
                    data=question_form("judge", answer="错", options=())).status_code == 404
    db.session.expire_all()
    assert question.is_active and question.answer is True


def test_editing_a_question_and_the_form_shows_the_sheet_notation(org, make_bank, make_question):
    bank = make_bank()
    question = make_question(bank, "fill", stem="填空（ ）（ ）", answer=[["40", "四十"], ["高质量"]], points=2)
    page = org.get(f"/quizzes/banks/{bank.id}/questions/{question.id}/edit").get_data(as_text=True)
    assert 'value="40/四十|高质量"' in page and 'value="2"' in page

    response = org.post(f"/quizzes/banks/{bank.id}/questions/{question.id}/edit",
                        data=question_form("fill", stem="填空（ ）（ ）", answer="40|高质量发展/高质量", options=()))
    assert response.status_code == 302
    db.session.expire_all()
    assert question.answer == [["40"], ["高质量发展", "高质量"]]
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "quiz.question.updated")).one()
    assert entry.details["changes"]["answer"] == [[["40", "四十"], ["高质量"]], [["40"], ["高质量发展", "高质量"]]]


def test_a_stem_already_in_the_bank_is_refused(org, make_bank, make_question):
    bank = make_bank()
    make_question(bank, "single", stem="已有的题干")
    other = make_question(bank, "single", stem="另一题")
    response = org.post(f"/quizzes/banks/{bank.id}/questions/new", data=question_form(stem="已有的题干 "))
    assert response.status_code == 400 and "题干相同" in response.get_data(as_text=True)
    response = org.post(f"/quizzes/banks/{bank.id}/questions/{other.id}/edit", data=question_form(stem="已有的题干"))
    assert response.status_code == 400
    db.session.expire_all()
    assert other.stem == "另一题" and count(Question) == 2


def test_a_question_on_past_papers_keeps_their_answers_and_its_shape(org, make_bank, make_question, make_quiz,
                                                                      make_member):
    bank = make_bank()
    question = make_question(bank, "single", stem="用过的题", options=["一", "二", "三", "四"], answer="A")
    quiz = make_quiz(banks=[bank], fixed=[(question, 1)])
    now = clock.utcnow()
    attempt = Attempt(quiz_id=quiz.id, user_id=make_member().id, number=1, seed=7, started_at=now,
                      deadline_at=now + timedelta(minutes=30), submitted_at=now, open_slot=sa.null(), score=1,
                      max_score=1)
    attempt.items = [AttemptItem(position=1, question_id=question.id, points=1, option_order=[2, 0, 3, 1],
                                 response="A", is_correct=True, awarded=1, **question_snapshot(question))]
    db.session.add(attempt)
    db.session.commit()
    url = f"/quizzes/banks/{bank.id}/questions/{question.id}/edit"

    assert "1 份答卷" in org.get(url).get_data(as_text=True)
    assert org.post(url, data=question_form("multiple", stem="用过的题", answer="AB",
                                            options=("一", "二", "三", "四"))).status_code == 400
    assert org.post(url, data=question_form(stem="用过的题", answer="A", options=("一", "二", "三"))).status_code == 400
    assert org.post(url, data=question_form(stem="用过的题", answer="B", options=("一", "二", "三", "肆"))).status_code == 302

    db.session.expire_all()
    item = db.session.scalars(sa.select(AttemptItem)).one()
    assert (item.response, item.is_correct, item.awarded, item.option_order) == ("A", True, 1, [2, 0, 3, 1])
    assert (question.question_type, question.answer, question.options[3]) == ("single", "B", "肆")


def test_disabling_and_enabling_a_question(org, make_bank, make_question):
    bank = make_bank()
    question = make_question(bank, "judge", answer=True)
    back = f"/quizzes/banks/{bank.id}?type=judge&page=1"
    response = org.post(f"/quizzes/banks/{bank.id}/questions/{question.id}/disable", data={"back": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    db.session.expire_all()
    assert question.is_active is False
    assert "已停用" in org.get(f"/quizzes/banks/{bank.id}").get_data(as_text=True)

    response = org.post(f"/quizzes/banks/{bank.id}/questions/{question.id}/enable", data={"back": "//evil.example/"})
    assert response.headers["Location"] == f"/quizzes/banks/{bank.id}"
    db.session.expire_all()
    assert question.is_active is True
    org.post(f"/quizzes/banks/{bank.id}/questions/{question.id}/enable")  # already enabled: no new entry
    assert audit_actions() == ["quiz.question.disabled", "quiz.question.enabled"]


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_posts_without_the_csrf_token_change_nothing(app, make_staff, make_bank, make_question):
    organiser = make_staff("organiser")
    client = app.test_client()
    login = client.post("/login", data={"login": organiser.staff_id, "password": DEFAULT_PASSWORD,
                                        "csrf_token": _token(client.get("/login").get_data(as_text=True))})
    assert login.status_code == 302
    bank = make_bank("原名")
    question = make_question(bank, "judge", answer=True)
    disable = f"/quizzes/banks/{bank.id}/questions/{question.id}/disable"

    assert client.post(disable).status_code == 400
    assert client.post(f"/quizzes/banks/{bank.id}/edit", data={"name": "新名"}).status_code == 400
    assert client.post(f"/quizzes/banks/{bank.id}/questions/new", data=question_form()).status_code == 400
    db.session.expire_all()
    assert question.is_active and bank.name == "原名" and count(Question) == 1

    # The token the bank page carries does work.
    token = _token(client.get(f"/quizzes/banks/{bank.id}").get_data(as_text=True))
    assert client.post(disable, data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert question.is_active is False


# ---------------------------------------------------------------- preview

@pytest.mark.parametrize(("question_type", "answer", "options", "shown"), [
    ("single", "B", ["甲选项", "乙选项"], ["甲选项", "乙选项", "B"]),
    ("multiple", ["A", "C"], ["甲", "乙", "丙"], ["AC"]),
    ("judge", False, [], ["正确", "错误"]),
    ("fill", [["1921"], ["7", "七"]], [], ["第 2 空", "7 或 七"]),
])
def test_the_preview_shows_the_question_as_members_see_it_with_the_key(org, make_bank, make_question, question_type,
                                                                        answer, options, shown):
    bank = make_bank()
    question = make_question(bank, question_type, stem="预览的题干", answer=answer, options=options,
                             explanation="这是解析")
    page = org.get(f"/quizzes/banks/{bank.id}/questions/{question.id}").get_data(as_text=True)
    assert "预览的题干" in page and "这是解析" in page and "phone-frame" in page
    for text in shown:
        assert text in page
    assert ("is-key" in page) is (question_type != "fill")


# ---------------------------------------------------------------- spreadsheets in the browser

def test_importing_a_sheet_in_the_browser(org, make_bank, xlsx):
    bank = make_bank()
    data = xlsx([HEADER, row("单选", "甲", "A", ["一", "二"]), row("判断", "乙", "对")])
    response = org.post(f"/quizzes/banks/{bank.id}/import", data={"file": (io.BytesIO(data), "题库.xlsx")},
                        content_type="multipart/form-data")
    assert response.status_code == 302
    assert count(Question, Question.bank_id == bank.id) == 2
    page = org.get(response.headers["Location"]).get_data(as_text=True)
    assert "新增 2 题" in page


def test_a_bad_sheet_lists_every_problem_and_imports_nothing(org, make_bank, xlsx):
    bank = make_bank()
    data = xlsx([HEADER, row("单选", "甲", "A", ["一", "二"]), row("单选", "乙", "C", ["一", "二"]),
                 row("判断", "丙", "也许")])
    response = org.post(f"/quizzes/banks/{bank.id}/import", data={"file": (io.BytesIO(data), "题库.xlsx")},
                        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "第 3 行「答案」列" in page and "第 4 行「答案」列" in page
    assert count(Question) == 0


@pytest.mark.parametrize("upload", [None, (io.BytesIO(b"name,answer\n"), "bank.csv"), (io.BytesIO(b""), "empty.xlsx")])
def test_missing_or_unreadable_uploads_are_refused(org, make_bank, upload):
    bank = make_bank()
    data = {} if upload is None else {"file": upload}
    response = org.post(f"/quizzes/banks/{bank.id}/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert count(Question) == 0


def test_template_and_export_downloads(org, make_bank, make_question):
    template = org.get("/quizzes/banks/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    assert [str(value).replace(" *", "") for value in read_sheet(template.data)[0]] == [*HEADER, "状态"]

    bank = make_bank("党建/知识")
    make_question(bank, "judge", stem="导出的题", answer=True, points=3)
    export = org.get(f"/quizzes/banks/{bank.id}/export.xlsx")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    rows = read_sheet(export.data)
    assert rows[1][:2] == ["判断题", "导出的题"] and rows[1][HEADER.index("答案")] == "对"


def test_every_problem_of_a_question_shows_at_once(org, make_bank):
    bank = make_bank()
    response = org.post(f"/quizzes/banks/{bank.id}/questions/new",
                        data=question_form(stem="", answer="E", options=("甲", "", "丙"), points="-2"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count('class="field-error"') == 4  # stem, option B, answer, points
    assert "题干不能为空" in page and "选项B" in page and "分值应为正数" in page
