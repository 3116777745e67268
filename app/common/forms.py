"""Form pieces every feature uses: the base forms, trimming filters, a guard against non-text JSON
values, options, the CSRF-only button form and the checkbox list."""
import math

import wtforms
import wtforms.widgets.core
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage
from wtforms import DateTimeLocalField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from app.common.text import clean, is_hostile

# Integer columns are 32-bit on PostgreSQL (and SQLite overflows past 64 bits): a number typed beyond
# this is a typo or an attack, never an id, a count or a score.
INTEGER_LIMIT = 2**31 - 1


def printable(_form, field):
    """No field holds NUL, other invisible controls or unpaired surrogates (app.common.text.is_hostile)."""
    for value in field.raw_data or ():
        if isinstance(value, str) and is_hostile(value):
            raise StopValidation(_l("含有不可见的控制字符，请删除后重试"))


def single_line(_form, field):
    """A single-line field (an <input>, not a <textarea>) holds no line break or tab inside its text;
    spaces and breaks around it, as a paste from a spreadsheet brings, are trimmed later and allowed."""
    for value in field.raw_data or ():
        if isinstance(value, str) and is_hostile(clean(value), line_breaks=False):
            raise ValidationError(_l("此处只能填写一行文字，不能包含换行或制表符。"))


def storable_number(_form, field):
    """A number a column can hold: finite (NaN passes NumberRange) and within INTEGER_LIMIT for integers."""
    data = field.data
    for value in data if isinstance(data, list | tuple) else (data,):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise StopValidation(_l("请输入有效的数字"))
        if isinstance(value, int) and abs(value) > INTEGER_LIMIT:
            raise StopValidation(_l("数值超出范围"))


class InputRulesMeta:
    """Form Meta mixin, the form side of app.common.inputs: no field holds hostile text, single-line
    text fields hold no line break, every number is storable."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        rules = [printable, storable_number]
        if isinstance(field, StringField):
            rules.insert(0, text_only)
            if not isinstance(field, TextAreaField):
                rules.append(single_line)
        # First, so that a hostile value is named before any other check reads it; a new list, since
        # the class's list is shared by every instance.
        field.validators = [*rules, *field.validators]
        field.process_formdata = _readable_only(field.process_formdata)
        return field


_READABLE = str | FileStorage | int | float


def _readable_only(process_formdata):
    """A JSON body can give a field null, an object or a list where a form gives text: refuse it as the
    field's error instead of letting the field's parser fail with a TypeError."""
    def process(valuelist):
        if any(not isinstance(value, _READABLE) for value in valuelist):
            raise ValueError(_l("格式不正确"))
        return process_formdata(valuelist)

    return process


WTFORMS_HTML_PARAMS = wtforms.widgets.core.html_params  # WTForms' own, kept for comparison


def html_params(**kwargs) -> Markup:
    """WTForms' html_params, the same markup (tested against it) written with f-strings: WTForms builds
    each attribute through markupsafe's Markup.format (string.Formatter), about a third of the CPU of a
    page with a small form such as the sign-in page."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = wtforms.widgets.core.clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def use_fast_html_params() -> None:
    """Render every WTForms widget and label with html_params above (idempotent; called by create_app)."""
    core = wtforms.widgets.core
    core.html_params = wtforms.widgets.html_params = html_params
    for widget in vars(core).values():
        if isinstance(widget, type) and "html_params" in vars(widget):
            widget.html_params = staticmethod(html_params)


class Form(FlaskForm):
    """The base of every page form: Flask-WTF (CSRF) with the input rules of InputRulesMeta."""

    class Meta(InputRulesMeta):
        pass


class SubForm(wtforms.Form):
    """The base of forms nested in a FieldList/FormField (no CSRF token of their own), same input rules."""

    class Meta(InputRulesMeta):
        pass


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


class ConfirmForm(Form):
    """A button that posts (delete, publish, reset a password): it carries only the CSRF token."""


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes (easier than a multi-select on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


LOCAL_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(DateTimeLocalField):
    """An <input type=datetime-local>, read as Asia/Shanghai time, with a Chinese message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", [LOCAL_DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(_l("请输入有效的时间，例如 2026-03-01 09:00")) from error
