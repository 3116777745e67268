"""Form pieces every feature uses: trimming filters and a guard against non-text JSON values."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation

from app.common.text import clean


def strip_text(value):
    """WTForms filter: trim ordinary and full-width spaces from text, leave other values alone."""
    return clean(value) if isinstance(value, str) else value


def text_only(_form, field):
    """Refuse values that are not text (a JSON body can carry numbers, lists or objects)."""
    if any(not isinstance(value, str) for value in field.raw_data or ()):
        raise StopValidation(_l("格式不正确"))
