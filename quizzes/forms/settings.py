"""Quiz settings (竞赛设置), random-paper rules and the fixed paper, as organisers fill them in."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.common.forms import (  # noqa: F401  (LocalDateTimeField: quiz forms name it from here)
    LOCAL_DATETIME_FORMAT,
    CheckboxListField,
    Form,
    LocalDateTimeField,
    SubForm,
    options,
    strip_text,
)
from quizzes.models import QUESTION_TYPE_LABELS, QUESTION_TYPES

MAX_TIME_LIMIT_MINUTES = 24 * 60
MAX_ATTEMPTS = 100


def question_type_choices() -> list[tuple[str, str]]:
    return list(QUESTION_TYPE_LABELS.items())



class QuizSettingsForm(Form):
    campaign_id = SelectField(_l("所属专项活动"), coerce=int, validators=[InputRequired(_l("请选择专项活动"))])
    title = StringField(_l("竞赛名称"), filters=[strip_text], validators=[
        DataRequired(_l("请输入竞赛名称")), Length(max=120, message=_l("名称不能超过 %(max)d 个字"))])
    rules_text = TextAreaField(_l("答题须知"), validators=[
        Length(max=4000, message=_l("答题须知不能超过 %(max)d 个字"))])
    opens_at = LocalDateTimeField(_l("开始时间"), validators=[InputRequired(_l("请填写开始时间"))])
    closes_at = LocalDateTimeField(_l("截止时间"), validators=[InputRequired(_l("请填写截止时间"))])
    time_limit_minutes = IntegerField(_l("每次答题限时（分钟）"), default=30, validators=[
        InputRequired(_l("请填写答题限时")),
        NumberRange(1, MAX_TIME_LIMIT_MINUTES, _l("限时应在 %(min)s 到 %(max)s 分钟之间"))])
    eligible_units = CheckboxListField(_l("参赛单位"), coerce=int, validate_choice=True)
    attempts_allowed = IntegerField(_l("可答题次数"), default=1, validators=[
        InputRequired(_l("请填写可答题次数")), NumberRange(1, MAX_ATTEMPTS, _l("次数应在 %(min)s 到 %(max)s 之间"))])
    counting = RadioField(_l("多次答题时计入成绩"), default="best",
                          choices=options([("best", _l("最高一次")), ("latest", _l("最后一次"))]))
    paper_mode = RadioField(_l("组卷方式"), default="random",
                            choices=options([("random", _l("随机抽题（按规则）")), ("fixed", _l("固定试卷（逐题选定）"))]))
    banks = CheckboxListField(_l("出题题库"), coerce=int, validate_choice=True)
    shuffle_questions = BooleanField(_l("打乱题目顺序（同题型内）"), default=True)
    shuffle_options = BooleanField(_l("打乱选项顺序（单选、多选）"), default=True)
    review_policy = SelectField(_l("答案与解析公布"), default="after_submit", choices=options([
        ("after_submit", _l("交卷后立即公布")), ("after_close", _l("竞赛截止后公布")), ("never", _l("不公布"))]))
    partial_credit = BooleanField(_l("多选题、填空题部分得分"), default=False)
    partial_credit_percent = IntegerField(_l("少选得分比例（%）"), default=50, validators=[
        Optional(), NumberRange(1, 99, _l("比例应在 %(min)s 到 %(max)s 之间"))])
    leave_limit = IntegerField(_l("切屏次数上限"), validators=[
        Optional(), NumberRange(1, 100, _l("次数应在 %(min)s 到 %(max)s 之间"))])

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("截止时间必须晚于开始时间"))

    def validate_banks(self, field):
        if not field.data:
            raise ValidationError(_l("请至少选择一个题库"))


class RuleRowForm(SubForm):
    """One random-paper rule row; a row whose count is left empty is ignored."""

    question_type = SelectField(_l("题型"), choices=options(question_type_choices()), validators=[Optional()])
    category = StringField(_l("分类"), filters=[strip_text], validators=[Length(max=64)])
    difficulty = StringField(_l("难度"), filters=[strip_text], validators=[Length(max=16)])
    count = IntegerField(_l("题数"), validators=[Optional(), NumberRange(1, 300, _l("题数应在 %(min)s 到 %(max)s 之间"))])
    points_each = FloatField(_l("每题分值"), validators=[Optional(), NumberRange(0.01, 1000, _l("分值应大于 0"))])

    @property
    def is_blank(self) -> bool:
        return self.count.data is None and not (self.category.data or self.difficulty.data)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Optional() ends a field's own checks when it is empty, so the "needs the other" rules live here.
        if self.count.data is not None and self.points_each.data is None and not self.points_each.errors:
            self.points_each.errors.append(_l("请填写每题分值"))
            valid = False
        if self.count.data is None and not self.count.errors and (self.category.data or self.difficulty.data):
            self.count.errors.append(_l("请填写题数"))
            valid = False
        # Optional() also clears the choice check, so a row posted without its type must be caught here.
        if not self.is_blank and self.question_type.data not in QUESTION_TYPES and not self.question_type.errors:
            self.question_type.errors.append(_l("请选择题型"))
            valid = False
        return valid

    def validate_question_type(self, field):
        if field.data not in QUESTION_TYPES:
            raise ValidationError(_l("请选择题型"))


class RulesForm(Form):
    rows = FieldList(FormField(RuleRowForm), min_entries=1, max_entries=60)


class FixedRowForm(SubForm):
    question_id = HiddenField(validators=[DataRequired()])
    position = IntegerField(_l("序号"), validators=[InputRequired(_l("请填写序号")), NumberRange(1, 10_000)])
    points = FloatField(_l("分值"), validators=[InputRequired(_l("请填写分值")),
                                                NumberRange(0.01, 1000, _l("分值应大于 0"))])
    remove = BooleanField(_l("移出"))


class FixedPaperForm(Form):
    rows = FieldList(FormField(FixedRowForm), min_entries=0, max_entries=1000)


class AddQuestionsForm(Form):
    question_ids = SelectMultipleField(coerce=int, validate_choice=False,
                                       validators=[DataRequired(_l("请勾选要加入试卷的题目"))])



class PublishForm(Form):
    action = StringField(validators=[AnyOf(("publish", "unpublish"))])  # the pressed button's value
