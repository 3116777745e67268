from datetime import timedelta

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import services
from app.accounts.forms import ChangePasswordForm, LoginForm, PreferencesForm
from app.accounts.hashing import HashingBusy
from app.common.access import login_required, public
from app.common.clock import utcnow
from app.common.forms import ConfirmForm
from app.common.http import same_for_every_visitor
from app.common.problems import attach_problem
from app.extensions import db
from app.security import is_safe_redirect

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted ?next= must not send people elsewhere."""
    if is_safe_redirect(target):
        return target
    return url_for("core.home")


def _refusal_message(result: services.LoginResult) -> str:
    """Which limit refused the sign-in, and when to try again (minutes, and the local time)."""
    minutes = max(1, (result.locked_seconds + 59) // 60)
    until = format_time(utcnow() + timedelta(seconds=result.locked_seconds), "HH:mm")
    if result.limit == "address":
        return _("您所在网络（同一出口地址）登录失败次数过多，已输错过密码的账号请 %(minutes)s 分钟后（%(time)s 后）再试；"
                 "未输错过的账号仍可登录，但会稍慢。", minutes=minutes, time=until)
    if result.limit == "pair":
        return _("此账号在本设备（本网络）登录失败次数过多，已暂时锁定，请 %(minutes)s 分钟后（%(time)s 后）再试。"
                 "忘记密码请联系本单位联络员重置，重置后即可登录。", minutes=minutes, time=until)
    return _("此账号登录失败次数过多，已暂时锁定，请 %(minutes)s 分钟后（%(time)s 后）再试。"
             "忘记密码请联系本单位联络员重置，重置后即可登录。", minutes=minutes, time=until)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    if request.method == "GET":  # the same empty form for everyone
        return same_for_every_visitor("auth.login", lambda: render_template("auth/login.html", form=LoginForm()))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            result = services.authenticate(form.login.data, form.password.data, request.remote_addr or "")
        except HashingBusy as busy:  # nothing counted or written: the same sign-in may simply be sent again
            form.password.errors.append(busy.message)
            response = make_response(render_template("auth/login.html", form=form), 503)
            response.headers["Retry-After"] = "5"
            return response
        if result.ok:
            session.permanent = True
            session[services.SESSION_KEY] = services.start_session(result.user)
            login_user(result.user)  # before the commit, which expires the user: nothing to reload after it
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        db.session.commit()
        if result.locked_seconds:
            form.password.errors.append(_refusal_message(result))
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
    services.end_session(session.get(services.SESSION_KEY))
    db.session.commit()
    logout_user()
    session.pop(services.SESSION_KEY, None)
    flash(_("您已安全退出。"), "success")
    return redirect(url_for("auth.login"))


@bp.post("/account/sessions/end")
@login_required
def sign_out_everywhere():
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("auth.preferences"))
    services.sign_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    session.pop(services.SESSION_KEY, None)
    flash(_("已退出所有设备（包括本设备），请重新登录。"), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current_password.data, form.new_password.data,
                                         keep_session=session.get(services.SESSION_KEY))
        except (services.PasswordProblem, HashingBusy) as problem:  # nothing written either way
            attach_problem(form, problem, default="new_password")
        else:
            db.session.commit()
            flash(_("密码已修改。"), "success")
            flash(_("其他设备上的登录已同时退出。"), "info")
            return redirect(url_for("core.home"))
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
    return render_template("auth/preferences.html", form=form, end_form=ConfirmForm()), \
        400 if request.method == "POST" else 200
