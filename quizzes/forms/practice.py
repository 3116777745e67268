"""Practice forms: choosing what to practise, answering one question, the statistics filter."""
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.common.forms import Form
from quizzes.models import OPTION_LETTERS, QUESTION_TYPE_LABELS, Question, blank_count
from quizzes.services.answers import InvalidResponse, normalise_response


class StartForm(Form):
    """Practise one bank, optionally one category and one question type (choices set per bank)."""

    category = SelectField(_l("分类"), choices=[], default="")
    question_type = SelectField(_l("题型"), choices=[], default="")

    def set_choices(self, categories: list[tuple[str, int]], types: list[tuple[str, int]]) -> None:
        self.category.choices = [SelectChoice("", _l("全部分类"))] + [
            SelectChoice(name, f"{name}（{count}）") for name, count in categories
        ]
        self.question_type.choices = [SelectChoice("", _l("全部题型"))] + [
            SelectChoice(kind, f"{QUESTION_TYPE_LABELS[kind]}（{count}）") for kind, count in types
        ]


class AnswerForm(Form):
    """One answered question: the step token; the response fields are read by read_response."""

    token = HiddenField(validators=[DataRequired(), Length(max=32)])



class StatsFilterForm(Form):
    """Date range of the per-unit practice figures (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    since = DateField(_l("开始日期"), validators=[Optional()])
    until = DateField(_l("结束日期"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("结束日期不能早于开始日期"))



def read_response(question: Question, formdata: MultiDict):
    """The submitted answer in canonical shape (None when nothing was answered).

    Form fields: `response` (an option letter, several letters for multiple, "true"/"false" for judge)
    and `blank` (one per blank, in order). Raises InvalidResponse for anything the question cannot hold.
    """
    kind = question.question_type
    option_count = min(len(question.options or []), len(OPTION_LETTERS))
    if kind == "single":
        values = formdata.getlist("response")
        if len(values) > 1:
            raise InvalidResponse("single")
        raw = values[0] if values else None
    elif kind == "multiple":
        raw = formdata.getlist("response")
        if len(raw) > len(OPTION_LETTERS):
            raise InvalidResponse("multiple")
    elif kind == "judge":
        values = formdata.getlist("response")
        if not values:
            raw = None
        elif len(values) == 1 and values[0] in ("true", "false"):
            raw = values[0] == "true"
        else:
            raise InvalidResponse("judge")
    elif kind == "fill":
        raw = formdata.getlist("blank")
        if not raw:
            raw = None
    else:
        raise InvalidResponse(kind)
    return normalise_response(kind, raw, option_count, blank_count(question.question_type, question.answer))
