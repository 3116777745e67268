from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from app.campaigns.services import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from app.common.forms import Form, strip_text, text_only


class LocalDateField(DateField):
    """A yyyy-mm-dd date (an <input type=date>) with a Chinese message for anything else."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except (ValueError, TypeError) as error:  # TypeError: a JSON number or object, not text
            self.data = None
            raise ValueError(_l("请输入有效的日期，例如 2026-03-01")) from error

    def _value(self):
        if any(not isinstance(value, str) for value in self.raw_data or ()):
            return ""
        return super()._value()


class _DatedForm(Form):
    name = StringField(
        _l("名称"), filters=[strip_text],
        validators=[text_only, DataRequired(_l("请输入名称")),
                    Length(max=NAME_MAX_LENGTH, message=_l("名称不能超过 %(max)d 个字"))],
    )
    description = TextAreaField(
        _l("说明"), validators=[text_only, Length(max=DESCRIPTION_MAX_LENGTH, message=_l("说明不能超过 %(max)d 个字"))],
    )
    starts_on = LocalDateField(_l("开始日期"), validators=[InputRequired(_l("请选择开始日期"))])
    ends_on = LocalDateField(_l("结束日期"), validators=[InputRequired(_l("请选择结束日期"))])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("结束日期不能早于开始日期"))


class CampaignForm(_DatedForm):
    pass


class PhaseForm(_DatedForm):
    pass


class MoveForm(Form):
    direction = HiddenField(validators=[text_only, DataRequired(_l("无效的移动方向")),
                                        AnyOf(("up", "down"), message=_l("无效的移动方向"))])

