"""抽签 (organisers): draw a round from a seed or type in a physical draw, adjust the order with a
reason, the rehearsal slot, the printable running order; the verification page re-runs the seed for
anyone signed in."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, login_required, roles_required
from app.common.forms import ConfirmForm
from app.common.http import private_pages
from app.common.problems import Problem, attach_problem, commit_or_show
from app.extensions import db
from events.speech.forms.live import DrawForm, MoveForm, RehearsalForm, manual_draw_form
from events.speech.models import SpeechEntry, SpeechRound, SpeechSlot
from events.speech.services import draw as services
from events.speech.services.panels import load_round_panel

bp = Blueprint("draw", __name__, url_prefix="/draw")
private_pages(bp)


def _round_or_404(round_id: int) -> SpeechRound:
    return db.get_or_404(SpeechRound, round_id)


def _slot_or_404(round_: SpeechRound, slot_id: int) -> SpeechSlot:
    slot = db.get_or_404(SpeechSlot, slot_id)
    if slot.round_id != round_.id:
        abort(404)
    return slot


def _render(round_: SpeechRound, *, form=None, problem: str | None = None, status: int = 200):
    panel = load_round_panel(round_)
    form = form or DrawForm(data={"separate_units": round_.contest.separate_same_unit})
    return render_template(
        "events/speech/live/draw.html", round=round_, contest=round_.contest, panel=panel, form=form,
        move_form=MoveForm(), rehearsal_form=RehearsalForm(), confirm_form=ConfirmForm(), problem=problem,
        candidates=len(services.drawable_entries(round_)),
    ), status


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.ORGANISER)
def show(round_id: int):
    return _render(_round_or_404(round_id))


@bp.post("/rounds/<int:round_id>")
@roles_required(Role.ORGANISER)
def run(round_id: int):
    round_ = _round_or_404(round_id)
    form = DrawForm()
    if not form.validate_on_submit():
        return _render(round_, form=form, status=400)
    try:
        order = services.draw_round(current_user, round_, seed=form.seed.data, separate_units=form.separate_units.data)
    except Problem as problem:
        db.session.rollback()
        round_ = _round_or_404(round_id)
        shown = attach_problem(form, problem)
        return _render(round_, form=form, problem=None if shown else problem.message, status=400)
    db.session.commit()
    flash(_("抽签完成：%(count)s 名选手。", count=len(order)), "success")
    return redirect(url_for("speech.draw.show", round_id=round_id))


def _entries_of(round_: SpeechRound) -> list[SpeechEntry]:
    ids = services.drawable_entries(round_)
    if not ids:
        return []
    entries = db.session.scalars(sa.select(SpeechEntry).where(SpeechEntry.id.in_(ids))).all()
    by_id = {entry.id: entry for entry in entries}
    return [by_id[entry_id] for entry_id in ids]


@bp.route("/rounds/<int:round_id>/manual", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def manual(round_id: int):
    round_ = _round_or_404(round_id)
    entries = _entries_of(round_)
    form = manual_draw_form([entry.id for entry in entries], request.form if request.method == "POST" else None)
    problem = None
    if form.validate_on_submit():
        numbers = {entry.id: getattr(form, f"n{entry.id}").data for entry in entries}
        try:
            services.manual_draw(current_user, round_, numbers)
        except Problem as error:
            db.session.rollback()
            round_ = _round_or_404(round_id)
            problem = error.message
        else:
            db.session.commit()
            flash(_("现场抽签结果已录入。"), "success")
            return redirect(url_for("speech.draw.show", round_id=round_id))
    return render_template("events/speech/live/draw_manual.html", round=round_, contest=round_.contest,
                           entries=entries, form=form, problem=problem), 400 if form.is_submitted() else 200


@bp.post("/rounds/<int:round_id>/slots/<int:slot_id>/move")
@roles_required(Role.ORGANISER)
def move(round_id: int, slot_id: int):
    round_ = _round_or_404(round_id)
    slot = _slot_or_404(round_, slot_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("请填写新的序号和调整原因。"), "error")
        return redirect(url_for("speech.draw.show", round_id=round_id))
    commit_or_show(None, lambda: services.move_slot(current_user, round_, slot, form.position.data, form.reason.data),
                   _("出场顺序已调整，并已记入操作日志。"))
    return redirect(url_for("speech.draw.show", round_id=round_id))


@bp.post("/rounds/<int:round_id>/rehearsal")
@roles_required(Role.ORGANISER)
def add_rehearsal(round_id: int):
    round_ = _round_or_404(round_id)
    form = RehearsalForm()
    if form.validate_on_submit():
        commit_or_show(None, lambda: services.add_rehearsal(current_user, round_, form.name.data),
                       _("已添加试评（不计入成绩）。"))
    else:
        flash(_("名称不能超过 %(count)s 个字", count=64), "error")
    return redirect(url_for("speech.draw.show", round_id=round_id))


@bp.post("/rounds/<int:round_id>/rehearsal/remove")
@roles_required(Role.ORGANISER)
def remove_rehearsal(round_id: int):
    round_ = _round_or_404(round_id)
    if ConfirmForm().validate_on_submit():
        commit_or_show(None, lambda: services.remove_rehearsal(current_user, round_), _("试评已删除。"))
    return redirect(url_for("speech.draw.show", round_id=round_id))


@bp.get("/rounds/<int:round_id>/print")
@roles_required(Role.ORGANISER)
def print_order(round_id: int):
    round_ = _round_or_404(round_id)
    return render_template("events/speech/live/order_print.html", round=round_, contest=round_.contest,
                           panel=load_round_panel(round_))


@bp.get("/rounds/<int:round_id>/verify")
@login_required
def verify(round_id: int):
    round_ = _round_or_404(round_id)
    if round_.status == "setup":
        abort(404)
    check = services.verify_draw(round_)
    panel = load_round_panel(round_)
    cards = {slot.entry_id: slot for slot in panel.slots if not slot.is_rehearsal}
    return render_template("events/speech/live/verify.html", round=round_, contest=round_.contest, check=check,
                           cards=cards)
