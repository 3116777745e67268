from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from app.common.forms import Form, strip_text, text_only
from app.units.services import NAME_MAX_LENGTH


class UnitForm(Form):
    name = StringField(
        _l("名称"), filters=[strip_text],
        validators=[text_only, DataRequired(_l("请输入名称")),
                    Length(max=NAME_MAX_LENGTH, message=_l("名称不能超过 %(max)d 个字"))],
    )


class MoveForm(Form):
    direction = HiddenField(validators=[text_only, DataRequired(_l("无效的移动方向")),
                                        AnyOf(("up", "down"), message=_l("无效的移动方向"))])

