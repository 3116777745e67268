"""Forms of the attendance side of check-in: leave and its decisions, exemptions, the meeting record,
its photos and the paper sheet."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.common.forms import CheckboxListField, Form, options, strip_text
from events.checkin.services.leave import REASON_MAX


def _length(maximum: int):
    return Length(max=maximum, message=_l("最多 %(max)d 个字符"))


def kind_field():
    return RadioField(_l("类型"), choices=options([("leave", _l("请假")), ("official", _l("公出（因公外出，计为出勤）"))]),
                      default="leave", validators=[InputRequired(_l("请选择类型"))])


class LeaveForm(Form):
    kind = kind_field()
    reason = TextAreaField(_l("事由"), filters=[strip_text],
                           validators=[DataRequired(_l("请填写请假事由")), _length(REASON_MAX)])


class LeaveForMemberForm(LeaveForm):
    staff_id = StringField(_l("工号或手机号"), filters=[strip_text],
                           validators=[DataRequired(_l("请输入本单位人员的工号或手机号")), _length(32)])


class DecisionForm(Form):
    decision = RadioField(_l("审批"), choices=options([("approve", _l("批准")), ("reject", _l("不批准"))]),
                          validators=[InputRequired(_l("请选择批准或不批准"))])
    note = StringField(_l("审批意见"), filters=[strip_text], validators=[Optional(), _length(200)])


class ExemptionForm(Form):
    staff_id = StringField(_l("工号或手机号"), filters=[strip_text],
                           validators=[DataRequired(_l("请输入工号或手机号")), _length(32)])
    reason = StringField(_l("原因"), filters=[strip_text],
                         validators=[DataRequired(_l("请填写不计入应到的原因")), _length(200)])


class MinutesForm(Form):
    host = StringField(_l("主持人"), filters=[strip_text], validators=[Optional(), _length(64)])
    recorder = StringField(_l("记录人"), filters=[strip_text], validators=[Optional(), _length(64)])
    topics = TextAreaField(_l("议题"), filters=[strip_text], validators=[Optional(), _length(2000)])
    minutes = TextAreaField(_l("会议内容"), filters=[strip_text], validators=[Optional(), _length(20000)])


class PhotoForm(Form):
    photo = FileField(_l("照片（JPEG、PNG 或 WebP）"), validators=[FileRequired(_l("请选择照片"))])


class PaperForm(Form):
    members = CheckboxListField(_l("在纸质签到表上签名的人员"), coerce=int, choices=[])
    note = StringField(_l("备注"), filters=[strip_text], validators=[Optional(), _length(200)])
