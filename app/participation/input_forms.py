"""Forms of the input side: an exemption, an offline record, its import, and a decision (single or bulk)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.common.forms import CheckboxListField, Form, options, strip_text
from app.participation.models import (
    EXEMPTION_KIND_LABELS,
    EXEMPTION_KINDS,
    NOTE_MAX,
    OFFLINE_SOURCE_LABELS,
    OFFLINE_SOURCES,
)

ALL_CAMPAIGNS = 0


def _note_length():
    return Length(max=NOTE_MAX, message=_l("最多 %(max)d 个字"))


class ChineseDateField(DateField):
    """An <input type=date> with a Chinese message for a value that is not a date."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(_l("请输入有效的日期，例如 2026-03-01")) from error


class ExemptionForm(Form):
    staff_id = StringField(_l("人员工号"), filters=[strip_text],
                           validators=[DataRequired(_l("请填写人员工号")), Length(max=32)],
                           render_kw={"list": "unit-members", "autocomplete": "off"})
    kind = SelectField(_l("免计类型"), choices=options((kind, EXEMPTION_KIND_LABELS[kind]) for kind in EXEMPTION_KINDS))
    reason = TextAreaField(_l("原因"), filters=[strip_text],
                           validators=[DataRequired(_l("请填写免计原因")), _note_length()], render_kw={"rows": 3})
    starts_on = ChineseDateField(_l("开始日期"), validators=[InputRequired(_l("请填写开始日期"))])
    ends_on = ChineseDateField(_l("结束日期（可不填）"), validators=[Optional()])
    campaign_id = SelectField(_l("适用的专项活动"), coerce=int, default=ALL_CAMPAIGNS)

    def set_campaigns(self, campaigns) -> None:
        self.campaign_id.choices = options([(ALL_CAMPAIGNS, _l("所有专项活动"))] +
                                           [(campaign.id, campaign.name) for campaign in campaigns])


class OfflineForm(Form):
    campaign_id = SelectField(_l("专项活动"), coerce=int)
    key = SelectField(_l("活动"), validators=[DataRequired(_l("请选择活动"))])
    took_part_on = ChineseDateField(_l("参与日期"), validators=[InputRequired(_l("请填写参与日期"))])
    source = SelectField(_l("来源"), choices=options((source, OFFLINE_SOURCE_LABELS[source])
                                                     for source in OFFLINE_SOURCES))
    note = TextAreaField(_l("备注"), filters=[strip_text], validators=[_note_length()], render_kw={"rows": 2})
    members = CheckboxListField(_l("参与人员"), coerce=int)

    def set_choices(self, campaigns, activities, members=None) -> None:
        self.campaign_id.choices = options((campaign.id, campaign.name) for campaign in campaigns)
        self.key.choices = options([("", _l("— 请选择")), *activities])
        if members is not None:
            self.members.choices = options((member.id, f"{member.name}（{member.staff_id}）") for member in members)


class OfflineEditForm(OfflineForm):
    """Editing one record: the member and campaign stay."""

    members = None
    campaign_id = None


class OfflineImportForm(Form):
    campaign_id = SelectField(_l("专项活动"), coerce=int)
    key = SelectField(_l("活动（文件中“活动”列为空时）"), default="")
    source = SelectField(_l("来源（文件中“来源”列为空时）"),
                         choices=options((source, OFFLINE_SOURCE_LABELS[source]) for source in OFFLINE_SOURCES))
    file = FileField(_l("线下参与记录（.xlsx）"), validators=[
        FileRequired(_l("请选择要导入的 Excel 文件")),
        FileAllowed(["xlsx"], _l("只支持 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）")),
    ])

    def set_choices(self, campaigns, activities) -> None:
        self.campaign_id.choices = options((campaign.id, campaign.name) for campaign in campaigns)
        self.key.choices = options([("", _l("— 以文件为准")), *activities])


class DecisionForm(Form):
    decision = SelectField(_l("审核结果"), choices=options([("approved", _l("通过")), ("rejected", _l("不通过"))]))
    note = StringField(_l("审核意见（联络员可见，不通过时必填）"), filters=[strip_text], validators=[_note_length()])
