"""Answer shapes, the notation people write answers in, and scoring per question type.

Canonical shapes (see quizzes.models): single "B"; multiple ["A", "D"]; judge True/False;
fill, as a key: [["40", "四十"], ["高质量"]] (accepted alternatives per blank), as a response:
["40", "高质量"].
"""
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from app.common.text import clean, fold, to_halfwidth
from quizzes.models import OPTION_LETTERS

TRUE_WORDS = {"对", "正确", "√", "✓", "✔", "t", "true", "是", "y", "yes"}
FALSE_WORDS = {"错", "错误", "×", "✗", "✘", "x", "f", "false", "否", "n", "no"}
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/]+")


class AnswerNotationError(ValueError):
    """The answer text cannot be read for this question type; the message says why."""


def parse_answer(question_type: str, text: str, option_count: int = 0):
    """Read an answer key as people write it (A, ABD, A,B,D, 对/错/√/×/T/F, 40/四十|高质量)."""
    raw = to_halfwidth(clean(str(text or "")))
    if not raw:
        raise AnswerNotationError(_("答案不能为空"))
    if question_type == "single":
        letters = _letters(raw, option_count)
        if len(letters) != 1:
            raise AnswerNotationError(_("单选题只能有一个答案"))
        return letters[0]
    if question_type == "multiple":
        letters = _letters(raw, option_count)
        if len(letters) < 2:
            raise AnswerNotationError(_("多选题至少要有两个正确选项"))
        return letters
    if question_type == "judge":
        word = raw.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise AnswerNotationError(_("判断题答案应为 对/错（或 正确/错误、√/×、T/F）"))
    if question_type == "fill":
        blanks = []
        for blank in raw.split("|"):
            alternatives = [clean(alternative) for alternative in blank.split("/")]
            alternatives = [alternative for alternative in alternatives if alternative]
            if not alternatives:
                raise AnswerNotationError(_("填空题每个空都要有答案（多个空用 | 分隔，同一空的多个答案用 / 分隔）"))
            blanks.append(alternatives)
        return blanks
    raise AnswerNotationError(_("未知题型"))


def _letters(raw: str, option_count: int) -> list[str]:
    compact = _LETTER_SEPARATORS.sub("", raw.upper())
    if not compact or any(letter not in OPTION_LETTERS for letter in compact):
        raise AnswerNotationError(_("答案应为选项字母，如 A 或 ABD"))
    letters = sorted(set(compact))
    if option_count and any(OPTION_LETTERS.index(letter) >= option_count for letter in letters):
        raise AnswerNotationError(_("答案 %(letters)s 超出了已填写的选项", letters="".join(letters)))
    if len(letters) != len(compact):
        raise AnswerNotationError(_("答案中有重复的选项字母"))
    return letters


def format_answer(question_type: str, answer) -> str:
    """Write an answer key back in the notation parse_answer reads (for exports and previews)."""
    if question_type == "single":
        return str(answer)
    if question_type == "multiple":
        return "".join(answer)
    if question_type == "judge":
        return "对" if answer else "错"
    if question_type == "fill":
        return "|".join("/".join(alternatives) for alternatives in answer)
    return str(answer)


def format_response(question_type: str, response) -> str:
    """A member's answer as readable text ("" when unanswered)."""
    if response is None:
        return ""
    if question_type == "fill":
        return " | ".join(str(part) for part in response)
    return format_answer(question_type, response)


class InvalidResponse(ValueError):
    """A response from the browser that does not fit the question."""


def normalise_response(question_type: str, response, option_count: int, blank_count: int):
    """Validate a member's response and return it in canonical shape (None clears the answer)."""
    if response is None or response == "" or response == []:
        return None
    if question_type == "single":
        if not isinstance(response, str) or response not in OPTION_LETTERS[:option_count]:
            raise InvalidResponse("single")
        return response
    if question_type == "multiple":
        if not isinstance(response, list) or not all(isinstance(letter, str) for letter in response):
            raise InvalidResponse("multiple")
        letters = sorted(set(response))
        if any(letter not in OPTION_LETTERS[:option_count] for letter in letters):
            raise InvalidResponse("multiple")
        return letters
    if question_type == "judge":
        if not isinstance(response, bool):
            raise InvalidResponse("judge")
        return response
    if question_type == "fill":
        if not isinstance(response, list) or len(response) != blank_count:
            raise InvalidResponse("fill")
        if not all(isinstance(part, str) and len(part) <= 500 for part in response):
            raise InvalidResponse("fill")
        parts = [clean(part) for part in response]
        return parts if any(parts) else None
    raise InvalidResponse(question_type)


@dataclass(frozen=True)
class Marking:
    is_correct: bool
    awarded: float


def score_response(question_type: str, answer, response, points: float, *, partial_credit: bool = False,
                   partial_ratio: float = 0.5) -> Marking:
    """Mark one response: exact for single/judge, all-or-nothing multiple (or a share for a correct
    subset when partial credit is on), fill blanks compared trimmed, half-width and case-folded."""
    if response is None:
        return Marking(False, 0.0)
    if question_type in ("single", "judge"):
        return Marking(True, points) if response == answer else Marking(False, 0.0)
    if question_type == "multiple":
        chosen, correct = set(response), set(answer)
        if chosen == correct:
            return Marking(True, points)
        if partial_credit and chosen and chosen < correct:
            return Marking(False, round(points * partial_ratio, 2))
        return Marking(False, 0.0)
    if question_type == "fill":
        right = [
            index < len(response) and fold(response[index]) in {fold(option) for option in alternatives}
            for index, alternatives in enumerate(answer)
        ]
        if all(right):
            return Marking(True, points)
        if partial_credit and any(right):
            return Marking(False, round(points * sum(right) / len(right), 2))
        return Marking(False, 0.0)
    return Marking(False, 0.0)
