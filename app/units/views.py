"""Units (单位) and branches (支部): organisers manage them, liaisons see their own unit."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm
from app.common.problems import attach_problem
from app.errors import abort_with
from app.extensions import db
from app.units import services
from app.units.forms import MoveForm, UnitForm
from app.units.models import Unit

bp = Blueprint("units", __name__, url_prefix="/units")


def _unit_or_404(unit_id: int) -> Unit:
    return db.get_or_404(Unit, unit_id)


def _top_level_or_404(unit_id: int) -> Unit:
    unit = _unit_or_404(unit_id)
    if unit.parent_id is not None:
        abort(404)
    return unit


def _may_view(unit: Unit) -> None:
    if not current_user.can_manage_unit(services.top_level_unit_id(unit)):
        abort_with(403, _("您只能查看本单位的信息。"))


def _back_to(unit: Unit):
    if unit.parent_id is not None:
        return redirect(url_for("units.show", unit_id=unit.parent_id))
    return redirect(url_for("units.index"))


# ---------------------------------------------------------------- pages

def _render_index(form: UnitForm, status: int = 200):
    units = services.units_in_order()
    return render_template(
        "units/index.html", units=units, form=form,
        headcounts=services.unit_headcounts(), branch_counts=services.branch_headcounts(),
    ), status


def _render_show(unit: Unit, form: UnitForm | None = None, status: int = 200):
    return render_template(
        "units/show.html", unit=unit, form=form or UnitForm(formdata=None),
        headcount=services.unit_headcount(unit), branch_counts=services.branch_headcounts([unit.id]),
    ), status


@bp.get("/")
@roles_required(Role.ORGANISER, Role.LIAISON)
def index():
    if not current_user.is_organiser:
        return redirect(url_for("units.show", unit_id=current_user.liaison_unit_id))
    return _render_index(UnitForm(formdata=None))


@bp.get("/<int:unit_id>")
@roles_required(Role.ORGANISER, Role.LIAISON)
def show(unit_id: int):
    unit = _unit_or_404(unit_id)
    _may_view(unit)
    if unit.parent_id is not None:
        return redirect(url_for("units.show", unit_id=unit.parent_id, _anchor=f"branch-{unit.id}"))
    return _render_show(unit)


# ---------------------------------------------------------------- changes (organisers)

@bp.post("/")
@roles_required(Role.ORGANISER)
def create():
    form = UnitForm()
    if form.validate_on_submit():
        try:
            unit = services.create_unit(current_user, form.name.data)
        except services.UnitProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            flash(_("已添加单位“%(name)s”。", name=unit.name), "success")
            return redirect(url_for("units.index"))
    return _render_index(form, 400)


@bp.post("/<int:unit_id>/branches")
@roles_required(Role.ORGANISER)
def create_branch(unit_id: int):
    unit = _top_level_or_404(unit_id)
    form = UnitForm()
    if form.validate_on_submit():
        try:
            branch = services.create_unit(current_user, form.name.data, parent=unit)
        except services.UnitProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            flash(_("已添加支部“%(name)s”。", name=branch.name), "success")
            return redirect(url_for("units.show", unit_id=unit.id))
    return _render_show(unit, form, 400)


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = UnitForm(obj=unit) if request.method == "GET" else UnitForm()
    if form.validate_on_submit():
        try:
            services.rename_unit(current_user, unit, form.name.data)
        except services.UnitProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            flash(_("名称已保存。"), "success")
            return _back_to(unit)
    return render_template("units/edit.html", unit=unit, form=form), 400 if form.is_submitted() else 200


@bp.post("/<int:unit_id>/move")
@roles_required(Role.ORGANISER)
def move(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort_with(400, _("无效的移动方向"))
    if services.move_unit(current_user, unit, form.direction.data):
        db.session.commit()
    return _back_to(unit)


@bp.route("/<int:unit_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def delete(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("units/delete.html", unit=unit, form=form,
                               blockers=services.deletion_blockers(unit)), status
    parent_id, name = unit.parent_id, unit.name
    try:
        services.delete_unit(current_user, unit)
    except services.UnitProblem as problem:
        db.session.rollback()
        unit = _unit_or_404(unit_id)
        return render_template("units/delete.html", unit=unit, form=form, problem=str(problem),
                               blockers=services.deletion_blockers(unit)), 409
    db.session.commit()
    flash(_("已删除“%(name)s”。", name=name), "success")
    if parent_id is not None:
        return redirect(url_for("units.show", unit_id=parent_id))
    return redirect(url_for("units.index"))
