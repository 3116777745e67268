"""The rules one question must satisfy, shared by the spreadsheet import and the question form.

Difficulty is 易/中/难 or left empty; common words (简单/容易, 中等/一般, 困难/较难) are read as those
three, so paper rules can filter on it reliably. 分值 is a positive number up to 100 (empty: 1).
"""
import hashlib
import math
from dataclasses import dataclass

from flask_babel import gettext as _

from app.common.text import clean, fold, has_control_characters, to_halfwidth
from quizzes.models import OPTION_LETTERS, QUESTION_TYPES, Question
from quizzes.services.answers import AnswerNotationError, parse_answer

STEM_MAX = 2000
OPTION_MAX = 500
ANSWER_MAX = 2000
EXPLANATION_MAX = 5000
CATEGORY_MAX = 64
POINTS_MAX = 100
BLANKS_MAX = 20
DIFFICULTIES = ("易", "中", "难")
_DIFFICULTY_WORDS = {
    "易": "易", "容易": "易", "简单": "易", "低": "易",
    "中": "中", "中等": "中", "一般": "中", "适中": "中",
    "难": "难", "困难": "难", "较难": "难", "高": "难",
}
OPTION_FIELDS = tuple(f"option_{letter.lower()}" for letter in OPTION_LETTERS)


def stem_digest(stem: str) -> str:
    """The duplicate key of a stem: sha256 of its folded form (spaces, width and case ignored)."""
    return hashlib.sha256(fold(stem).encode()).hexdigest()


# ---------------------------------------------------------------- the rules of one question

@dataclass
class QuestionDraft:
    """A question that passed check_question, in stored shapes."""

    question_type: str
    stem: str
    options: list[str]
    answer: object
    explanation: str = ""
    category: str = ""
    difficulty: str = ""
    points: float = 1.0

    @property
    def digest(self) -> str:
        return stem_digest(self.stem)

    def differs_from(self, question: Question) -> bool:
        return (question.stem != self.stem or list(question.options or []) != self.options
                or question.answer != self.answer or (question.explanation or "") != self.explanation
                or (question.category or "") != self.category or (question.difficulty or "") != self.difficulty
                or not math.isclose(question.points, self.points))

    def apply_to(self, question: Question) -> None:
        question.question_type = self.question_type
        question.stem = self.stem
        question.stem_digest = self.digest
        question.options = list(self.options)
        question.answer = self.answer
        question.explanation = self.explanation
        question.category = self.category
        question.difficulty = self.difficulty
        question.points = self.points


def _text(value) -> str:
    return clean(str(value)) if value is not None else ""


def parse_points(value) -> float:
    """分值 as typed: a positive number up to POINTS_MAX (empty means 1); raises ValueError with the reason."""
    if value is None or (isinstance(value, str) and not clean(value)):
        return 1.0
    if isinstance(value, bool):
        raise ValueError(_("分值应为正数，如 1、2 或 0.5"))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = to_halfwidth(clean(str(value))).removesuffix("分").strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(_("分值应为正数，如 1、2 或 0.5")) from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(_("分值应为正数，如 1、2 或 0.5"))
    if number > POINTS_MAX:
        raise ValueError(_("分值不能超过 %(max)s", max=POINTS_MAX))
    if round(number, 2) != number:
        raise ValueError(_("分值最多保留两位小数"))
    return number


def parse_difficulty(value) -> str:
    """难度 as typed: empty, or 易/中/难 (简单/中等/困难 and the like are read as those)."""
    text = _text(value)
    if not text:
        return ""
    if text not in _DIFFICULTY_WORDS:
        raise ValueError(_("难度应为 易、中 或 难（也可留空）"))
    return _DIFFICULTY_WORDS[text]


def check_question(question_type: str, stem, options, answer, explanation=None, category=None,
                   difficulty=None, points=None) -> tuple[QuestionDraft | None, list[tuple[str, str]]]:
    """Check one question as typed; return it ready to store, or the problems as (field, message)."""
    problems: list[tuple[str, str]] = []
    if question_type not in QUESTION_TYPES:
        return None, [("question_type", _("未知题型"))]

    stem = _text(stem)
    if not stem:
        problems.append(("stem", _("题干不能为空")))
    elif len(stem) > STEM_MAX:
        problems.append(("stem", _("题干不能超过 %(max)s 个字", max=STEM_MAX)))

    typed = [_text(option) for option in list(options or [])[:len(OPTION_LETTERS)]]
    filled_count = max((index + 1 for index, option in enumerate(typed) if option), default=0)
    option_texts = typed[:filled_count]
    option_count = 0
    if question_type in ("single", "multiple"):
        problems.extend(_option_problems(option_texts))
        if filled_count < 2:
            problems.append((OPTION_FIELDS[filled_count], _("选择题至少要有两个选项")))
        else:
            option_count = filled_count
    elif filled_count:
        first = next(index for index, option in enumerate(option_texts) if option)
        problems.append((OPTION_FIELDS[first], _("判断题和填空题不填选项")))

    answer_text = _text(answer)
    key = None
    if len(answer_text) > ANSWER_MAX:
        problems.append(("answer", _("答案不能超过 %(max)s 个字", max=ANSWER_MAX)))
    else:
        try:
            key = parse_answer(question_type, answer_text, option_count)
        except AnswerNotationError as error:
            problems.append(("answer", str(error)))
    if question_type == "fill" and key is not None:
        if len(key) > BLANKS_MAX:
            problems.append(("answer", _("填空题最多 %(max)s 个空", max=BLANKS_MAX)))
        elif any(len(alternative) > OPTION_MAX for blank in key for alternative in blank):
            problems.append(("answer", _("每个答案不能超过 %(max)s 个字", max=OPTION_MAX)))

    explanation = _text(explanation)
    if len(explanation) > EXPLANATION_MAX:
        problems.append(("explanation", _("解析不能超过 %(max)s 个字", max=EXPLANATION_MAX)))
    category = _text(category)
    if len(category) > CATEGORY_MAX:
        problems.append(("category", _("分类不能超过 %(max)s 个字", max=CATEGORY_MAX)))
    try:
        difficulty = parse_difficulty(difficulty)
    except ValueError as error:
        problems.append(("difficulty", str(error)))
    try:
        points = parse_points(points)
    except ValueError as error:
        problems.append(("points", str(error)))

    typed_texts = {"stem": stem, "answer": answer_text, "explanation": explanation, "category": category,
                   **{OPTION_FIELDS[index]: option for index, option in enumerate(typed)}}
    flagged = {field_name for field_name, _message in problems}
    for field_name, text in typed_texts.items():
        if field_name not in flagged and has_control_characters(text, allow="\t\r\n"):
            problems.append((field_name, _("含有不可见的控制字符，请删除后重试")))
    if problems:
        return None, problems
    return QuestionDraft(question_type, stem, option_texts, key, explanation, category, difficulty, points), []


def _option_problems(option_texts: list[str]) -> list[tuple[str, str]]:
    problems, seen = [], {}
    for index, option in enumerate(option_texts):
        letter = OPTION_LETTERS[index]
        if not option:
            problems.append((OPTION_FIELDS[index],
                             _("选项%(letter)s 为空，但后面的选项已填写；选项须从 A 起连续填写", letter=letter)))
        elif len(option) > OPTION_MAX:
            problems.append((OPTION_FIELDS[index], _("选项不能超过 %(max)s 个字", max=OPTION_MAX)))
        elif fold(option) in seen:
            problems.append((OPTION_FIELDS[index], _("与选项%(other)s 相同", other=seen[fold(option)])))
        else:
            seen[fold(option)] = letter
    return problems



def format_points(points: float) -> str:
    """3.0 -> "3", 2.5 -> "2.5"."""
    return str(int(points)) if float(points).is_integer() else f"{points:g}"
