from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import services
from app.accounts.forms import ChangePasswordForm, LoginForm, PreferencesForm
from app.common.access import login_required, public
from app.extensions import db
from app.security import is_safe_redirect

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted ?next= must not send people elsewhere."""
    if is_safe_redirect(target):
        return target
    return url_for("core.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(form.login.data, form.password.data, request.remote_addr or "")
        db.session.commit()
        if result.ok:
            session.permanent = True
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.locked_seconds:
            minutes = max(1, (result.locked_seconds + 59) // 60)
            form.password.errors.append(
                _("登录失败次数过多，已暂时锁定，请 %(minutes)s 分钟后再试。忘记密码请联系本单位联络员重置。",
                  minutes=minutes)
            )
            status = 429
        else:
            form.password.errors.append(_("工号/手机号或密码不正确"))
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("您已安全退出。"), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        problem = services.change_own_password(current_user, form.current_password.data, form.new_password.data)
        if problem is None:
            db.session.commit()
            flash(_("密码已修改。"), "success")
            return redirect(url_for("core.home"))
        getattr(form, problem.field).errors.append(problem.message)
    if request.method == "POST":
        status = 400
    return render_template("auth/change_password.html", form=form), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm(locale=current_user.locale or "zh")
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        db.session.commit()
        flash(_("设置已保存。"), "success")
        return redirect(url_for("auth.preferences"))
    return render_template("auth/preferences.html", form=form), 400 if request.method == "POST" else 200
