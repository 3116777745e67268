"""The judge's tablet (评委评分): the judge's rounds, the scoring page, its state poll, the sheet
submit endpoint, the "problem" flag, and binding a tablet by the QR on the paper sheet.

The submit endpoint's contract (the live bench and static/js/speech-judge.js use it):

    POST /speech/judge/rounds/<round_id>/slots/<slot_id>/sheet   (header X-CSRFToken)
    {"scores": {name: "12.5"}, "notes": {name: "…"}, "confirmed": [names]}
    → 200 {"status": "submitted", "version": n, "total": "85.5", "same": bool}
    | 409 {"status": "locked", "message": …} | 422 {"status": "invalid", "problems": [{"field", "message"}]}
    | 403 {"status": "refused", "message": …} (recused, absent, 弃权/缺席, round closed)
    | 404 (not on the round's panel, or no such slot in the round)
"""
import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.common.access import Role, public, roles_required
from app.common.forms import INTEGER_LIMIT, ConfirmForm
from app.common.http import no_store, private_pages, versioned_json
from app.common.tokens import InvalidToken
from app.extensions import db
from events.speech.models import SpeechJudge, SpeechRound
from events.speech.services import judging, sheets
from events.speech.services.binding import BIND_PATH, read_binding
from events.speech.services.state import state_etag, state_version
from events.speech.settings import criteria_of

bp = Blueprint("judge", __name__, url_prefix="/judge")
private_pages(bp)
assert BIND_PATH == "/speech/judge/bind/"  # the printed QR codes point here: keep the two together


def _seat_or_404(round_id: int) -> tuple[SpeechRound, SpeechJudge]:
    """The round and the signed-in judge's seat on it; 404 for a round they are not on."""
    judge = sheets.seat_of(round_id, current_user.id)
    if judge is None:
        abort(404)
    return judge.round, judge


@bp.get("/")
@roles_required(Role.JUDGE)
def index():
    return render_template("events/speech/judge/index.html", seats=judging.judge_rounds(current_user))


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.JUDGE)
def tablet(round_id: int):
    round_, judge = _seat_or_404(round_id)
    criteria = [{"name": c.name, "maximum": format(c.maximum, "f"), "step": format(c.step, "f"),
                 "soft_minimum": None if c.soft_minimum is None else format(c.soft_minimum, "f"),
                 "soft_maximum": None if c.soft_maximum is None else format(c.soft_maximum, "f"),
                 "description": c.description} for c in criteria_of(round_.contest)]
    return render_template("events/speech/judge/tablet.html", round=round_, judge=judge, criteria=criteria,
                           state=judging.tablet_state(round_, judge), problem_form=ConfirmForm())


def _reported_draft():
    """The poll's `draft` parameter: the slot id the tablet holds an unsent draft for, empty for none;
    absent or not a slot id: not reported."""
    text = request.args.get("draft")
    if text is None:
        return judging.NOT_REPORTED
    if text == "":
        return None
    if len(text) <= 10 and text.isascii() and text.isdigit() and 0 < int(text) <= INTEGER_LIMIT:
        return int(text)
    return judging.NOT_REPORTED


@bp.get("/rounds/<int:round_id>/state")
@roles_required(Role.JUDGE)
def state(round_id: int):
    # Two cheap reads (the seat's id, the round's version) and a rare write: the poll of an unchanged
    # state answers 304 without loading anything else.
    judge_id = db.session.scalar(sa.select(SpeechJudge.id).where(SpeechJudge.round_id == round_id,
                                                                 SpeechJudge.user_id == current_user.id))
    if judge_id is None:
        abort(404)
    judging.touch_judge(judge_id, _reported_draft())
    version = state_version(round_id)
    db.session.commit()

    def build():
        round_ = db.session.get(SpeechRound, round_id)
        return judging.tablet_state(round_, db.session.get(SpeechJudge, judge_id))

    return versioned_json(state_etag(round_id, version, "judge", judge_id), build)


@bp.post("/rounds/<int:round_id>/slots/<int:slot_id>/sheet")
@roles_required(Role.JUDGE)
def submit(round_id: int, slot_id: int):
    round_, judge = _seat_or_404(round_id)
    slot = sheets.round_slot(round_id, slot_id)
    if slot is None:
        abort(404)
    try:
        outcome = sheets.submit_judge_sheet(round_, slot, judge, request.get_json(silent=True), actor=current_user)
    except sheets.ScoringRefused as refusal:
        return no_store(jsonify({"status": "refused", "message": refusal.message})), 403
    except sheets.SheetLocked as locked:
        db.session.rollback()
        return no_store(jsonify({"status": "locked", "message": locked.message})), 409
    except sheets.SheetProblem as problem:
        return no_store(jsonify(sheets.problems_body(problem))), 422
    body = sheets.outcome_body(outcome)
    db.session.commit()
    return no_store(jsonify(body))


@bp.post("/rounds/<int:round_id>/problem")
@roles_required(Role.JUDGE)
def problem(round_id: int):
    round_, judge = _seat_or_404(round_id)
    data = request.get_json(silent=True) if request.is_json else request.form
    text = data.get("problem", "") if hasattr(data, "get") else ""
    judging.raise_problem(round_, judge, text if isinstance(text, str) else "")
    db.session.commit()
    if request.is_json:
        return no_store(jsonify({"status": "ok", "problem": judge.problem}))
    return redirect(url_for("speech.judge.tablet", round_id=round_id))


@bp.route("/bind/<token>", methods=["GET", "POST"])
@public
def bind(token: str):
    """The QR on a judge's paper sheet: a confirm page, then this device is signed in as that judge."""
    try:
        judge_id, secret = read_binding(token)
    except InvalidToken as error:
        message = _("二维码已过期，请联系组织者重新打印") if error.expired else _("二维码无效")
        return render_template("events/speech/judge/bind.html", problem=message, judge=None), 404
    judge = db.session.get(SpeechJudge, judge_id)
    if judge is None or judge.binding_secret != secret or not judge.user.is_active:
        return render_template("events/speech/judge/bind.html", judge=None,
                               problem=_("二维码已作废，请联系组织者领取新的评分表")), 404
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        from app.accounts.services import SESSION_KEY, end_session, start_session

        if current_user.is_authenticated:
            end_session(session.get(SESSION_KEY))
            logout_user()
        session.permanent = True
        session[SESSION_KEY] = start_session(judge.user)
        login_user(judge.user)
        round_id = judge.round_id
        from app.audit.services import record

        record("speech.tablet_bound", target=judge, actor=judge.user,
               summary=_("%(seat)s号评委扫码登录", seat=judge.seat), round_id=round_id)
        db.session.commit()
        return redirect(url_for("speech.judge.tablet", round_id=round_id))
    return render_template("events/speech/judge/bind.html", judge=judge, form=form, problem=None), (
        400 if request.method == "POST" else 200)


@bp.get("/rounds/<int:round_id>/chief")
@roles_required(Role.JUDGE)
def chief(round_id: int):
    """The chief judge's page: who has submitted for each contestant, and unlocking a sheet with a
    reason; no scores (a judge, even the chief, never sees another judge's scores)."""
    round_, judge = _seat_or_404(round_id)
    if not judge.is_chief:
        abort(404)
    from events.speech.forms.judging import ReasonForm
    from events.speech.services.panels import load_round_panel

    return render_template("events/speech/judge/chief.html", round=round_, judge=judge,
                           panel=load_round_panel(round_), form=ReasonForm())
