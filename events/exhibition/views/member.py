"""投稿 (members): open exhibitions and my works, the phone submission page, staging one image,
editing and withdrawing."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import login_required
from app.common.forms import options
from app.common.http import int_arg, no_store, private_pages
from app.common.problems import Problem, attach_problem
from app.common.uploads import UploadTooLarge, read_limited
from app.extensions import db
from events.exhibition.forms import WorkForm
from events.exhibition.images import ImageRefused
from events.exhibition.models import Exhibition, Work
from events.exhibition.services import files, works
from events.exhibition.services.processing import start_processing
from events.exhibition.services.setup import category_of, is_open, open_exhibitions

bp = Blueprint("member", __name__)
private_pages(bp)


def _work_form(exhibition: Exhibition, work: Work | None) -> WorkForm:
    if work is not None and request.method == "GET":
        form = WorkForm(data={
            "category_id": work.category_id, "title": work.title, "statement": work.statement,
            "width_cm": work.width_cm, "height_cm": work.height_cm, "medium": work.medium,
            "year_made": work.year_made, "coauthors": ", ".join(person.staff_id for person in work.coauthors),
            "pledge": work.pledged_at is not None})
    else:
        form = WorkForm()
    form.category_id.choices = options([(category.id, category.name) for category in exhibition.categories])
    return form


def _draft(form: WorkForm) -> works.WorkDraft:
    return works.WorkDraft(
        category_id=form.category_id.data, title=form.title.data, statement=form.statement.data or "",
        width_cm=form.width_cm.data, height_cm=form.height_cm.data, medium=form.medium.data or "",
        year_made=form.year_made.data, coauthor_staff_ids=form.coauthor_ids(), pledge=bool(form.pledge.data),
        tokens=form.tokens(), submit=form.save_draft.data != "1")


def _render_form(exhibition: Exhibition, form: WorkForm, work: Work | None, problems=(), status: int = 200):
    return render_template("exhibition/member/submit.html", exhibition=exhibition, form=form, work=work,
                           problems=list(problems), remaining=works.remaining_slots(exhibition, current_user),
                           stage_url=url_for("exhibition.member.stage", exhibition_id=exhibition.id)), status


def _saved(saved: works.Saved, message: str):
    """Commit once, then start the processing job and tidy files; a failed commit leaves no file."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.remove_files(saved.kept)
        raise
    files.remove_files(saved.dropped)
    work = saved.work
    if work.processing:
        start_processing(work, current_user)
    flash(message, "success")
    return redirect(url_for("exhibition.gallery.work", work_id=work.id))


@bp.get("/")
@login_required
def index():
    return render_template("exhibition/member/index.html", exhibitions=open_exhibitions(),
                           mine=works.works_of(current_user), may_edit=works.may_edit)


@bp.route("/<int:exhibition_id>/submit", methods=["GET", "POST"])
@login_required
def submit(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    form = _work_form(exhibition, None)
    if not is_open(exhibition):
        flash(_("不在征集时间内"), "warning")
        return redirect(url_for("exhibition.member.index"))
    if form.validate_on_submit():
        try:
            saved = works.create_work(exhibition, current_user, _draft(form))
        except Problem as problem:
            db.session.rollback()
            shown = attach_problem(form, problem)
            return _render_form(exhibition, form, None, () if shown else [problem.message], 400)
        return _saved(saved, _("作品已提交，正在处理图片。") if saved.work.status == "submitted" else _("草稿已保存。"))
    return _render_form(exhibition, form, None, status=400 if form.is_submitted() else 200)


@bp.route("/works/<int:work_id>/edit", methods=["GET", "POST"])
@login_required
def edit(work_id: int):
    work = db.get_or_404(Work, work_id)
    if work.author_id != current_user.id:
        abort(404)
    exhibition = work.exhibition
    if not works.may_edit(work, current_user):
        flash(_("作品已截止或已进入审核，不能修改"), "warning")
        return redirect(url_for("exhibition.gallery.work", work_id=work.id))
    form = _work_form(exhibition, work)
    if form.validate_on_submit():
        try:
            saved = works.update_work(work, current_user, _draft(form))
        except Problem as problem:
            db.session.rollback()
            work = db.get_or_404(Work, work_id)
            shown = attach_problem(form, problem)
            return _render_form(work.exhibition, form, work, () if shown else [problem.message], 400)
        return _saved(saved, _("修改已保存。"))
    return _render_form(exhibition, form, work, status=400 if form.is_submitted() else 200)


@bp.post("/works/<int:work_id>/withdraw")
@login_required
def withdraw(work_id: int):
    work = db.get_or_404(Work, work_id)
    if work.author_id != current_user.id:
        abort(404)
    try:
        paths = works.withdraw_work(work, current_user)
    except Problem as problem:
        db.session.rollback()
        flash(problem.message, "warning")
        return redirect(url_for("exhibition.gallery.work", work_id=work_id))
    db.session.commit()
    files.remove_files(paths)
    flash(_("作品已撤回，图片已删除。"), "success")
    return redirect(url_for("exhibition.member.index"))


@bp.get("/works/<int:work_id>/status")
@login_required
def work_status(work_id: int):
    work = db.get_or_404(Work, work_id)
    if work.author_id != current_user.id and not files.is_organiser(current_user):
        abort(404)
    return no_store(jsonify({"processing": work.processing, "status": work.status}))


def _refusal(message: str, status: int = 400):
    return no_store(jsonify({"ok": False, "message": str(message)})), status


@bp.post("/<int:exhibition_id>/stage")
@login_required
def stage(exhibition_id: int):
    """One image, the request body itself (not a form): refused before it is read whole when too big."""
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    if not is_open(exhibition):
        return _refusal(_("不在征集时间内"))
    if current_user.unit_id is None:
        return _refusal(_("您不在名册中，不能投稿"), 403)
    category = category_of(exhibition, int_arg("category_id", strict=False))
    too_big = _("文件超过 %(size)s MB，请压缩后再上传", size=exhibition.max_file_mb)
    if request.content_length is not None and request.content_length > exhibition.max_bytes:
        return _refusal(too_big, 413)
    try:
        data = read_limited(request.stream, exhibition.max_bytes)
        result = works.stage_image(exhibition, category, data, current_user)
    except UploadTooLarge:
        return _refusal(too_big, 413)
    except ImageRefused as refused:
        return _refusal(refused.message)
    return no_store(jsonify({"ok": True, **result}))
