from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.common.forms import Form, options


class LoginForm(Form):
    login = StringField(_l("工号或手机号"), validators=[DataRequired(_l("请输入工号或手机号")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=128)])


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")), Length(max=128)])
    confirm_password = PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(_l("请再次输入新密码")), EqualTo("new_password", _l("两次输入的新密码不一致"))],
    )


class PreferencesForm(Form):
    locale = SelectField(_l("界面语言"), choices=options([("zh", "简体中文"), ("en", "English")]))
