"""Forms of the results area: publishing a round's results for 公示 (a correction from version 2 on)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.common.forms import Form, strip_text
from events.speech.services.results import CORRECTION_NOTE_MAX


class PublishForm(Form):
    """Publish (or correct) the results: the 公示 end date and, for a correction, the 更正 note."""

    notice_until = DateField(_l("公示截止日期"), validators=[DataRequired(message=_l("请填写公示截止日期"))])
    correction_note = TextAreaField(_l("更正说明"), filters=[strip_text],
                                    validators=[Optional(), Length(max=CORRECTION_NOTE_MAX)])
