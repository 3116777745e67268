"""Roster import and export pages (routes on the members blueprint)."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm
from app.common.http import no_store, xlsx_download
from app.common.tokens import InvalidToken
from app.common.xlsx import ImportFailed
from app.errors import abort_with
from app.extensions import db
from app.members import exports, import_jobs, password_sheets, services
from app.members.forms import ImportForm
from app.members.importing import import_roster
from app.members.views.common import MANAGERS, bp, filters_from


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def import_page():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("members/import.html", form=form), 400 if request.method == "POST" else 200
    upload = form.file.data
    content = upload.read()
    if import_jobs.runs_as_job(content):  # large: off the request, with a progress page
        job_id = import_jobs.start(content, owner=current_user, filename=upload.filename or "",
                                   create_units=form.create_units.data, password_mode=form.password_mode.data)
        return redirect(url_for("jobs.show", job_id=job_id))
    token = None
    try:
        result = import_roster(content, actor=current_user, create_units=form.create_units.data,
                               password_mode=form.password_mode.data, filename=upload.filename or "")
        if result.passwords:
            token = password_sheets.store_sheet(exports.password_sheet(result.passwords), current_user.id)
        db.session.commit()
    except ImportFailed as failure:
        db.session.rollback()
        return render_template("members/import.html", form=form, problems=failure.problems), 400
    except IntegrityError:
        db.session.rollback()
        if token:
            password_sheets.discard_sheet(token, current_user.id)
        abort_with(409, _("导入时名册被他人同时修改，没有导入任何数据，请重新导入。"))
    return no_store(make_response(render_template("members/import_result.html", result=result, token=token,
                                                  action_form=ConfirmForm())))


@bp.get("/import/template")
@roles_required(Role.ORGANISER)
def import_template():
    return xlsx_download(exports.roster_template(), "人员名册导入模板.xlsx", private=False)


@bp.get("/import/passwords/<token>")
@roles_required(Role.ORGANISER)
def password_sheet(token: str):
    try:
        content = password_sheets.fetch_sheet(token[:500], current_user.id)
    except InvalidToken:
        abort_with(404, _("密码表下载链接已失效（超过 1 小时、已删除或不属于您）。如需密码，请在人员页面重置。"))
    return xlsx_download(content, "初始密码.xlsx")


@bp.post("/import/passwords/<token>/delete")
@roles_required(Role.ORGANISER)
def delete_password_sheet(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        password_sheets.discard_sheet(token[:500], current_user.id)
    except InvalidToken:
        abort(404)
    flash(_("密码表已从服务器删除。"), "success")
    return redirect(url_for("members.index"))


@bp.get("/export")
@roles_required(*MANAGERS)
def export():
    member_ids = services.member_ids(current_user, filters_from(request.args))
    return xlsx_download(exports.roster_workbook(member_ids), "人员名册.xlsx")  # mobile numbers: private
