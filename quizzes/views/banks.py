"""Question banks (题库) for organisers: banks, questions, preview, spreadsheet import and export."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm
from app.common.http import xlsx_download
from app.common.problems import attach_problem
from app.common.xlsx import ImportFailed
from app.errors import abort_with
from app.extensions import db
from app.security import is_safe_redirect
from quizzes import jobs as quiz_jobs
from quizzes.forms.banks import BankForm, ImportForm, QuestionForm, read_filters
from quizzes.models import OPTION_LETTERS, QUESTION_TYPE_LABELS, Question, QuestionBank
from quizzes.services import bank_rules, bank_sheets, banks
from quizzes.services.answers import format_answer

bp = Blueprint("banks", __name__, url_prefix="/banks")

PER_PAGE = 20
PROBLEMS_SHOWN = 200


def _bank_or_404(bank_id: int) -> QuestionBank:
    return db.get_or_404(QuestionBank, bank_id)


def _question_or_404(bank: QuestionBank, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.bank_id != bank.id:
        abort(404)
    return question


# ---------------------------------------------------------------- banks

def _render_index(form: BankForm, status: int = 200):
    return render_template("quizzes/banks/index.html", summaries=banks.bank_summaries(), form=form,
                           type_labels=QUESTION_TYPE_LABELS), status


@bp.get("/")
@roles_required(Role.ORGANISER)
def index():
    return _render_index(BankForm(formdata=None))


@bp.post("/")
@roles_required(Role.ORGANISER)
def create():
    form = BankForm()
    if form.validate_on_submit():
        try:
            bank = banks.create_bank(current_user, form.name.data, form.description.data)
        except banks.BankProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            flash(_("已创建题库“%(name)s”。", name=bank.name), "success")
            return redirect(url_for("quizzes.banks.show", bank_id=bank.id))
    return _render_index(form, 400)


@bp.route("/<int:bank_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(bank_id: int):
    bank = _bank_or_404(bank_id)
    form = BankForm(obj=bank)
    if form.validate_on_submit():
        try:
            changed = banks.update_bank(current_user, bank, form.name.data, form.description.data)
        except banks.BankProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            if changed:
                flash(_("题库信息已保存。"), "success")
            return redirect(url_for("quizzes.banks.show", bank_id=bank.id))
    return render_template("quizzes/banks/edit_bank.html", bank=bank, form=form), 400 if form.is_submitted() else 200


@bp.get("/<int:bank_id>")
@roles_required(Role.ORGANISER)
def show(bank_id: int):
    bank = _bank_or_404(bank_id)
    filters, page_number = read_filters(request.args)
    page = banks.questions_page(bank, filters, page_number, PER_PAGE)
    return render_template(
        "quizzes/banks/show.html", bank=bank, page=page, filters=filters, summary=banks.bank_summary(bank),
        categories=banks.bank_categories(bank), type_labels=QUESTION_TYPE_LABELS,
        format_points=bank_rules.format_points,
    )


# ---------------------------------------------------------------- spreadsheets

@bp.get("/template.xlsx")
@roles_required(Role.ORGANISER)
def template():
    return xlsx_download(bank_sheets.template_bytes(), "题库导入模板.xlsx", private=False)


@bp.get("/<int:bank_id>/export.xlsx")
@roles_required(Role.ORGANISER)
def export(bank_id: int):
    bank = _bank_or_404(bank_id)
    return xlsx_download(bank_sheets.export_bank(bank), bank_sheets.export_filename(bank))  # holds the keys


@bp.route("/<int:bank_id>/import", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def import_sheet(bank_id: int):
    bank = _bank_or_404(bank_id)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        if quiz_jobs.bank_import_runs_as_job(content):  # large: off the request, with a progress page
            job_id = quiz_jobs.start_bank_import(bank, content, owner=current_user, filename=upload.filename or "")
            return redirect(url_for("jobs.show", job_id=job_id))
        try:
            report = bank_sheets.import_questions(bank, content, current_user, filename=upload.filename or "")
        except ImportFailed as failure:
            db.session.rollback()
            bank = _bank_or_404(bank_id)
            problems = failure.problems
        else:
            db.session.commit()
            for line in report.lines():
                flash(line, "success")
            return redirect(url_for("quizzes.banks.show", bank_id=bank.id))
    status = 400 if form.is_submitted() else 200
    return render_template("quizzes/banks/import.html", bank=bank, form=form, problems=problems[:PROBLEMS_SHOWN],
                           hidden_problems=max(0, len(problems) - PROBLEMS_SHOWN), columns=bank_sheets.COLUMNS), status


# ---------------------------------------------------------------- questions

def _submitted_draft(form: QuestionForm):
    """The checked question from a valid submission, else None; every problem goes beside its field
    (the shared question rules run even when a field failed, so all problems show at once)."""
    valid = form.validate_on_submit()
    if not form.is_submitted() or form.question_type.data not in QUESTION_TYPE_LABELS:
        return None
    draft, problems = bank_rules.check_question(
        form.question_type.data, form.stem.data, form.options(), form.answer.data, form.explanation.data,
        form.category.data, form.difficulty.data, form.points.data,
    )
    for field_name, message in problems:
        field = getattr(form, field_name)
        if not field.errors:
            field.errors.append(message)
    return draft if valid else None


def _render_question_form(bank: QuestionBank, form: QuestionForm, question: Question | None, status: int):
    usage = banks.usage_counts([question.id]).get(question.id, 0) if question is not None else 0
    return render_template("quizzes/banks/question_form.html", bank=bank, form=form, question=question,
                           usage=usage, categories=banks.bank_categories(bank), letters=OPTION_LETTERS), status


@bp.route("/<int:bank_id>/questions/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def new_question(bank_id: int):
    bank = _bank_or_404(bank_id)
    form = QuestionForm()
    if not form.is_submitted() and request.args.get("type") in QUESTION_TYPE_LABELS:
        form.question_type.data = request.args["type"]
    draft = _submitted_draft(form)
    if draft is not None:
        try:
            question = banks.add_question(current_user, bank, draft)
        except banks.BankProblem as problem:
            attach_problem(form, problem, default="stem")
        else:
            db.session.commit()
            flash(_("题目已添加。"), "success")
            if request.form.get("next") == "another":
                return redirect(url_for("quizzes.banks.new_question", bank_id=bank.id, type=question.question_type))
            return redirect(url_for("quizzes.banks.preview", bank_id=bank.id, question_id=question.id))
    return _render_question_form(bank, form, None, 400 if form.is_submitted() else 200)


@bp.route("/<int:bank_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit_question(bank_id: int, question_id: int):
    bank = _bank_or_404(bank_id)
    question = _question_or_404(bank, question_id)
    form = QuestionForm(data=None if request.method == "POST" else banks.form_values(question))
    draft = _submitted_draft(form)
    if draft is not None:
        try:
            changed = banks.update_question(current_user, question, draft)
        except banks.BankProblem as problem:
            attach_problem(form, problem, default="stem")
        else:
            db.session.commit()
            flash(_("题目已保存。") if changed else _("没有修改。"), "success")
            return redirect(url_for("quizzes.banks.preview", bank_id=bank.id, question_id=question.id))
    return _render_question_form(bank, form, question, 400 if form.is_submitted() else 200)


@bp.get("/<int:bank_id>/questions/<int:question_id>")
@roles_required(Role.ORGANISER)
def preview(bank_id: int, question_id: int):
    bank = _bank_or_404(bank_id)
    question = _question_or_404(bank, question_id)
    return render_template(
        "quizzes/banks/preview.html", bank=bank, question=question, letters=OPTION_LETTERS,
        answer_text=format_answer(question.question_type, question.answer),
        usage=banks.usage_counts([question.id]).get(question.id, 0), confirm=ConfirmForm(),
        points=bank_rules.format_points(question.points),
    )


def _set_active(bank_id: int, question_id: int, active: bool):
    bank = _bank_or_404(bank_id)
    question = _question_or_404(bank, question_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("页面已过期或表单校验失败，请刷新页面后重试。"))
    if banks.set_question_active(current_user, question, active):
        db.session.commit()
        flash(_("已启用该题。") if active else _("已停用该题，之后组卷不会再抽到它。"), "success")
    back = request.form.get("back", "")
    if is_safe_redirect(back) and back.startswith(url_for("quizzes.banks.show", bank_id=bank.id)):
        return redirect(back)
    return redirect(url_for("quizzes.banks.show", bank_id=bank.id))


@bp.post("/<int:bank_id>/questions/<int:question_id>/disable")
@roles_required(Role.ORGANISER)
def disable_question(bank_id: int, question_id: int):
    return _set_active(bank_id, question_id, False)


@bp.post("/<int:bank_id>/questions/<int:question_id>/enable")
@roles_required(Role.ORGANISER)
def enable_question(bank_id: int, question_id: int):
    return _set_active(bank_id, question_id, True)
