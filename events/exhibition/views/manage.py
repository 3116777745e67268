"""展览管理 (organisers): the exhibitions, their settings and categories, an exhibition's overview."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import options
from app.common.http import private_pages
from app.common.problems import Problem, attach_problem
from app.extensions import db
from events.exhibition.forms import CATEGORY_ROWS, ExhibitionForm, parse_ids
from events.exhibition.models import Exhibition
from events.exhibition.services import review as reviewing
from events.exhibition.services import setup

bp = Blueprint("manage", __name__, url_prefix="/manage")
private_pages(bp)


def _category_rows(specs) -> list[dict]:
    rows = [{"category_id": str(spec.id or ""), "name": spec.name, "works_per_member": spec.works_per_member,
             "max_images": spec.max_images, "min_long_edge": spec.min_long_edge, "is_photo": spec.is_photo,
             "has_physical": spec.has_physical, "checklist": spec.checklist} for spec in specs]
    return (rows + [{} for _ in range(CATEGORY_ROWS)])[:CATEGORY_ROWS]


def _form(exhibition: Exhibition | None) -> ExhibitionForm:
    if request.method == "GET":
        if exhibition is not None:
            values = setup.settings_of(exhibition)
            form = ExhibitionForm(data={
                "campaign_id": values.campaign_id, "title": values.title, "rules": values.rules,
                "opens_at": values.opens_at_local, "closes_at": values.closes_at_local,
                "max_file_mb": values.max_file_mb, "exif_required": values.exif_required,
                "review_required": values.review_required, "categories": _category_rows(values.categories)})
        else:
            form = ExhibitionForm(data={"categories": _category_rows(setup.default_categories()),
                                        "exif_required": True, "review_required": True, "max_file_mb": 30})
    else:
        form = ExhibitionForm()
    form.campaign_id.choices = options(setup.campaign_choices())
    return form


def _settings(form: ExhibitionForm) -> setup.ExhibitionSettings:
    specs = []
    for row in form.categories:
        if row.form.is_blank:
            continue
        ids = parse_ids(row.form.category_id.data or "")
        specs.append(setup.CategorySpec(
            name=row.form.name.data, works_per_member=row.form.works_per_member.data or 1,
            max_images=row.form.max_images.data or 1, min_long_edge=row.form.min_long_edge.data or 0,
            is_photo=bool(row.form.is_photo.data), has_physical=bool(row.form.has_physical.data),
            checklist=row.form.checklist.data or "", id=ids[0] if ids else None))
    return setup.ExhibitionSettings(
        campaign_id=form.campaign_id.data, title=form.title.data, rules=form.rules.data or "",
        opens_at_local=form.opens_at.data, closes_at_local=form.closes_at.data, max_file_mb=form.max_file_mb.data,
        exif_required=bool(form.exif_required.data), review_required=bool(form.review_required.data),
        categories=specs)


@bp.get("/")
@roles_required(Role.ORGANISER)
def index():
    return render_template("exhibition/manage/index.html", exhibitions=setup.exhibitions_newest_first())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def create():
    form = _form(None)
    problems = []
    if form.validate_on_submit():
        try:
            exhibition = setup.create_exhibition(current_user, _settings(form))
        except Problem as problem:
            db.session.rollback()
            if not attach_problem(form, problem):
                problems.append(problem.message)
        else:
            db.session.commit()
            flash(_("展览已创建。"), "success")
            return redirect(url_for("exhibition.manage.show", exhibition_id=exhibition.id))
    return render_template("exhibition/manage/form.html", form=form, exhibition=None, problems=problems), \
        400 if form.is_submitted() else 200


@bp.route("/<int:exhibition_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    form = _form(exhibition)
    problems = []
    if form.validate_on_submit():
        try:
            setup.update_exhibition(current_user, exhibition, _settings(form))
        except Problem as problem:
            db.session.rollback()
            exhibition = db.get_or_404(Exhibition, exhibition_id)
            if not attach_problem(form, problem):
                problems.append(problem.message)
        else:
            db.session.commit()
            flash(_("设置已保存。"), "success")
            return redirect(url_for("exhibition.manage.show", exhibition_id=exhibition.id))
    return render_template("exhibition/manage/form.html", form=form, exhibition=exhibition, problems=problems), \
        400 if form.is_submitted() else 200


@bp.get("/<int:exhibition_id>")
@roles_required(Role.ORGANISER)
def show(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    return render_template("exhibition/manage/show.html", exhibition=exhibition,
                           counts=reviewing.counts(exhibition), is_open=setup.is_open(exhibition))
