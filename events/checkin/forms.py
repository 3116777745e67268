"""Check-in forms: the organisers' event set-up, stewards, the desk's scanner field and lookup, manual
check-in and annulment (reasons required)."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.accounts.models import POLITICAL_STATUSES
from app.common.forms import CheckboxListField, Form, LocalDateTimeField, options, strip_text
from events.checkin.models import EVENT_TYPE_LABELS

SCOPE_LABELS = {
    "everyone": _l("全体人员"), "units": _l("指定单位"), "branches": _l("指定支部"), "groups": _l("指定党小组"),
    "members": _l("指定人员（按工号）"),
}


class EventForm(Form):
    campaign_id = SelectField(_l("所属专项活动"), coerce=int, validators=[InputRequired(_l("请选择专项活动"))])
    title = StringField(_l("活动名称"), filters=[strip_text], validators=[
        DataRequired(_l("请输入活动名称")), Length(max=120, message=_l("名称不能超过 %(max)d 个字"))])
    event_type = SelectField(_l("类型"), choices=options(list(EVENT_TYPE_LABELS.items())),
                             validators=[InputRequired(_l("请选择活动类型"))])
    place = StringField(_l("地点"), filters=[strip_text],
                        validators=[Length(max=120, message=_l("地点不能超过 %(max)d 个字"))])
    host_unit_id = SelectField(_l("主办单位或支部（计入其“三会一课”）"), coerce=int, default=0)
    starts_at = LocalDateTimeField(_l("开始时间"), validators=[InputRequired(_l("请填写开始时间"))])
    ends_at = LocalDateTimeField(_l("结束时间"), validators=[InputRequired(_l("请填写结束时间"))])
    opens_minutes_before = IntegerField(_l("提前多少分钟开放签到"), default=30, validators=[
        InputRequired(_l("请填写分钟数")), NumberRange(0, 1440, _l("应在 %(min)s 到 %(max)s 之间"))])
    late_at = LocalDateTimeField(_l("此时间后签到记为迟到（默认开始时间）"), validators=[Optional()])
    closes_at = LocalDateTimeField(_l("签到截止时间（默认结束时间）"), validators=[Optional()])
    sign_out_opens_at = LocalDateTimeField(_l("签退开始时间（不签退留空）"), validators=[Optional()])
    sign_out_closes_at = LocalDateTimeField(_l("签退截止时间"), validators=[Optional()])
    invitee_scope = RadioField(_l("参加人员（应到）"), choices=options(list(SCOPE_LABELS.items())),
                               default="everyone", validators=[InputRequired(_l("请选择参加人员"))])
    unit_ids = CheckboxListField(_l("单位或支部"), coerce=int)
    group_ids = CheckboxListField(_l("党小组"), coerce=int)
    member_staff_ids = TextAreaField(_l("人员工号（每行一个，或用逗号分隔）"),
                                     validators=[Length(max=40000, message=_l("内容过长"))])
    statuses = CheckboxListField(_l("只限这些政治面貌（不选为不限）"),
                                 choices=options([(value, value) for value in POLITICAL_STATUSES]))
    committee_only = BooleanField(_l("只限支委（支委会）"))
    capacity = IntegerField(_l("容纳人数（可不填）"), validators=[
        Optional(), NumberRange(1, 100000, _l("应在 %(min)s 到 %(max)s 之间"))])
    allow_static_code = BooleanField(_l("允许打印固定签到码（海报）"))
    rotation_seconds = IntegerField(_l("现场二维码刷新间隔（秒）"), default=30, validators=[
        InputRequired(_l("请填写秒数")), NumberRange(10, 600, _l("应在 %(min)s 到 %(max)s 之间"))])
    leave_days_after = IntegerField(_l("活动后几天内仍可补请假"), default=3, validators=[
        InputRequired(_l("请填写天数")), NumberRange(0, 60, _l("应在 %(min)s 到 %(max)s 之间"))])

    def staff_id_list(self) -> list[str]:
        text = (self.member_staff_ids.data or "").replace("，", ",").replace("、", ",")
        return [item for line in text.splitlines() for item in line.split(",") if item.strip()]


class StewardForm(Form):
    login = StringField(_l("签到员的工号或手机号"), filters=[strip_text], validators=[
        DataRequired(_l("请输入工号或手机号")), Length(max=32, message=_l("最多 %(max)d 个字符"))])


class DeskCodeForm(Form):
    """What a USB scanner types (a member-code URL), with or without Enter."""

    code = StringField(_l("扫描成员签到码"), filters=[strip_text], validators=[
        DataRequired(_l("请扫描签到码")), Length(max=600, message=_l("内容过长"))],
        render_kw={"autocomplete": "off", "autofocus": True, "data-scanner-field": ""})


class LookupForm(Form):
    q = StringField(_l("查找人员（姓名、工号或手机尾号）"), filters=[strip_text], validators=[
        Optional(), Length(min=2, max=32, message=_l("请输入 %(min)d 到 %(max)d 个字符"))])


class MemberCodeCheckinForm(Form):
    event_id = SelectField(_l("签到活动"), coerce=int, validators=[InputRequired()])


class ReasonForm(Form):
    reason = StringField(_l("原因"), filters=[strip_text], validators=[
        DataRequired(_l("请填写原因")), Length(max=200, message=_l("最多 %(max)d 个字"))])


class ManualForm(ReasonForm):
    member_id = HiddenField(validators=[DataRequired()])
    kind = SelectField(_l("登记"), choices=options([("check_in", _l("签到")), ("sign_out", _l("签退"))]),
                       default="check_in")

    def validate_member_id(self, field):
        raw = field.data or ""
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) < 2**31):
            raise ValidationError(_l("参数无效。"))
        field.data = int(raw)
