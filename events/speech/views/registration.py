"""报名 (registration): liaisons register their unit's members, members apply, organisers review,
import and export; manuscripts and photos only for whom they belong to."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import User
from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm, options
from app.common.http import download, no_store, private_pages, xlsx_download
from app.common.problems import Problem, attach_problem, commit_or_show
from app.common.xlsx import ImportFailed
from app.extensions import db
from events.speech.forms.registration import (
    MANUSCRIPT_ACCEPT,
    EntryForm,
    ImportForm,
    LiaisonEntryForm,
    OrganiserEntryForm,
    RejectForm,
)
from events.speech.models import SpeechContest, SpeechEntry
from events.speech.services import registration as services
from events.speech.services import registration_files as files
from events.speech.services import registration_import
from events.speech.services.registration_export import registration_workbook, status_label

bp = Blueprint("registration", __name__, url_prefix="/registration")
private_pages(bp)


@bp.app_template_filter("entry_status")
def entry_status(status: str) -> str:
    return status_label(status)


def _contest_or_404(contest_id: int) -> SpeechContest:
    return db.get_or_404(SpeechContest, contest_id)


def _entry_or_404(entry_id: int, *, manage: bool = False) -> SpeechEntry:
    """The entry when the current user may see it (manage: may manage it); 404 otherwise, so an id
    tells nothing about another unit's or member's entries."""
    entry = db.get_or_404(SpeechEntry, entry_id)
    allowed = services.can_manage_entry(current_user, entry) if manage else services.can_see_entry(current_user, entry)
    if not allowed:
        abort(404)
    return entry


def _show_problem(form, problem: Problem, default: str | None = None) -> None:
    if not attach_problem(form, problem, default):
        flash(problem.message, "error")


@bp.get("/")
@roles_required(Role.LIAISON, Role.MEMBER)
def index():
    """A liaison's unit entries per contest, and a member's open contests and own entries."""
    contests = list(db.session.scalars(sa.select(SpeechContest).order_by(SpeechContest.id.desc())))
    unit_id = current_user.liaison_unit_id
    unit_lines = []
    if unit_id is not None:
        for contest in contests:
            unit_lines.append((contest, services.contest_entries(contest, unit_id=unit_id),
                               services.window_state(contest)))
    own = services.member_entries(current_user) if current_user.has_role(Role.MEMBER) else {}
    member_lines = [(contest, own.get(contest.id), services.window_state(contest)) for contest in contests
                    if contest.id in own or (contest.allow_self_apply and services.window_state(contest) == services.OPEN)]
    return render_template("events/speech/registration/index.html", unit_lines=unit_lines,
                           member_lines=member_lines if current_user.has_role(Role.MEMBER) else [],
                           withdraw_form=ConfirmForm())


@bp.get("/contests/<int:contest_id>")
@roles_required(Role.LIAISON, Role.ORGANISER)
def contest(contest_id: int):
    """Organisers: every entry with review buttons; liaisons: their unit's entries and quota."""
    contest = _contest_or_404(contest_id)
    if current_user.is_organiser:
        status = request.args.get("status") or None
        if status not in (None, "registered", "approved", "rejected", "withdrawn"):
            status = None
        entries = services.contest_entries(contest, status=status)
        return render_template("events/speech/registration/review.html", contest=contest, entries=entries,
                               status=status, window=services.window_state(contest), confirm=ConfirmForm(),
                               units=services.unit_summary(contest))
    unit_id = current_user.liaison_unit_id
    return render_template(
        "events/speech/registration/unit.html", contest=contest, entries=services.contest_entries(contest, unit_id=unit_id),
        used=services.seats_used(contest, unit_id), window=services.window_state(contest), confirm=ConfirmForm())


@bp.route("/contests/<int:contest_id>/register", methods=["GET", "POST"])
@roles_required(Role.LIAISON, Role.ORGANISER)
def register(contest_id: int):
    contest = _contest_or_404(contest_id)
    if current_user.is_organiser:
        form = OrganiserEntryForm()
    else:
        form = LiaisonEntryForm()
        form.member_id.choices = options(
            [(member.id, f"{member.name}（{member.staff_id}）")
             for member in services.registrable_members(contest, current_user.liaison_unit_id)])
    if form.validate_on_submit():
        if current_user.is_organiser:
            member = db.session.scalar(sa.select(User).where(User.staff_id == form.staff_id.data))
            field = "staff_id"
        else:
            member = db.session.get(User, form.member_id.data)
            field = "member_id"
        manuscript, photo = form.uploads()
        try:
            if member is None:
                raise Problem(_("找不到这个人员"), field)
            entry = services.register(contest, member, actor=current_user, speech_title=form.speech_title.data,
                                      introduction=form.introduction.data, manuscript=manuscript, photo=photo)
        except Problem as problem:
            db.session.rollback()
            _show_problem(form, problem if problem.field != "member" else Problem(problem.message, field))
        else:
            db.session.commit()
            flash(_("已报名：%(name)s。", name=member.name) + (
                _("等待组织者审核。") if entry.status == "registered" else ""), "success")
            return redirect(url_for("speech.registration.contest", contest_id=contest.id))
    return (render_template("events/speech/registration/register.html", form=form, contest=contest,
                            window=services.window_state(contest), accept=MANUSCRIPT_ACCEPT,
                            used=None if current_user.is_organiser else services.seats_used(contest, current_user.liaison_unit_id)),
            400 if form.is_submitted() else 200)


@bp.route("/contests/<int:contest_id>/apply", methods=["GET", "POST"])
@roles_required(Role.MEMBER)
def apply(contest_id: int):
    """A member applies for themselves; the organiser approves or rejects."""
    contest = _contest_or_404(contest_id)
    existing = services.member_entries(current_user).get(contest.id)
    form = EntryForm()
    if form.validate_on_submit():
        manuscript, photo = form.uploads()
        try:
            services.register(contest, current_user, actor=current_user, speech_title=form.speech_title.data,
                              introduction=form.introduction.data, manuscript=manuscript, photo=photo)
        except Problem as problem:
            db.session.rollback()
            _show_problem(form, problem, "speech_title")
        else:
            db.session.commit()
            flash(_("已提交报名申请，等待组织者审核。"), "success")
            return redirect(url_for("speech.registration.index"))
    return (render_template("events/speech/registration/apply.html", form=form, contest=contest, existing=existing,
                            window=services.window_state(contest), accept=MANUSCRIPT_ACCEPT),
            400 if form.is_submitted() else 200)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(Role.LIAISON, Role.ORGANISER, Role.MEMBER)
def edit(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = EntryForm(data={"speech_title": entry.speech_title, "introduction": entry.introduction}) \
        if request.method == "GET" else EntryForm()
    if form.validate_on_submit():
        manuscript, photo = form.uploads()
        try:
            replaced = services.update_entry(entry, actor=current_user, speech_title=form.speech_title.data,
                                             introduction=form.introduction.data, manuscript=manuscript, photo=photo)
        except Problem as problem:
            db.session.rollback()
            _show_problem(form, problem)
        else:
            db.session.commit()
            for name in replaced:  # only once the new names are committed
                files.remove(name)
            flash(_("已保存。"), "success")
            return redirect(_back(entry))
    return (render_template("events/speech/registration/edit.html", form=form, entry=entry, accept=MANUSCRIPT_ACCEPT,
                            back=_back(entry)), 400 if form.is_submitted() else 200)


def _back(entry: SpeechEntry) -> str:
    if services.can_manage_entry(current_user, entry):
        return url_for("speech.registration.contest", contest_id=entry.contest_id)
    return url_for("speech.registration.index")


@bp.post("/entries/<int:entry_id>/approve")
@roles_required(Role.ORGANISER)
def approve(entry_id: int):
    entry = _entry_or_404(entry_id, manage=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_show(None, lambda: services.approve(entry, actor=current_user),
                   _("已通过：%(name)s。", name=entry.member.name))
    return redirect(url_for("speech.registration.contest", contest_id=entry.contest_id, status="registered"))


@bp.post("/contests/<int:contest_id>/approve-all")
@roles_required(Role.ORGANISER)
def approve_all(contest_id: int):
    contest = _contest_or_404(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    approved = services.approve_all(contest, actor=current_user)
    db.session.commit()
    flash(_("已通过 %(n)s 条报名。", n=approved), "success")
    return redirect(url_for("speech.registration.contest", contest_id=contest.id))


@bp.route("/entries/<int:entry_id>/reject", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def reject(entry_id: int):
    entry = _entry_or_404(entry_id, manage=True)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.reject(entry, actor=current_user, reason=form.reason.data)
        except Problem as problem:
            db.session.rollback()
            _show_problem(form, problem, "reason")
        else:
            db.session.commit()
            flash(_("已标记为未通过：%(name)s。", name=entry.member.name), "success")
            return redirect(url_for("speech.registration.contest", contest_id=entry.contest_id))
    return (render_template("events/speech/registration/reject.html", form=form, entry=entry),
            400 if form.is_submitted() else 200)


@bp.post("/entries/<int:entry_id>/withdraw")
@roles_required(Role.LIAISON, Role.ORGANISER, Role.MEMBER)
def withdraw(entry_id: int):
    entry = _entry_or_404(entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    commit_or_show(None, lambda: services.withdraw(entry, actor=current_user),
                   _("已撤回报名：%(name)s。", name=entry.member.name))
    return redirect(_back(entry))


@bp.get("/entries/<int:entry_id>/manuscript")
@roles_required(Role.LIAISON, Role.ORGANISER)
def manuscript(entry_id: int):
    """The manuscript, for organisers and the registering unit's liaison only."""
    entry = _entry_or_404(entry_id, manage=True)
    content = files.read(entry.manuscript_file)
    if content is None:
        abort(404)
    name = entry.manuscript_name or f"manuscript.{entry.manuscript_type}"
    return download(content, name, files.MIMETYPES.get(entry.manuscript_type or "", "application/octet-stream"))


@bp.get("/entries/<int:entry_id>/photo")
@roles_required(Role.LIAISON, Role.ORGANISER, Role.MEMBER)
def photo(entry_id: int):
    """The photo (always a JPEG we wrote), for whoever may see the entry."""
    entry = _entry_or_404(entry_id)
    content = files.read(entry.photo_file)
    if content is None:
        abort(404)
    from flask import Response

    response = Response(content, mimetype="image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return no_store(response)


@bp.route("/contests/<int:contest_id>/import", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def import_entries(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = registration_import.import_entries(contest, upload.stream, actor=current_user,
                                                        filename=upload.filename or "")
        except ImportFailed as failed:
            db.session.rollback()
            problems = failed.problems
        else:
            db.session.commit()
            flash(_("已导入 %(n)s 名选手（均为已通过）。", n=result.total), "success")
            return redirect(url_for("speech.registration.contest", contest_id=contest.id))
    return (render_template("events/speech/registration/import.html", form=form, contest=contest, problems=problems),
            400 if form.is_submitted() else 200)


@bp.get("/contests/<int:contest_id>/import/template")
@roles_required(Role.ORGANISER)
def import_template(contest_id: int):
    _contest_or_404(contest_id)
    return xlsx_download(registration_import.template(), _("选手导入模板.xlsx"))


@bp.get("/contests/<int:contest_id>/export")
@roles_required(Role.ORGANISER)
def export(contest_id: int):
    contest = _contest_or_404(contest_id)
    return xlsx_download(registration_workbook(contest), _("%(title)s 报名名单.xlsx", title=contest.title))
