"""The input boundary: every text a request brings passes here once, before any view reads it.

Checked: path segments, query strings (names and values), form fields (names and values), upload file
names and JSON bodies (every string and key, at any depth). Spreadsheet cells pass the same rule in
app.common.xlsx.read_rows_collecting, and single-line form fields the rule in app.common.forms.Form.

Refused, with one message in the user's language (400, nothing read, nothing saved): NUL and the
other C0 controls except tab, LF and CR; DEL and the C1 controls; unpaired surrogates; U+FFFE/U+FFFF
(app.common.text.is_hostile), in path segments, query strings, JSON and upload names (upload names
refuse tab, CR and LF too). In JSON, a number that is not finite (NaN, Infinity, 1e309) or an integer
beyond 2**53 is refused too: no field holds one.

Form fields get the same rule beside the field: every page form derives from app.common.forms.Form,
whose fields report hostile text (and single-line fields, line breaks) as a field error, so the
person sees which field to fix. So that no view reading request.form directly can store such text,
a request that carried any is never committed (guard_commit).

Cleaned instead of refused, where refusing would lose a member's answer (declared with
`@cleans_text(...)` on the view, listed here so the exceptions are in one place):
  * quizzes.take.answers, quizzes.take.submit — JSON `response` (a fill-in's blanks, typed on a phone
    during a timed quiz): hostile characters dropped, surrogates become U+FFFD, tab/CR/LF one space.
"""
from __future__ import annotations

import math

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_babel import gettext as _

from app.common.text import is_hostile, scrub

JSON_INTEGER_LIMIT = 2**53  # the largest integer a browser's JSON keeps exactly


def hostile_text_message() -> str:
    return _("提交的内容含有不可见的控制字符或无法识别的字符（常见于从其他软件复制粘贴），未保存。"
             "请删除这些字符后重试。")


def line_break_message() -> str:
    return _("此处只能填写一行文字，不能包含换行或制表符。")


def cleans_text(*json_keys: str):
    """Declare that the view's JSON strings under `json_keys` (at any depth) are cleaned by the boundary
    rather than refused: for a member's answer, which refusing would lose."""
    def decorate(view):
        view.cleaned_json_keys = frozenset(json_keys)
        return view

    return decorate


def _refuse(message: str):
    from app.errors import abort_with

    abort_with(400, message)


def _check_text(values, *, line_breaks: bool = True) -> None:
    for value in values:
        if isinstance(value, str) and is_hostile(value, line_breaks=line_breaks):
            _refuse(hostile_text_message() if is_hostile(value) else line_break_message())


class Refused(ValueError):
    """Text the boundary refuses; `message()` says why in the user's language."""

    def __init__(self, message):
        super().__init__()
        self.message = message


def clean_json_body(value, cleaned: frozenset[str]) -> None:
    """Clean the declared keys of a JSON body in place; Refused for anything else hostile (RecursionError
    for a body nested too deep to walk)."""
    if isinstance(value, str):
        if is_hostile(value):
            raise Refused(hostile_text_message)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if abs(value) > JSON_INTEGER_LIMIT:
            raise Refused(_out_of_range_message)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Refused(_out_of_range_message)
    elif isinstance(value, list):
        for item in value:
            clean_json_body(item, cleaned)
    elif isinstance(value, dict):
        for key in list(value):
            if is_hostile(key):
                raise Refused(hostile_text_message)
            if key in cleaned:
                value[key] = _clean_json(value[key])
            else:
                clean_json_body(value[key], cleaned)


def _out_of_range_message() -> str:
    return _("数值超出范围。")


def _clean_json(value):
    if isinstance(value, str):
        return scrub(value, line_breaks=False)
    if isinstance(value, list):
        return [_clean_json(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value  # numbers, booleans and objects: the view checks their shape


def check_request() -> None:
    """Refuse (400) a request carrying hostile text anywhere; clean the declared JSON keys in place."""
    _check_text((request.view_args or {}).values())
    for key, values in request.args.lists():
        _check_text((key, *values))
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    for key, values in request.form.lists():
        if any(is_hostile(text) for text in (key, *values)):
            g.hostile_form_text = True  # the form reports it beside the field; guard_commit enforces it
            break
    for key, files in request.files.lists():
        _check_text((key, *(upload.filename for upload in files)), line_breaks=False)
    if request.is_json:
        view = current_app.view_functions.get(request.endpoint or "")
        body = request.get_json(silent=True)  # cached: cleaning in place is what the view reads
        try:
            clean_json_body(body, getattr(view, "cleaned_json_keys", frozenset()))
        except Refused as refusal:
            _refuse(refusal.message())
        except RecursionError:  # parsed, but nested too deep to walk: no view reads such a body
            _refuse(_("请求有误，请检查后重试。"))


def guard_commit(_session) -> None:
    """Refuse (400) to commit anything during a request whose form carried hostile text."""
    if has_request_context() and g.get("hostile_form_text"):
        _refuse(hostile_text_message())


def register_input_boundary(app) -> None:
    app.before_request(check_request)
    if not sa.event.contains(sa.orm.Session, "before_commit", guard_commit):
        sa.event.listen(sa.orm.Session, "before_commit", guard_commit)
