"""Bank forms: create/rename a bank, one question of any type, a sheet upload, the list filters."""
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.common.forms import Form, strip_text
from app.common.text import clean
from quizzes.models import OPTION_LETTERS, QUESTION_TYPE_LABELS, QUESTION_TYPES
from quizzes.services.bank_rules import (
    CATEGORY_MAX,
    DIFFICULTIES,
    EXPLANATION_MAX,
    OPTION_FIELDS,
    OPTION_MAX,
    STEM_MAX,
)
from quizzes.services.banks import BANK_NAME_MAX, DESCRIPTION_MAX, QuestionFilters

SEARCH_MAX = 100


class BankForm(Form):
    name = StringField(_l("题库名称"), filters=[strip_text], validators=[
        DataRequired(_l("请输入题库名称")),
        Length(max=BANK_NAME_MAX, message=_l("题库名称不能超过 %(max)d 个字")),
    ])
    description = TextAreaField(_l("说明"), filters=[strip_text], validators=[
        Length(max=DESCRIPTION_MAX, message=_l("说明不能超过 %(max)d 个字")),
    ])


class QuestionForm(Form):
    """All four types in one form; the service checks the options and answer against the type."""

    question_type = SelectField(_l("题型"), choices=[SelectChoice(kind, QUESTION_TYPE_LABELS[kind]) for kind in QUESTION_TYPES],
                                validate_choice=True)
    stem = TextAreaField(_l("题干"), filters=[strip_text], validators=[
        DataRequired(_l("题干不能为空")), Length(max=STEM_MAX, message=_l("题干不能超过 %(max)d 个字")),
    ])
    answer = StringField(_l("答案"), filters=[strip_text], validators=[
        DataRequired(_l("答案不能为空")), Length(max=2000, message=_l("答案不能超过 %(max)d 个字")),
    ])
    explanation = TextAreaField(_l("解析"), filters=[strip_text], validators=[
        Length(max=EXPLANATION_MAX, message=_l("解析不能超过 %(max)d 个字")),
    ])
    category = StringField(_l("分类"), filters=[strip_text], validators=[
        Length(max=CATEGORY_MAX, message=_l("分类不能超过 %(max)d 个字")),
    ])
    difficulty = SelectField(_l("难度"), choices=[SelectChoice("", _l("不设")), *(SelectChoice(level, level) for level in DIFFICULTIES)])
    points = StringField(_l("分值"), default="1", filters=[strip_text], validators=[Length(max=20)])

    @property
    def option_fields(self):
        return [getattr(self, name) for name in OPTION_FIELDS]

    def options(self) -> list[str]:
        return [field.data or "" for field in self.option_fields]


for _index, _letter in enumerate(OPTION_LETTERS):
    setattr(QuestionForm, OPTION_FIELDS[_index], StringField(
        _l("选项%(letter)s", letter=_letter), filters=[strip_text],
        validators=[Length(max=OPTION_MAX, message=_l("选项不能超过 %(max)d 个字"))],
    ))


class ImportForm(Form):
    file = FileField(_l("Excel 文件（.xlsx）"), validators=[FileRequired(_l("请选择要导入的文件"))])



def _visible(text: str) -> str:
    """Typed filter text without control characters (PostgreSQL refuses NUL in a query)."""
    return clean("".join(char for char in text if unicodedata.category(char) != "Cc"))


def read_filters(args) -> tuple[QuestionFilters, int]:
    """The bank page's filters and page number from the query string; anything unreadable means 'all'."""
    question_type = args.get("type", "")
    active = {"1": True, "0": False}.get(args.get("active", ""))
    try:
        page = max(1, min(int(args.get("page", "1")), 100000))
    except ValueError:
        page = 1
    filters = QuestionFilters(
        question_type=question_type if question_type in QUESTION_TYPES else "",
        category=_visible(args.get("category", ""))[:CATEGORY_MAX],
        active=active,
        search=_visible(args.get("q", ""))[:SEARCH_MAX],
    )
    return filters, page
