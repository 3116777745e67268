"""Live in the hall: the host console and the timekeeper (organisers), the big screen and the audience
page (anyone in the hall: they show only revealed scores), and the state polls behind them.

/speech/rounds/<id>/state is the big screen's state and /speech/rounds/<id>/watch/state the audience's
(public, each with its own version: 304 while unchanged, answered before Flask by
events/speech/live_polls.py; the body depends only on the URL and the database, so a shared cache may
hold it for a second); /speech/rounds/<id>/host/state is the host console's own (staff only, with
every judge's state).
"""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, public, roles_required
from app.common.clock import utcnow
from app.common.forms import ConfirmForm
from app.common.http import PUBLIC_POLL_CACHE_CONTROL, int_arg, private_pages, versioned_json
from app.common.problems import Problem
from app.common.qr import qr_svg_inline
from app.extensions import db
from events.speech.forms.live import (
    DeductionForm,
    NoShowForm,
    RemoveDeductionForm,
    RevealPolicyForm,
    ScreenModeForm,
    TimeForm,
    screen_mode_choices,
)
from events.speech.models import SpeechContest, SpeechDeduction, SpeechJudge, SpeechRound, SpeechSlot
from events.speech.services import live as services
from events.speech.services import screen
from events.speech.services.state import AUDIENCE, SCREEN, state_etag, state_version

bp = Blueprint("live", __name__, url_prefix="/rounds")
private_pages(bp)

# Display options of the big screen, from its URL (so they survive a reload): name → (default, low, high).
SCREEN_OPTIONS = {"rows": (10, 3, 30), "page_seconds": (10, 3, 120), "poll": (1, 1, 10)}


def _round_or_404(round_id: int) -> SpeechRound:
    return db.get_or_404(SpeechRound, round_id)


def _slot_or_404(round_: SpeechRound, slot_id: int) -> SpeechSlot:
    slot = db.session.get(SpeechSlot, slot_id)
    if slot is None or slot.round_id != round_.id:
        abort(404)
    return slot


# ---------------------------------------------------------------- index

@bp.get("/")
@roles_required(Role.ORGANISER)
def index():
    contests = db.session.scalars(sa.select(SpeechContest).order_by(SpeechContest.held_on.desc().nulls_last(),
                                                                    SpeechContest.id.desc())).all()
    return render_template("events/speech/live/index.html", contests=contests)


# ---------------------------------------------------------------- host console

def _host_context(round_: SpeechRound) -> dict:
    return {"round": round_, "contest": round_.contest, "view": screen.host_view(round_),
            "confirm_form": ConfirmForm(), "no_show_form": NoShowForm(),
            "mode_form": ScreenModeForm(data={"mode": round_.screen_mode}),
            "policy_form": RevealPolicyForm(data={"policy": round_.reveal_policy}),
            "modes": dict(screen_mode_choices())}


@bp.get("/<int:round_id>/host")
@roles_required(Role.ORGANISER)
def host(round_id: int):
    round_ = _round_or_404(round_id)
    return render_template("events/speech/live/host.html", **_host_context(round_))


@bp.get("/<int:round_id>/host/state")
@roles_required(Role.ORGANISER)
def host_state(round_id: int):
    version = state_version(round_id)
    if version is None:
        abort(404)
    etag = state_etag(round_id, version, "host", screen.host_etag_marker(round_id), current_user.id, get_locale())

    def build():
        round_ = _round_or_404(round_id)
        return {"version": version,
                "html": render_template("events/speech/live/_host_live.html", **_host_context(round_))}

    return versioned_json(etag, build)


def _act(round_id: int, action, *, form=None, success: str | None = None, back: str | None = None):
    """Run one host or timekeeper action: a valid form (CSRF at least), the service, one commit; a
    broken rule is flashed, never a 500; back to the page it came from."""
    round_ = _round_or_404(round_id)
    form = form or ConfirmForm()
    if not form.validate_on_submit():
        messages = [message for errors in form.errors.values() for message in errors]
        flash(messages[0] if messages else _("页面已过期，请刷新后重试。"), "error")
    else:
        try:
            action(round_, form)
        except Problem as problem:
            db.session.rollback()
            flash(problem.message, "error")
        else:
            db.session.commit()
            if success:
                flash(success, "success")
    return redirect(back or url_for("speech.live.host", round_id=round_id))


@bp.post("/<int:round_id>/host/stage/<int:slot_id>")
@roles_required(Role.ORGANISER)
def stage(round_id: int, slot_id: int):
    return _act(round_id, lambda r, f: services.put_on_stage(current_user, r, _slot_or_404(r, slot_id)))


@bp.post("/<int:round_id>/host/next")
@roles_required(Role.ORGANISER)
def stage_next(round_id: int):
    def action(round_, _form):
        following = services.next_slot(round_)
        if following is None:
            raise Problem(_("没有等待上场的选手"))
        services.put_on_stage(current_user, round_, following)

    return _act(round_id, action)


@bp.post("/<int:round_id>/host/finish")
@roles_required(Role.ORGANISER)
def finish(round_id: int):
    return _act(round_id, lambda r, f: services.finish_current(current_user, r))


@bp.post("/<int:round_id>/host/reveal/<int:slot_id>")
@roles_required(Role.ORGANISER)
def reveal(round_id: int, slot_id: int):
    return _act(round_id, lambda r, f: services.reveal(current_user, r, _slot_or_404(r, slot_id)),
                success=_("已亮分。"))


@bp.post("/<int:round_id>/host/reveal-all")
@roles_required(Role.ORGANISER)
def reveal_all(round_id: int):
    return _act(round_id, lambda r, f: services.reveal_all(current_user, r), success=_("已全部亮分。"))


@bp.post("/<int:round_id>/host/screen")
@roles_required(Role.ORGANISER)
def screen_mode(round_id: int):
    return _act(round_id, lambda r, f: services.set_screen_mode(current_user, r, f.mode.data), form=ScreenModeForm())


@bp.post("/<int:round_id>/host/policy")
@roles_required(Role.ORGANISER)
def reveal_policy(round_id: int):
    return _act(round_id, lambda r, f: services.set_reveal_policy(current_user, r, f.policy.data),
                form=RevealPolicyForm(), success=_("亮分方式已保存。"))


@bp.post("/<int:round_id>/host/no-show/<int:slot_id>")
@roles_required(Role.ORGANISER)
def no_show(round_id: int, slot_id: int):
    return _act(round_id, lambda r, f: services.mark_no_show(current_user, r, _slot_or_404(r, slot_id), f.reason.data),
                form=NoShowForm(), success=_("已标记为弃权/缺席，不参与评分和排名。"))


@bp.post("/<int:round_id>/host/no-show/<int:slot_id>/undo")
@roles_required(Role.ORGANISER)
def undo_no_show(round_id: int, slot_id: int):
    return _act(round_id, lambda r, f: services.undo_no_show(current_user, r, _slot_or_404(r, slot_id)))


@bp.post("/<int:round_id>/host/judges/<int:judge_id>/clear")
@roles_required(Role.ORGANISER)
def clear_problem(round_id: int, judge_id: int):
    def action(round_, _form):
        judge = db.session.get(SpeechJudge, judge_id)
        if judge is None or judge.round_id != round_.id:
            abort(404)
        services.clear_problem(current_user, round_, judge)

    return _act(round_id, action)


# ---------------------------------------------------------------- timekeeper

@bp.get("/<int:round_id>/timer")
@roles_required(Role.ORGANISER)
def timer(round_id: int):
    round_ = _round_or_404(round_id)
    slot_id = int_arg("slot")
    slot = _slot_or_404(round_, slot_id) if slot_id else services.current_slot(round_)
    deductions = list(db.session.scalars(sa.select(SpeechDeduction).where(SpeechDeduction.slot_id == slot.id)
                                         .order_by(SpeechDeduction.id))) if slot else []
    return render_template("events/speech/live/timer.html", round=round_, contest=round_.contest, slot=slot,
                           slots=round_.slots, deductions=deductions, confirm_form=ConfirmForm(),
                           time_form=TimeForm(), deduction_form=DeductionForm(), remove_form=RemoveDeductionForm(),
                           started_epoch=screen.epoch(slot.timing_started_at) if slot else None,
                           now_epoch=screen.epoch(utcnow()))


def _timer_url(round_id: int, slot_id: int) -> str:
    return url_for("speech.live.timer", round_id=round_id, slot=slot_id)


@bp.post("/<int:round_id>/timer/<int:slot_id>/start")
@roles_required(Role.ORGANISER)
def start_timing(round_id: int, slot_id: int):
    return _act(round_id, lambda r, f: services.start_timing(current_user, r, _slot_or_404(r, slot_id)),
                back=_timer_url(round_id, slot_id))


@bp.post("/<int:round_id>/timer/<int:slot_id>/stop")
@roles_required(Role.ORGANISER)
def stop_timing(round_id: int, slot_id: int):
    return _act(round_id, lambda r, f: services.record_time(current_user, r, _slot_or_404(r, slot_id),
                                                            f.seconds.data or None),
                form=TimeForm(), success=_("用时已记录。"), back=_timer_url(round_id, slot_id))


@bp.post("/<int:round_id>/timer/<int:slot_id>/deductions")
@roles_required(Role.ORGANISER)
def add_deduction(round_id: int, slot_id: int):
    return _act(round_id, lambda r, f: services.add_deduction(current_user, r, _slot_or_404(r, slot_id),
                                                              f.points.data, f.reason.data),
                form=DeductionForm(), success=_("扣分已记录。"), back=_timer_url(round_id, slot_id))


@bp.post("/<int:round_id>/deductions/<int:deduction_id>/remove")
@roles_required(Role.ORGANISER)
def remove_deduction(round_id: int, deduction_id: int):
    round_ = _round_or_404(round_id)
    deduction = db.session.get(SpeechDeduction, deduction_id)
    if deduction is None or deduction.slot.round_id != round_.id:
        abort(404)
    slot_id = deduction.slot_id
    return _act(round_id, lambda r, f: services.remove_deduction(current_user, r, deduction, f.reason.data),
                form=RemoveDeductionForm(), success=_("扣分已撤销。"), back=_timer_url(round_id, slot_id))


# ---------------------------------------------------------------- big screen, audience, public state

def _screen_options() -> dict:
    return {name: max(low, min(high, int_arg(name, default, strict=False) or default))
            for name, (default, low, high) in SCREEN_OPTIONS.items()}


def public_locale(value: str | None, languages, default: str) -> str:
    """The language of a public state: the page's own (its state URL carries ?lang=), else the
    default; never the session's or the browser's, so the body depends on the URL alone."""
    return value if value in languages else default


def _state_url(endpoint: str, round_id: int) -> str:
    return url_for(endpoint, round_id=round_id, lang=str(get_locale()))


@bp.get("/<int:round_id>/screen")
@public
def big_screen(round_id: int):
    round_ = _round_or_404(round_id)
    watch_url = url_for("speech.live.watch", round_id=round_id, _external=True)
    return render_template("events/speech/live/screen.html", round=round_, contest=round_.contest,
                           options=_screen_options(), watch_qr=qr_svg_inline(watch_url), watch_url=watch_url,
                           state_url=_state_url("speech.live.state", round_id))


@bp.get("/<int:round_id>/watch")
@public
def watch(round_id: int):
    round_ = _round_or_404(round_id)
    return render_template("events/speech/live/watch.html", round=round_, contest=round_.contest,
                           state_url=_state_url("speech.live.watch_state", round_id))


def _public_state(round_id: int, view: str):
    version = state_version(round_id, view)
    if version is None:
        abort(404)
    config = current_app.config
    locale = public_locale(request.args.get("lang"), config["SAISHI_LANGUAGES"], config["BABEL_DEFAULT_LOCALE"])

    def build():
        with force_locale(locale):
            return screen.public_state(round_id, view, version, locale)

    return versioned_json(state_etag(round_id, version, view, locale), build, cache_control=PUBLIC_POLL_CACHE_CONTROL)


@bp.get("/<int:round_id>/state")
@public
def state(round_id: int):
    """The big screen's state: mode, who is on stage and the judges' progress, revealed scores."""
    return _public_state(round_id, SCREEN)


@bp.get("/<int:round_id>/watch/state")
@public
def watch_state(round_id: int):
    """The audience's state: who is on stage, revealed scores (no progress line)."""
    return _public_state(round_id, AUDIENCE)
