"""Judging forms: seating a judge, a seat's group and chief flag, a declared conflict, a reason
(unlock, absence), the paper sheet entered on a judge's behalf (代录)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.forms import Form, strip_text


class SeatForm(Form):
    """A judge on a seat of the round's panel (choices: accounts with the judge role)."""

    user_id = SelectField(_l("评委"), coerce=int, validators=[InputRequired(_l("请选择一位评委"))])
    seat = IntegerField(_l("席位号"), validators=[InputRequired(_l("请填写席位号")), NumberRange(1, 30)])
    group = StringField(_l("评委组"), filters=[strip_text], validators=[Optional(), Length(max=20)])
    is_chief = BooleanField(_l("总评委（可解锁评分表）"))


class JudgeUpdateForm(Form):
    group = StringField(_l("评委组"), filters=[strip_text], validators=[Optional(), Length(max=20)])
    is_chief = BooleanField(_l("总评委（可解锁评分表）"))


class RecusalForm(Form):
    """A conflict the organiser records: this judge does not score this contestant, and why."""

    judge_id = SelectField(_l("评委"), coerce=int, validators=[InputRequired(_l("请选择评委"))])
    entry_id = SelectField(_l("选手"), coerce=int, validators=[InputRequired(_l("请选择选手"))])
    reason = StringField(_l("回避原因"), filters=[strip_text],
                         validators=[DataRequired(_l("请填写回避原因")), Length(max=200)])


class ReasonForm(Form):
    reason = StringField(_l("原因"), filters=[strip_text], validators=[DataRequired(_l("请填写原因")), Length(max=200)])


class PaperForm(Form):
    """代录: the paper it comes from; the scores are read per criterion (score:<name>, note:<name>)."""

    paper = StringField(_l("纸质评分表来源"), filters=[strip_text],
                        validators=[DataRequired(_l("请注明纸质评分表（如“3号评委纸质评分表”）")), Length(max=200)])
