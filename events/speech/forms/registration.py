"""Registration forms: a liaison's or organiser's registration, a member's application, editing an
entry, rejecting with a reason, importing contestants."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.common.forms import Form, strip_text
from events.speech.services.registration import INTRODUCTION_MAX, TITLE_MAX, Upload

MANUSCRIPT_ACCEPT = ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class EntryForm(Form):
    """The entry's own fields (editing, and the base of every registration)."""

    speech_title = StringField(_l("演讲题目"), filters=[strip_text], validators=[
        DataRequired(_l("请填写演讲题目")), Length(max=TITLE_MAX, message=_l("演讲题目不能超过 %(max)d 个字"))])
    introduction = TextAreaField(_l("个人简介"), filters=[strip_text], validators=[
        Length(max=INTRODUCTION_MAX, message=_l("个人简介不能超过 %(max)d 个字"))])
    manuscript = FileField(_l("演讲稿（PDF 或 Word，选填）"))
    photo = FileField(_l("照片（选填）"))

    def uploads(self) -> tuple[Upload | None, Upload | None]:
        """The chosen files (None when none was chosen)."""
        return _upload(self.manuscript.data), _upload(self.photo.data)


def _upload(storage) -> Upload | None:
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return Upload(storage.read(), storage.filename)


class LiaisonEntryForm(EntryForm):
    member_id = SelectField(_l("参赛人员"), coerce=int, validators=[InputRequired(_l("请选择参赛人员"))])


class OrganiserEntryForm(EntryForm):
    staff_id = StringField(_l("参赛人员工号"), filters=[strip_text], validators=[
        DataRequired(_l("请填写工号")), Length(max=32)])


class RejectForm(Form):
    reason = StringField(_l("不通过原因"), filters=[strip_text], validators=[
        DataRequired(_l("请填写不通过的原因")), Length(max=200, message=_l("原因不能超过 %(max)d 个字"))])


class ImportForm(Form):
    file = FileField(_l("选手名单（.xlsx）"), validators=[
        FileRequired(_l("请选择要导入的 Excel 文件")),
        FileAllowed(["xlsx"], _l("只支持 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）"))])
