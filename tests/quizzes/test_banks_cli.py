"""flask --app wsgi quiz import-bank / export-bank."""
import sqlalchemy as sa

from app.extensions import db
from quizzes.models import Question, QuestionBank
from tests.quizzes.banks_sheet import HEADER, row

GOOD_ROWS = [
    HEADER,
    row("单选", "中国共产党第一次全国代表大会在（ ）召开。", "B", ["北京", "上海", "广州", "武汉"]),
    row("单选题", "党的根本组织原则是（ ）。", "A", ["民主集中制", "集体领导", "个人分工负责"]),
    row("多选", "党的三大优良作风是（ ）。", "ABC", ["理论联系实际", "密切联系群众", "批评与自我批评", "艰苦奋斗"]),
    row("判断", "党员的党龄从预备期满转为正式党员之日算起。", "对"),
    row("填空", "中国共产党成立于（ ）年。", 1921),
]


def run(app, *args):
    return app.test_cli_runner().invoke(args=["quiz", *args])


def bank_named(name):
    db.session.expire_all()
    return db.session.scalar(sa.select(QuestionBank).where(QuestionBank.name == name))


def test_import_bank_creates_the_bank_and_prints_counts_per_type(app, xlsx, tmp_path):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(xlsx(GOOD_ROWS))

    result = run(app, "import-bank", "党建知识", str(path))
    assert result.exit_code == 0, result.output
    assert "已新建题库「党建知识」" in result.output
    assert "新增 5 题，更新 0 题，未变 0 题" in result.output
    assert "单选题：新增 2，更新 0，未变 0" in result.output
    assert "多选题：新增 1" in result.output and "判断题：新增 1" in result.output and "填空题：新增 1" in result.output
    bank = bank_named("党建知识")
    assert len(bank.questions) == 5

    again = run(app, "import-bank", "党建知识", str(path))
    assert again.exit_code == 0
    assert "已新建" not in again.output and "新增 0 题，更新 0 题，未变 5 题" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 5


def test_import_bank_fails_with_every_problem_and_changes_nothing(app, xlsx, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([*GOOD_ROWS, row("单选", "答案超出选项", "D", ["甲", "乙"]), row("判断", "判断", "可能"),
                           row("多选", "党的三大优良作风是( )。", "AB", ["甲", "乙"])]))

    result = run(app, "import-bank", "新题库", str(path))
    assert result.exit_code == 1
    assert "第 7 行「答案」列" in result.stderr and "第 8 行「答案」列" in result.stderr
    assert "第 9 行「题干」列" in result.stderr and "第 4 行" in result.stderr
    assert "共 3 个问题" in result.stderr
    assert bank_named("新题库") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_import_bank_refuses_a_missing_file(app, tmp_path):
    result = run(app, "import-bank", "党建知识", str(tmp_path / "nope.xlsx"))
    assert result.exit_code == 2
    assert bank_named("党建知识") is None


def test_export_then_import_reports_everything_unchanged(app, xlsx, tmp_path):
    source, exported = tmp_path / "bank.xlsx", tmp_path / "out" / "export.xlsx"
    exported.parent.mkdir()
    source.write_bytes(xlsx(GOOD_ROWS))
    assert run(app, "import-bank", "党建知识", str(source)).exit_code == 0

    result = run(app, "export-bank", "党建知识", str(exported))
    assert result.exit_code == 0, result.output
    assert "共 5 题" in result.output and exported.exists()

    again = run(app, "import-bank", "党建知识", str(exported))
    assert again.exit_code == 0
    assert "新增 0 题，更新 0 题，未变 5 题" in again.output


def test_export_bank_of_an_unknown_bank_fails(app, tmp_path):
    result = run(app, "export-bank", "没有这个题库", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1
    assert "没有名为「没有这个题库」的题库" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()
