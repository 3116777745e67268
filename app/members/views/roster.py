"""Roster pages: list, person page, create and edit, (de)activate, password reset, roles."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm
from app.common.http import int_arg
from app.common.problems import attach_problem
from app.errors import abort_with
from app.extensions import db
from app.members import password_sheets, services
from app.members.forms import MemberForm, RolesForm, StaffAccountForm
from app.members.services import MemberData, MemberProblem, NotAllowed
from app.members.views.common import (
    MANAGERS,
    bp,
    commit_or_conflict,
    filters_from,
    load_member,
    password_page,
)


@bp.get("/")
@roles_required(*MANAGERS)
def index():
    filters = filters_from(request.args)
    page_number = min(int_arg("page", 1, minimum=1, strict=False), 100_000)
    page = services.list_members(current_user, filters, page=page_number)
    if current_user.is_organiser:
        password_sheets.purge_expired()
    return render_template("members/index.html", page=page, filters=filters,
                           units=services.units_for(current_user), branches=services.branches_for(current_user),
                           staff_only=services.STAFF_ONLY, counts=services.roster_counts(current_user, filters))


@bp.get("/<int:member_id>")
@roles_required(*MANAGERS)
def detail(member_id: int):
    member = load_member(member_id)
    return render_member(member)


def render_member(member, roles_form: RolesForm | None = None, status: int = 200):
    grantable = services.grantable_roles(current_user, member)
    if roles_form is None and grantable:
        roles_form = RolesForm(formdata=None, roles=[grant.role for grant in member.role_grants],
                               liaison_unit_id=member.liaison_unit_id or 0)
    if roles_form is not None:
        roles_form.set_choices(grantable, services.units_for(current_user))
    return render_template("members/detail.html", member=member, action_form=ConfirmForm(),
                           can_change=services.can_change(current_user, member), roles_form=roles_form), status


def _member_form(member=None) -> MemberForm:
    # Prefill from the person on GET only: a POST is judged on what was sent (a missing select is "").
    form = MemberForm(obj=member) if member is not None and request.method == "GET" else MemberForm()
    allow_no_unit = current_user.has_role(Role.ADMIN) or (member is not None and member.unit_id is None)
    form.set_places(services.units_for(current_user), services.branches_for(current_user),
                    allow_no_unit=allow_no_unit and member is not None, groups=services.groups_for(current_user))
    if request.method == "GET" and member is not None:
        form.unit_id.data = member.unit_id or 0
        form.branch_id.data = member.branch_id or 0
        form.gender.data = member.gender or ""
        form.political_status.data = member.political_status or ""
        form.party_group_id.data = member.party_group_id or 0
    return form


def _value(form, name: str):
    field = getattr(form, name, None)
    return (field.data or None) if field is not None else None


def _data_from(form) -> MemberData:
    return MemberData(**{name: _value(form, name) for name in (
        "name", "staff_id", "mobile", "unit_id", "branch_id", "gender", "political_status", "party_group_id",
        "is_branch_committee")})


def _attach(form, problem: MemberProblem) -> None:
    if not attach_problem(form, problem):
        flash(problem.message, "error")


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create():
    form = _member_form()
    if form.validate_on_submit():
        try:
            member, password = services.create_member(current_user, _data_from(form))
        except MemberProblem as problem:
            _attach(form, problem)
        else:
            commit_or_conflict()
            return password_page(member, password, created=True, status=201)
    status = 400 if request.method == "POST" else 200
    return render_template("members/form.html", form=form, member=None), status


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(member_id: int):
    member = load_member(member_id)
    if not services.can_change(current_user, member):
        abort(403)
    form = _member_form(member)
    if form.validate_on_submit():
        try:
            changed = services.update_member(current_user, member, _data_from(form))
        except MemberProblem as problem:
            _attach(form, problem)
        else:
            commit_or_conflict()
            flash(_("已保存。") if changed else _("没有改动。"), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    status = 400 if request.method == "POST" else 200
    return render_template("members/form.html", form=form, member=member), status


def _change(member_id: int, change):
    member = load_member(member_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        outcome = change(member)
    except NotAllowed:
        abort(403)
    except MemberProblem as problem:
        abort_with(400, problem.message)
    return member, outcome


@bp.post("/<int:member_id>/deactivate")
@roles_required(*MANAGERS)
def deactivate(member_id: int):
    member, _outcome = _change(member_id, lambda m: services.set_active(current_user, m, False))
    db.session.commit()
    flash(_("已停用 %(name)s，该账号不能再登录。", name=member.name), "success")
    return redirect(url_for("members.detail", member_id=member.id))


@bp.post("/<int:member_id>/reactivate")
@roles_required(*MANAGERS)
def reactivate(member_id: int):
    member, _outcome = _change(member_id, lambda m: services.set_active(current_user, m, True))
    db.session.commit()
    flash(_("已恢复 %(name)s 的账号。", name=member.name), "success")
    return redirect(url_for("members.detail", member_id=member.id))


@bp.post("/<int:member_id>/reset-password")
@roles_required(*MANAGERS)
def reset_password(member_id: int):
    member, password = _change(member_id, lambda m: services.reset_member_password(current_user, m))
    db.session.commit()
    return password_page(member, password)


@bp.post("/<int:member_id>/roles")
@roles_required(Role.ORGANISER)
def roles(member_id: int):
    member = load_member(member_id)
    grantable = services.grantable_roles(current_user, member)
    if not grantable:
        abort(403)
    form = RolesForm()
    form.set_choices(grantable, services.units_for(current_user))
    if not form.validate_on_submit():
        # An offered-but-forbidden role (admin from an organiser) fails choice validation: refuse it as such.
        if any(role not in grantable for role in request.form.getlist("roles")):
            abort(403)
        return render_member(member, form, 400)
    try:
        services.change_roles(current_user, member, set(form.roles.data or ()), form.liaison_unit_id.data or None)
    except NotAllowed:
        abort(403)
    except MemberProblem as problem:
        _attach(form, problem)
        return render_member(member, form, 400)
    db.session.commit()
    flash(_("角色已更新。"), "success")
    return redirect(url_for("members.detail", member_id=member.id))


@bp.route("/staff/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_staff():
    form = StaffAccountForm()
    form.set_choices(services.GRANTABLE_ROLES, services.units_for(current_user))
    if form.validate_on_submit():
        try:
            account, password = services.create_staff_account(
                current_user, _data_from(form), set(form.roles.data or ()), form.liaison_unit_id.data or None)
        except MemberProblem as problem:
            _attach(form, problem)
        else:
            commit_or_conflict()
            return password_page(account, password, created=True, status=201)
    status = 400 if request.method == "POST" else 200
    return render_template("members/staff_form.html", form=form), status
