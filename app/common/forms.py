"""Form pieces every feature uses: trimming filters, a guard against non-text JSON values, options,
the CSRF-only button form and the checkbox list."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from app.common.text import clean


def strip_text(value):
    """WTForms filter: trim ordinary and full-width spaces from text, leave other values alone."""
    return clean(value) if isinstance(value, str) else value


def text_only(_form, field):
    """Refuse values that are not text (a JSON body can carry numbers, lists or objects)."""
    if any(not isinstance(value, str) for value in field.raw_data or ()):
        raise StopValidation(_l("格式不正确"))


def options(pairs) -> list[SelectChoice]:
    """(value, label) or (value, label, html attributes) pairs as select/radio options.

    WTForms 3.3 deprecates raw tuples; this keeps every form's choices short to write.
    """
    return [SelectChoice(pair[0], pair[1], render_kw=dict(pair[2]) if len(pair) > 2 else {}) for pair in pairs]


class ConfirmForm(FlaskForm):
    """A button that posts (delete, publish, reset a password): it carries only the CSRF token."""


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes (easier than a multi-select on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
