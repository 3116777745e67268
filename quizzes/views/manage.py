"""竞赛管理 (organisers): the quiz list, settings, the paper (rules or fixed questions), publishing."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm, options
from app.extensions import db
from quizzes.forms.settings import (
    AddQuestionsForm,
    FixedPaperForm,
    PublishForm,
    QuizSettingsForm,
    RulesForm,
    question_type_choices,
)
from quizzes.models import Quiz
from quizzes.services import settings as services
from quizzes.services.answers import format_answer
from quizzes.services.attempts import finalize_expired
from quizzes.services.papers import (
    PaperError,
    RuleSpec,
    assemble_paper,
    available_summary,
    displayed_options,
    new_seed,
    quiz_bank_ids,
    to_displayed,
    validate_rules,
)
from quizzes.services.rescoring import rescore_quiz
from quizzes.services.taking import manage_attempts_with_leaves
from quizzes.services.timing import window_status
from quizzes.views.settle import QUIZ, settles_expired

bp = Blueprint("manage", __name__, url_prefix="/manage")

BLANK_RULE_ROWS = 3


def _quiz_or_404(quiz_id: int) -> Quiz:
    return db.get_or_404(Quiz, quiz_id)


def _settings_form(quiz: Quiz | None) -> QuizSettingsForm:
    if quiz is not None and request.method == "GET":
        values = services.settings_of(quiz)
        form = QuizSettingsForm(data={
            "campaign_id": values.campaign_id, "title": values.title, "rules_text": values.rules_text,
            "opens_at": values.opens_at_local, "closes_at": values.closes_at_local,
            "time_limit_minutes": values.time_limit_minutes, "attempts_allowed": values.attempts_allowed,
            "counting": values.counting, "paper_mode": values.paper_mode, "banks": values.bank_ids,
            "eligible_units": values.eligible_unit_ids, "shuffle_questions": values.shuffle_questions,
            "shuffle_options": values.shuffle_options, "review_policy": values.review_policy,
            "partial_credit": values.partial_credit, "partial_credit_percent": values.partial_credit_percent,
            "leave_limit": values.leave_limit,
        })
    else:
        form = QuizSettingsForm()
    form.campaign_id.choices = options(services.campaign_choices())
    form.banks.choices = options(services.bank_choices())
    form.eligible_units.choices = options(services.unit_choices())
    return form


def _settings_from(form: QuizSettingsForm) -> services.QuizSettings:
    return services.QuizSettings(
        campaign_id=form.campaign_id.data, title=form.title.data, rules_text=form.rules_text.data or "",
        opens_at_local=form.opens_at.data, closes_at_local=form.closes_at.data,
        time_limit_minutes=form.time_limit_minutes.data, attempts_allowed=form.attempts_allowed.data,
        counting=form.counting.data, paper_mode=form.paper_mode.data, shuffle_questions=form.shuffle_questions.data,
        shuffle_options=form.shuffle_options.data, review_policy=form.review_policy.data,
        partial_credit=form.partial_credit.data, partial_credit_percent=form.partial_credit_percent.data or 50,
        leave_limit=form.leave_limit.data, bank_ids=list(form.banks.data or []),
        eligible_unit_ids=list(form.eligible_units.data or []),
    )


# ---------------------------------------------------------------- list and overview

@bp.get("/")
@roles_required(Role.ORGANISER)
@settles_expired(QUIZ)
def index():
    return render_template("quizzes/manage/index.html", lines=services.organiser_quizzes())


@bp.get("/<int:quiz_id>")
@roles_required(Role.ORGANISER)
@settles_expired(QUIZ)
def show(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    count, total = services.paper_total(quiz)
    return render_template(
        "quizzes/manage/show.html", quiz=quiz, status=window_status(quiz), problems=validate_rules(quiz),
        paper_count=count, paper_points=total, leaves=manage_attempts_with_leaves(quiz),
        publish_form=PublishForm(), rescore_form=ConfirmForm(),
        submitted=services.submitted_count(quiz),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def create():
    form = _settings_form(None)
    if not form.campaign_id.choices:
        flash(_("请先创建专项活动，再在活动下新建竞赛。"), "warning")
    if form.validate_on_submit():
        settings = _settings_from(form)
        quiz = services.create_quiz(current_user, settings)
        db.session.commit()
        flash(_("竞赛已创建（未发布）。下一步：设置试卷。"), "success")
        for warning in services.settings_warnings(settings):
            flash(warning, "warning")
        endpoint = "quizzes.manage.fixed_paper" if quiz.paper_mode == "fixed" else "quizzes.manage.rules"
        return redirect(url_for(endpoint, quiz_id=quiz.id))
    return render_template("quizzes/manage/form.html", form=form, quiz=None), 400 if form.is_submitted() else 200


@bp.route("/<int:quiz_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = _settings_form(quiz)
    problems: list[str] = []
    if form.validate_on_submit():
        settings = _settings_from(form)
        try:
            services.update_quiz(current_user, quiz, settings)
        except services.SettingsProblem as problem:
            db.session.rollback()
            problems = [problem.message, *problem.details]
        else:
            db.session.commit()
            flash(_("设置已保存。已开始的作答不受影响。"), "success")
            for warning in services.settings_warnings(settings):
                flash(warning, "warning")
            return redirect(url_for("quizzes.manage.show", quiz_id=quiz.id))
    elif request.method == "GET":
        for warning in services.settings_warnings(services.settings_of(quiz)):
            flash(warning, "warning")
    quiz = _quiz_or_404(quiz_id)
    return render_template("quizzes/manage/form.html", form=form, quiz=quiz, problems=problems), \
        400 if form.is_submitted() else 200


# ---------------------------------------------------------------- random paper rules

def _rule_rows_data(quiz: Quiz) -> list[dict]:
    rows = [{"question_type": r.question_type, "category": r.category, "difficulty": r.difficulty,
             "count": r.count, "points_each": r.points_each} for r in quiz.rules]
    return rows + [{"question_type": "single"} for _ in range(BLANK_RULE_ROWS)]


@bp.route("/<int:quiz_id>/rules", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def rules(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = RulesForm() if request.method == "POST" else RulesForm(data={"rows": _rule_rows_data(quiz)})
    problems: list[str] = []
    if form.validate_on_submit():
        specs = [RuleSpec(row.question_type.data, row.count.data, row.points_each.data,
                          row.category.data or "", row.difficulty.data or "")
                 for row in form.rows if not row.form.is_blank]
        try:
            services.save_rules(current_user, quiz, specs)
        except services.SettingsProblem as problem:
            db.session.rollback()
            problems = [problem.message, *problem.details]
        else:
            db.session.commit()
            flash(_("抽题规则已保存。"), "success")
            return redirect(url_for("quizzes.manage.show", quiz_id=quiz.id))
    quiz = _quiz_or_404(quiz_id)
    bank_ids = quiz_bank_ids(quiz)
    return render_template(
        "quizzes/manage/rules.html", quiz=quiz, form=form, problems=problems,
        summary=available_summary(bank_ids), categories=services.categories_of(bank_ids),
    ), 400 if form.is_submitted() else 200


# ---------------------------------------------------------------- fixed paper

@bp.get("/<int:quiz_id>/paper")
@roles_required(Role.ORGANISER)
def fixed_paper(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    return _render_fixed(quiz, FixedPaperForm(data={"rows": _fixed_rows_data(quiz)}), 200)


def _fixed_rows_data(quiz: Quiz) -> list[dict]:
    return [{"question_id": str(item.question_id), "position": item.position, "points": item.points}
            for item in quiz.fixed_items]


def _render_fixed(quiz: Quiz, form: FixedPaperForm, status: int, add_form: AddQuestionsForm | None = None):
    filters = {"question_type": request.args.get("type", ""), "category": request.args.get("category", ""),
               "text": request.args.get("q", "").strip()[:100]}
    if filters["question_type"] not in dict(question_type_choices()):
        filters["question_type"] = ""
    items = {item.question_id: item for item in quiz.fixed_items}
    count, total = services.paper_total(quiz)
    return render_template(
        "quizzes/manage/paper.html", quiz=quiz, form=form, items=items, add_form=add_form or AddQuestionsForm(),
        candidates=services.fixed_candidates(quiz, **filters), filters=filters,
        categories=services.categories_of(quiz_bank_ids(quiz)), type_choices=question_type_choices(),
        paper_count=count, paper_points=total, shown_limit=services.CANDIDATES_SHOWN,
    ), status


@bp.post("/<int:quiz_id>/paper")
@roles_required(Role.ORGANISER)
def save_fixed_paper(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = FixedPaperForm()
    if not form.validate_on_submit():
        return _render_fixed(quiz, form, 400)
    rows = []
    for row in form.rows:
        if not ((row.question_id.data or "").isascii() and row.question_id.data.isdigit()):  # "²" is a digit
            continue
        rows.append(services.FixedRow(int(row.question_id.data), row.position.data, row.points.data,
                                      bool(row.remove.data)))
    services.save_fixed_paper(current_user, quiz, rows)
    db.session.commit()
    flash(_("试卷已保存。"), "success")
    return redirect(url_for("quizzes.manage.fixed_paper", quiz_id=quiz.id))


@bp.post("/<int:quiz_id>/paper/add")
@roles_required(Role.ORGANISER)
def add_to_paper(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    add_form = AddQuestionsForm()
    if not add_form.validate_on_submit():
        return _render_fixed(quiz, FixedPaperForm(data={"rows": _fixed_rows_data(quiz)}), 400, add_form)
    added = services.add_fixed_questions(current_user, quiz, add_form.question_ids.data)
    db.session.commit()
    flash(_("已加入 %(n)s 道题。", n=added), "success")
    return redirect(url_for("quizzes.manage.fixed_paper", quiz_id=quiz.id, **{
        key: value for key, value in request.args.items() if key in ("type", "category", "q")}))


# ---------------------------------------------------------------- publish and preview

@bp.post("/<int:quiz_id>/publish")
@roles_required(Role.ORGANISER)
def publish(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_("请求有误，请刷新后重试。"), "error")
        return redirect(url_for("quizzes.manage.show", quiz_id=quiz.id))
    try:
        services.set_published(current_user, quiz, form.action.data == "publish")
    except services.SettingsProblem as problem:
        db.session.rollback()
        for message in [problem.message, *problem.details]:
            flash(message, "error")
        flash(_("试卷无法生成，暂不能发布。"), "error")
        return redirect(url_for("quizzes.manage.show", quiz_id=quiz_id))
    db.session.commit()
    flash(_("竞赛已发布，符合条件的成员可以看到。") if quiz.is_published else _("竞赛已撤回发布。"), "success")
    return redirect(url_for("quizzes.manage.show", quiz_id=quiz.id))


@bp.post("/<int:quiz_id>/rescore")
@roles_required(Role.ORGANISER)
def rescore(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("请求有误，请刷新后重试。"), "error")
        return redirect(url_for("quizzes.manage.show", quiz_id=quiz.id))
    finalize_expired(quiz.id)  # attempts whose time ran out are marked with the corrected key too
    outcome = rescore_quiz(quiz, current_user)
    db.session.commit()
    flash(_("已按题库中的最新答案重新判分：%(attempts)s 份答卷，%(changed)s 份得分有变化。",
            attempts=outcome.attempts, changed=outcome.scores_changed), "success")
    return redirect(url_for("quizzes.manage.show", quiz_id=quiz.id))


@bp.get("/<int:quiz_id>/preview")
@roles_required(Role.ORGANISER)
def preview(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    seed = request.args.get("seed", type=int)
    if seed is None or not 0 <= seed < 2**62:
        seed = new_seed()
    try:
        paper = assemble_paper(quiz, seed)
    except PaperError as error:
        flash(str(error), "error")
        return redirect(url_for("quizzes.manage.show", quiz_id=quiz.id))
    entries = [{
        "question": entry.question, "points": entry.points,
        "options": displayed_options(entry.question.options, entry.option_order),
        "answer": format_answer(entry.question.question_type,
                                to_displayed(entry.question.question_type, entry.question.answer, entry.option_order)),
    } for entry in paper]
    return render_template("quizzes/manage/preview.html", quiz=quiz, entries=entries, seed=seed)
