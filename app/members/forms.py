from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.models import GENDERS, POLITICAL_STATUSES
from app.common.forms import CheckboxListField, Form, options
from app.members.fields import MAX_NAME_LENGTH, MAX_STAFF_ID_LENGTH
from app.members.importing import PASSWORD_FROM_MOBILE, PASSWORD_RANDOM

ROLE_LABELS = {
    "admin": _l("系统管理员"),
    "organiser": _l("组织者"),
    "liaison": _l("单位联络员"),
    "judge": _l("评委"),
}



class ImportForm(Form):
    file = FileField(_l("名册文件（.xlsx）"), validators=[
        FileRequired(_l("请选择要导入的 Excel 文件")),
        FileAllowed(["xlsx"], _l("只支持 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）")),
    ])
    password_mode = RadioField(
        _l("新成员的初始密码"),
        choices=options([(PASSWORD_FROM_MOBILE, _l("手机号后六位")),
                         (PASSWORD_RANDOM, _l("每人一个随机密码（导入后下载密码表）"))]),
        default=PASSWORD_FROM_MOBILE,
        validators=[InputRequired(_l("请选择初始密码方式"))],
    )
    create_units = BooleanField(_l("自动创建文件中出现的新单位和支部"))


def _length(maximum: int):
    return Length(max=maximum, message=_l("最多 %(max)d 个字符"))


class MemberForm(Form):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名")), _length(MAX_NAME_LENGTH)])
    staff_id = StringField(_l("工号"), validators=[DataRequired(_l("请输入工号")), _length(MAX_STAFF_ID_LENGTH)])
    mobile = StringField(_l("手机号"), validators=[Optional(), _length(20)], render_kw={"inputmode": "tel"})
    unit_id = SelectField(_l("单位"), coerce=int)
    branch_id = SelectField(_l("支部"), coerce=int, default=0)
    gender = SelectField(_l("性别"), choices=options([("", "—")] + [(value, value) for value in GENDERS]), default="")
    political_status = SelectField(_l("政治面貌"),
                                   choices=options([("", "—")] + [(value, value) for value in POLITICAL_STATUSES]),
                                   default="")
    party_group_id = SelectField(_l("党小组"), coerce=int, default=0)
    is_branch_committee = BooleanField(_l("支委（支部委员会委员）"))

    def set_places(self, units, branches, *, allow_no_unit: bool, groups=()) -> None:
        """Fill the unit and branch choices; each branch option names its unit for the filtering script."""
        self.unit_id.choices = options(([(0, _l("— 无单位（工作人员账号）"))] if allow_no_unit else []) + [
            (unit.id, unit.name) for unit in units])
        self.branch_id.choices = options([(0, _l("— 不属于支部"), {"data-unit": ""})] + [
            (branch.id, f"{branch.parent.name} / {branch.name}", {"data-unit": str(branch.parent_id)})
            for branch in branches])
        self.party_group_id.choices = options([(0, _l("— 不属于党小组"))] + [
            (group.id, f"{group.branch.parent.name} / {group.branch.name} / {group.name}") for group in groups])


class RolesForm(Form):
    roles = CheckboxListField(_l("角色"), choices=[])
    liaison_unit_id = SelectField(_l("联络员负责的单位"), coerce=int, default=0)

    def set_choices(self, roles, units) -> None:
        self.roles.choices = options((role, ROLE_LABELS[role]) for role in roles)
        self.liaison_unit_id.choices = options([(0, "—")] + [(unit.id, unit.name) for unit in units])


class StaffAccountForm(RolesForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名")), _length(MAX_NAME_LENGTH)])
    staff_id = StringField(_l("工号（登录账号）"),
                           validators=[DataRequired(_l("请输入工号")), _length(MAX_STAFF_ID_LENGTH)])
    mobile = StringField(_l("手机号"), validators=[Optional(), _length(20)], render_kw={"inputmode": "tel"})
