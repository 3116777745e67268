"""The organiser's judging-round forms: a round's settings, adding a judge, closing with a reason."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.forms import Form, strip_text

METHOD_CHOICES = (("score", _l("打分（0–100）")), ("criteria", _l("分项打分")), ("shortlist", _l("入选 / 不入选")),
                  ("ranking", _l("排序（最多 50 件）")))
ADVANCE_CHOICES = (("top", _l("每类前 N 名晋级")), ("threshold", _l("达到分数线（入选：至少 K 票）晋级")),
                   ("none", _l("不晋级（最后一轮）")))
STEP_CHOICES = (("1", "1"), ("0.5", "0.5"), ("0.1", "0.1"), ("0.01", "0.01"))


class RoundForm(Form):
    name = StringField(_l("轮次名称"), filters=[strip_text], validators=[
        DataRequired(_l("请填写轮次名称")), Length(max=40, message=_l("名称不能超过 %(max)d 个字"))])
    method = SelectField(_l("评审方式"), choices=METHOD_CHOICES, default="score")
    category_ids = SelectMultipleField(_l("类别"), coerce=int, validators=[DataRequired(_l("请至少选择一个类别"))])
    quorum = IntegerField(_l("每件作品的评委人数"), default=3, validators=[
        InputRequired(_l("请填写评委人数")), NumberRange(1, 50, _l("应在 %(min)s 到 %(max)s 之间"))])
    advance_kind = SelectField(_l("晋级方式"), choices=ADVANCE_CHOICES, default="top")
    advance_value = DecimalField(_l("晋级名额或分数线"), places=None, validators=[Optional()])
    step = SelectField(_l("分值步长"), choices=STEP_CHOICES, default="0.1")
    criteria = TextAreaField(_l("分项（每行“名称 满分”，如“构图 30”）"), validators=[Length(max=2000)])
    trim_from = IntegerField(_l("评委达到几人时去掉最高分和最低分"), default=5, validators=[
        InputRequired(), NumberRange(1, 50, _l("应在 %(min)s 到 %(max)s 之间"))])
    trim_each_end = IntegerField(_l("两端各去掉几个"), default=1, validators=[
        InputRequired(), NumberRange(0, 10, _l("应在 %(min)s 到 %(max)s 之间"))])
    shows_names = BooleanField(_l("评委可见作品名称、作者和单位（默认只见编号）"))
    shows_description = BooleanField(_l("评委可见创作说明、尺寸和材质"))
    allows_originals = BooleanField(_l("评委可查看原图"))

    @property
    def step_value(self) -> Decimal:
        return Decimal(self.step.data or "0.1")


class AddJudgeForm(Form):
    user_id = SelectField(_l("评委"), coerce=int, validators=[InputRequired(_l("请选择评委"))])


class CloseForm(Form):
    reason = TextAreaField(_l("提前结束原因（有评分未提交时必填，将写在结果上）"), filters=[strip_text],
                           validators=[Length(max=500, message=_l("原因不能超过 %(max)d 个字"))])



class UnlockForm(Form):
    reason = StringField(_l("解锁原因"), filters=[strip_text], validators=[
        DataRequired(_l("请填写解锁原因")), Length(max=200, message=_l("原因不能超过 %(max)d 个字"))])
