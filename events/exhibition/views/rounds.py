"""评审轮次 (organisers): an exhibition's rounds, a round's settings, its page (judges, preview before
opening, progress without scores while open, reassigning, closing) and its results once closed."""
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import RoleGrant, User
from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm, options
from app.common.http import private_pages
from app.common.problems import Problem, attach_problem
from app.extensions import db
from events.exhibition.models import Exhibition
from events.exhibition.round_forms import AddJudgeForm, CloseForm, RoundForm, UnlockForm
from events.exhibition.round_models import ExhibitionRoundJudge
from events.exhibition.services import assignments, round_results, round_sheets, rounds
from events.judging.criteria import Criterion

bp = Blueprint("rounds", __name__, url_prefix="/manage")
private_pages(bp)


def _round_or_404(exhibition_id: int, round_id: int):
    round_ = rounds.exhibition_round(exhibition_id, round_id)
    if round_ is None:
        abort(404)
    return round_


def _criteria(text: str) -> tuple[Criterion, ...]:
    """"名称 满分" a line → criteria (step 0.1); a line that is not that is a Problem."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, _sep, maximum = line.rpartition(" ")
        try:
            out.append(Criterion(name.strip(), Decimal(maximum)))
        except ArithmeticError:
            raise Problem(_("分项每行写“名称 满分”，如“构图 30”"), "criteria") from None
        if not name.strip():
            raise Problem(_("分项每行写“名称 满分”，如“构图 30”"), "criteria")
    return tuple(out)


def _settings(form: RoundForm) -> rounds.RoundSettings:
    return rounds.RoundSettings(
        name=form.name.data, method=form.method.data, category_ids=list(form.category_ids.data or []),
        quorum=form.quorum.data, advance_kind=form.advance_kind.data, advance_value=form.advance_value.data,
        step=form.step_value, criteria=_criteria(form.criteria.data) if form.method.data == "criteria" else (),
        trim_from=form.trim_from.data, trim_each_end=form.trim_each_end.data,
        shows_names=bool(form.shows_names.data), shows_description=bool(form.shows_description.data),
        allows_originals=bool(form.allows_originals.data))


def _form(exhibition: Exhibition, round_=None) -> RoundForm:
    if request.method == "GET" and round_ is not None:
        form = RoundForm(data={
            "name": round_.name, "method": round_.method, "category_ids": round_.category_ids,
            "quorum": round_.quorum, "advance_kind": round_.advance_kind, "advance_value": round_.advance_value,
            "step": format(Decimal(round_.step).normalize(), "f"), "trim_from": round_.trim_from,
            "trim_each_end": round_.trim_each_end, "shows_names": round_.shows_names,
            "shows_description": round_.shows_description, "allows_originals": round_.allows_originals,
            "criteria": "\n".join(f"{c['name']} {c['maximum']}" for c in round_.criteria or ())})
    elif request.method == "GET":
        form = RoundForm(data={"category_ids": [c.id for c in exhibition.categories], "trim_from": 5,
                               "trim_each_end": 1, "quorum": 3})
    else:
        form = RoundForm()
    form.category_ids.choices = options((category.id, category.name) for category in exhibition.categories)
    return form


@bp.get("/<int:exhibition_id>/rounds")
@roles_required(Role.ORGANISER)
def index(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    return render_template("exhibition/rounds/index.html", exhibition=exhibition, rounds=rounds.rounds_of(exhibition))


@bp.route("/<int:exhibition_id>/rounds/new", methods=["GET", "POST"])
@bp.route("/<int:exhibition_id>/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(exhibition_id: int, round_id: int | None = None):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    round_ = _round_or_404(exhibition_id, round_id) if round_id else None
    form = _form(exhibition, round_)
    problems = []
    if form.validate_on_submit():
        try:
            if round_ is None:
                round_ = rounds.create_round(current_user, exhibition, _settings(form))
            else:
                rounds.update_round(current_user, round_, _settings(form))
        except Problem as problem:
            db.session.rollback()
            if not attach_problem(form, problem):
                problems.append(problem.message)
        else:
            db.session.commit()
            flash(_("轮次设置已保存。"), "success")
            return redirect(url_for("exhibition.rounds.show", exhibition_id=exhibition_id, round_id=round_.id))
    return render_template("exhibition/rounds/form.html", exhibition=exhibition, round=round_, form=form,
                           problems=problems), 400 if form.is_submitted() else 200


def _judge_choices(round_):
    taken = {judge.user_id for judge in round_.judges if judge.active}
    users = db.session.scalars(sa.select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                               .where(RoleGrant.role == Role.JUDGE, User.active.is_(True)).order_by(User.name))
    return options((user.id, f"{user.name}（{user.unit.name}）" if user.unit else user.name)
                   for user in users if user.id not in taken)


@bp.get("/<int:exhibition_id>/rounds/<int:round_id>")
@roles_required(Role.ORGANISER)
def show(exhibition_id: int, round_id: int):
    round_ = _round_or_404(exhibition_id, round_id)
    add_form = AddJudgeForm()
    add_form.user_id.choices = _judge_choices(round_)
    return render_template(
        "exhibition/rounds/show.html", exhibition=round_.exhibition, round=round_, add_form=add_form,
        confirm=ConfirmForm(), close_form=CloseForm(),
        preview=assignments.preview_round(round_) if round_.status == "draft" else None,
        progress=assignments.progress(round_) if round_.status != "draft" else None)


def _act(round_, action, done_message: str):
    try:
        action()
    except Problem as problem:
        db.session.rollback()
        flash(problem.message, "error")
    else:
        db.session.commit()
        flash(done_message, "success")
    return redirect(url_for("exhibition.rounds.show", exhibition_id=round_.exhibition_id, round_id=round_.id))


@bp.post("/<int:exhibition_id>/rounds/<int:round_id>/open")
@roles_required(Role.ORGANISER)
def open_round(exhibition_id: int, round_id: int):
    round_ = _round_or_404(exhibition_id, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(round_, lambda: assignments.open_round(current_user, round_), _("轮次已开始，作品已分配给评委。"))


@bp.post("/<int:exhibition_id>/rounds/<int:round_id>/judges")
@roles_required(Role.ORGANISER)
def add_judge(exhibition_id: int, round_id: int):
    round_ = _round_or_404(exhibition_id, round_id)
    form = AddJudgeForm()
    form.user_id.choices = _judge_choices(round_)
    if not form.validate_on_submit():
        flash(_("请选择评委"), "error")
        return redirect(url_for("exhibition.rounds.show", exhibition_id=exhibition_id, round_id=round_id))
    user = db.get_or_404(User, form.user_id.data)
    return _act(round_, lambda: assignments.add_judge(current_user, round_, user), _("评委已加入本轮。"))


def _judge_or_404(round_, judge_id: int) -> ExhibitionRoundJudge:
    judge = db.session.get(ExhibitionRoundJudge, judge_id)
    if judge is None or judge.round_id != round_.id:
        abort(404)
    return judge


@bp.post("/<int:exhibition_id>/rounds/<int:round_id>/judges/<int:judge_id>/remove")
@roles_required(Role.ORGANISER)
def remove_judge(exhibition_id: int, round_id: int, judge_id: int):
    round_ = _round_or_404(exhibition_id, round_id)
    judge = _judge_or_404(round_, judge_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(round_, lambda: assignments.remove_judge(current_user, round_, judge),
                _("评委已移出本轮，未完成的作品已改派。"))


@bp.post("/<int:exhibition_id>/rounds/<int:round_id>/judges/<int:judge_id>/reassign")
@roles_required(Role.ORGANISER)
def reassign(exhibition_id: int, round_id: int, judge_id: int):
    round_ = _round_or_404(exhibition_id, round_id)
    judge = _judge_or_404(round_, judge_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = {}

    def run():
        outcome["moved"], outcome["stuck"] = assignments.reassign(current_user, round_, judge)

    response = _act(round_, run, _("已改派未完成的作品。"))
    if outcome.get("stuck"):
        flash(_("以下作品没有其他可评审的评委：%(numbers)s", numbers="、".join(w.code for w in outcome["stuck"])),
              "error")
    return response


@bp.post("/<int:exhibition_id>/rounds/<int:round_id>/close")
@roles_required(Role.ORGANISER)
def close(exhibition_id: int, round_id: int):
    round_ = _round_or_404(exhibition_id, round_id)
    form = CloseForm()
    if not form.validate_on_submit():
        flash(_("原因不能超过 500 个字"), "error")
        return redirect(url_for("exhibition.rounds.show", exhibition_id=exhibition_id, round_id=round_id))
    return _act(round_, lambda: rounds.close_round(current_user, round_, form.reason.data or ""), _("轮次已结束。"))


@bp.get("/<int:exhibition_id>/rounds/<int:round_id>/results")
@roles_required(Role.ORGANISER)
def results(exhibition_id: int, round_id: int):
    """A closed round's results per category (individual scores are not shown before the close)."""
    round_ = _round_or_404(exhibition_id, round_id)
    if round_.status != "closed":
        flash(_("轮次结束后才能查看结果。"), "error")
        return redirect(url_for("exhibition.rounds.show", exhibition_id=exhibition_id, round_id=round_id))
    return render_template("exhibition/rounds/results.html", exhibition=round_.exhibition, round=round_,
                           results=round_results.stored_results(round_))


@bp.get("/<int:exhibition_id>/rounds/<int:round_id>/judges/<int:judge_id>")
@roles_required(Role.ORGANISER)
def judge_sheets(exhibition_id: int, round_id: int, judge_id: int):
    """One judge's works in the round: which are submitted (no scores while the round is open), and
    unlocking one for a correction the judge asked for, with a reason."""
    round_ = _round_or_404(exhibition_id, round_id)
    judge = _judge_or_404(round_, judge_id)
    return render_template("exhibition/rounds/judge.html", exhibition=round_.exhibition, round=round_, judge=judge,
                           items=round_sheets.my_works(round_, judge), form=UnlockForm())


@bp.post("/<int:exhibition_id>/rounds/<int:round_id>/judges/<int:judge_id>/works/<int:work_id>/unlock")
@roles_required(Role.ORGANISER)
def unlock(exhibition_id: int, round_id: int, judge_id: int, work_id: int):
    round_ = _round_or_404(exhibition_id, round_id)
    judge = _judge_or_404(round_, judge_id)
    sheet = round_sheets.own_sheet(round_, judge, work_id)
    if sheet is None:
        abort(404)
    form = UnlockForm()
    back = url_for("exhibition.rounds.judge_sheets", exhibition_id=exhibition_id, round_id=round_id, judge_id=judge_id)
    if not form.validate_on_submit():
        flash(_("请填写解锁原因"), "error")
        return redirect(back)
    try:
        round_sheets.unlock_work_sheet(round_, sheet, actor=current_user, reason=form.reason.data)
    except Problem as problem:
        db.session.rollback()
        flash(problem.message, "error")
    else:
        db.session.commit()
        flash(_("评分表已解锁，评委可修改后重新提交。"), "success")
    return redirect(back)
