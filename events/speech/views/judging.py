"""评委与评分 (organisers): each round's panel (seats, groups, the chief judge, recusals, the binding
QR), the sheets of a round (who has submitted, unlock with a reason, 代录 from the paper sheet, mark a
judge absent for a contestant), one sheet's versions. The chief judge (总评委) unlocks from here too."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm, options
from app.common.problems import Problem, attach_problem, commit_or_show
from app.common.qr import qr_svg_inline
from app.extensions import db
from events.judging.criteria import sheet_total
from events.judging.sheets import loaded_scores
from events.speech.forms.judging import JudgeUpdateForm, PaperForm, ReasonForm, RecusalForm, SeatForm
from events.speech.models import SpeechEntry, SpeechRound
from events.speech.services import judging, sheets
from events.speech.services.binding import binding_path
from events.speech.services.panels import load_round_panel
from events.speech.settings import criteria_of

bp = Blueprint("judging", __name__, url_prefix="/judging")


def _round_or_404(round_id: int) -> SpeechRound:
    return db.get_or_404(SpeechRound, round_id)


def _judge_or_404(round_: SpeechRound, judge_id: int):
    judge = judging.round_judge(round_, judge_id)
    if judge is None:
        abort(404)
    return judge


def _panel_url(round_: SpeechRound) -> str:
    return url_for("speech.judging.panel", round_id=round_.id)


def _sheets_url(round_: SpeechRound) -> str:
    return url_for("speech.judging.sheets_page", round_id=round_.id)


def _seat_form(round_: SpeechRound) -> SeatForm:
    form = SeatForm()
    form.user_id.choices = options([(user.id, f"{user.name}（{user.staff_id}）") for user in judging.judge_candidates()])
    if request.method == "GET":
        form.seat.data = max((judge.seat for judge in round_.judges), default=0) + 1
    return form


def _recusal_form(round_: SpeechRound) -> RecusalForm:
    form = RecusalForm(prefix="recusal")
    form.judge_id.choices = options([(judge.id, _("%(seat)s号评委 %(name)s", seat=judge.seat, name=judge.user.name))
                                     for judge in round_.judges])
    form.entry_id.choices = options([(entry.id, f"{entry.member.name}（{entry.unit.name}）")
                                     for entry in judging.round_entries(round_)])
    return form


def _render_panel(round_: SpeechRound, seat_form=None, recusal_form=None, status=200):
    return render_template(
        "events/speech/judging/panel.html", round=round_, contest=round_.contest,
        seat_form=seat_form or _seat_form(round_), recusal_form=recusal_form or _recusal_form(round_),
        exceptions=judging.round_exceptions(round_), suggestions=judging.same_unit_suggestions(round_),
        entries={entry.id: entry for entry in judging.round_entries(round_)},
        update_forms={judge.id: JudgeUpdateForm(prefix=f"j{judge.id}", data={"group": judge.group,
                                                                               "is_chief": judge.is_chief})
                      for judge in round_.judges},
        confirm_form=ConfirmForm(),
    ), status


@bp.get("/")
@roles_required(Role.ORGANISER)
def index():
    return render_template("events/speech/judging/index.html", rounds=judging.organiser_rounds())


# ---------------------------------------------------------------- the panel

@bp.route("/rounds/<int:round_id>/panel", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def panel(round_id: int):
    round_ = _round_or_404(round_id)
    form = _seat_form(round_)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                judging.seat_judge(round_, judging.SeatInput(form.user_id.data, form.seat.data, form.group.data or "",
                                                              form.is_chief.data), actor=current_user)
            except Problem as problem:
                attach_problem(form, problem, "user_id")
            else:
                db.session.commit()
                flash(_("已安排评委"), "success")
                return redirect(_panel_url(round_))
        return _render_panel(round_, seat_form=form, status=400)
    return _render_panel(round_, seat_form=form)


@bp.post("/rounds/<int:round_id>/judges/<int:judge_id>")
@roles_required(Role.ORGANISER)
def update_judge(round_id: int, judge_id: int):
    round_ = _round_or_404(round_id)
    judge = _judge_or_404(round_, judge_id)
    form = JudgeUpdateForm(prefix=f"j{judge.id}")
    if not form.validate_on_submit():
        flash(_("未能保存：%(errors)s", errors="；".join(str(e) for errors in form.errors.values() for e in errors)),
              "error")
        return redirect(_panel_url(round_))
    judging.update_judge(judge, group=form.group.data or "", is_chief=form.is_chief.data, actor=current_user)
    db.session.commit()
    flash(_("已保存"), "success")
    return redirect(_panel_url(round_))


@bp.post("/rounds/<int:round_id>/judges/<int:judge_id>/remove")
@roles_required(Role.ORGANISER)
def remove_judge(round_id: int, judge_id: int):
    round_ = _round_or_404(round_id)
    judge = _judge_or_404(round_, judge_id)
    if ConfirmForm().validate_on_submit():
        commit_or_show(None, lambda: judging.unseat_judge(judge, actor=current_user), _("已移出评委席"))
    return redirect(_panel_url(round_))


@bp.post("/rounds/<int:round_id>/judges/<int:judge_id>/reissue")
@roles_required(Role.ORGANISER)
def reissue(round_id: int, judge_id: int):
    round_ = _round_or_404(round_id)
    judge = _judge_or_404(round_, judge_id)
    if ConfirmForm().validate_on_submit():
        judging.reissue_binding(judge, actor=current_user)
        db.session.commit()
        flash(_("已重新生成二维码，之前打印的二维码已作废"), "success")
    return redirect(url_for("speech.judging.qr", round_id=round_.id, judge_id=judge.id))


@bp.get("/rounds/<int:round_id>/judges/<int:judge_id>/qr")
@roles_required(Role.ORGANISER)
def qr(round_id: int, judge_id: int):
    round_ = _round_or_404(round_id)
    judge = _judge_or_404(round_, judge_id)
    address = request.url_root.rstrip("/") + binding_path(judge)
    return render_template("events/speech/judging/qr.html", round=round_, judge=judge, address=address,
                           svg=qr_svg_inline(address), form=ConfirmForm())


@bp.post("/rounds/<int:round_id>/recusals")
@roles_required(Role.ORGANISER)
def recuse(round_id: int):
    round_ = _round_or_404(round_id)
    form = _recusal_form(round_)
    if form.validate_on_submit():
        judge = judging.round_judge(round_, form.judge_id.data)
        entry = db.session.get(SpeechEntry, form.entry_id.data)
        try:
            if judge is None or entry is None:
                raise Problem(_("请选择本轮的评委和选手"), "judge_id")
            judging.recuse(round_, judge, entry, reason=form.reason.data, actor=current_user)
        except Problem as problem:
            attach_problem(form, problem, "reason")
        else:
            db.session.commit()
            flash(_("已记录回避"), "success")
            return redirect(_panel_url(round_))
    return _render_panel(round_, recusal_form=form, status=400)


@bp.post("/rounds/<int:round_id>/recusals/suggested")
@roles_required(Role.ORGANISER)
def apply_suggestions(round_id: int):
    round_ = _round_or_404(round_id)
    if ConfirmForm().validate_on_submit():
        count = judging.apply_suggestions(round_, actor=current_user)
        db.session.commit()
        flash(_("已按同单位记录 %(count)s 项回避", count=count), "success")
    return redirect(_panel_url(round_))


@bp.post("/rounds/<int:round_id>/exceptions/<int:exception_id>/remove")
@roles_required(Role.ORGANISER)
def remove_exception(round_id: int, exception_id: int):
    round_ = _round_or_404(round_id)
    exception = judging.round_exception(round_, exception_id)
    if exception is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        back = _panel_url(round_) if exception.kind == "recused" else _sheets_url(round_)
        judging.remove_exception(round_, exception, actor=current_user)
        db.session.commit()
        flash(_("已撤销"), "success")
        return redirect(back)
    return redirect(_panel_url(round_))


# ---------------------------------------------------------------- sheets

@bp.get("/rounds/<int:round_id>/sheets")
@roles_required(Role.ORGANISER)
def sheets_page(round_id: int):
    round_ = _round_or_404(round_id)
    return render_template("events/speech/judging/sheets.html", round=round_, contest=round_.contest,
                           panel=load_round_panel(round_), form=ConfirmForm())


@bp.get("/rounds/<int:round_id>/sheets/<int:sheet_id>")
@roles_required(Role.ORGANISER)
def sheet(round_id: int, sheet_id: int):
    round_ = _round_or_404(round_id)
    found = sheets.round_sheet(round_, sheet_id)
    if found is None:
        abort(404)
    totals = {version.version: format(sheet_total(loaded_scores(version.scores)), "f") for version in found.versions}
    return render_template("events/speech/judging/sheet.html", round=round_, sheet=found, totals=totals,
                           criteria=criteria_of(round_.contest), form=ReasonForm())


@bp.post("/rounds/<int:round_id>/sheets/<int:sheet_id>/unlock")
@roles_required(Role.ORGANISER, Role.JUDGE)
def unlock(round_id: int, sheet_id: int):
    round_ = _round_or_404(round_id)
    if not sheets.may_unlock(round_, current_user):
        abort(404)
    found = sheets.round_sheet(round_, sheet_id)
    if found is None:
        abort(404)
    back = _sheets_url(round_) if current_user.is_organiser else url_for("speech.judge.chief", round_id=round_.id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("请填写解锁原因"), "error")
        return redirect(back)
    try:
        sheets.unlock_judge_sheet(round_, found, actor=current_user, reason=form.reason.data)
    except Problem as problem:
        flash(problem.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("已解锁，评委重新提交后生成新版本"), "success")
    return redirect(back)


@bp.route("/rounds/<int:round_id>/slots/<int:slot_id>/judges/<int:judge_id>/paper", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def paper(round_id: int, slot_id: int, judge_id: int):
    round_ = _round_or_404(round_id)
    judge = _judge_or_404(round_, judge_id)
    slot = sheets.round_slot(round_id, slot_id)
    if slot is None:
        abort(404)
    form = PaperForm()
    if request.method == "GET":
        form.paper.data = _("%(seat)s号评委纸质评分表", seat=judge.seat)
    problems, status = [], 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            payload = sheets.paper_scores(request.form)
            try:
                outcome = sheets.enter_paper_sheet(round_, slot, judge, payload, actor=current_user,
                                                   paper=form.paper.data)
            except sheets.SheetProblem as problem:
                problems = problem.problems
            except Problem as problem:  # refused, locked
                db.session.rollback()
                problems = [problem]
            else:
                db.session.commit()
                flash(_("已代录（版本 %(version)s）", version=outcome.sheet.version) if not outcome.same
                      else _("与已提交的评分相同，未作改动"), "success")
                return redirect(_sheets_url(round_))
    return render_template("events/speech/judging/paper.html", round=round_, slot=slot, judge=judge, form=form,
                           criteria=criteria_of(round_.contest), problems=problems,
                           label=judging.slot_label(slot), values=request.form), status


@bp.post("/rounds/<int:round_id>/slots/<int:slot_id>/judges/<int:judge_id>/absent")
@roles_required(Role.ORGANISER)
def absent(round_id: int, slot_id: int, judge_id: int):
    round_ = _round_or_404(round_id)
    judge = _judge_or_404(round_, judge_id)
    slot = sheets.round_slot(round_id, slot_id)
    if slot is None:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("请填写缺席原因"), "error")
        return redirect(_sheets_url(round_))
    commit_or_show(None, lambda: sheets.mark_absent(round_, slot, judge, actor=current_user, reason=form.reason.data),
                   _("已标记该评委对该选手缺席，按减少后的评委人数计分"))
    return redirect(_sheets_url(round_))
