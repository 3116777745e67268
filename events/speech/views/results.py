"""成绩 (results): the organiser's review of a round's provisional standings, publishing for 公示,
corrections, finalising and advancing; the results notice and the per-contestant explanation for
everyone once allowed; the workbook; the judges' printed score sheets (评委评分表, the paper fallback).
"""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.common.access import Role, login_required, roles_required
from app.common.clock import local_today, utcnow
from app.common.forms import ConfirmForm
from app.common.http import int_arg, private_pages, xlsx_download
from app.common.problems import Problem, attach_problem
from app.common.qr import qr_svg_inline
from app.errors import abort_with
from app.extensions import db
from events.speech import exports
from events.speech.forms.results import PublishForm
from events.speech.models import SpeechContest, SpeechJudge, SpeechRound, SpeechSlot
from events.speech.services import results as services
from events.speech.services.binding import binding_path
from events.speech.services.panels import load_round_panel
from events.speech.settings import criteria_of

bp = Blueprint("results", __name__, url_prefix="/results")
private_pages(bp)  # names, units and scores; unpublished ones for organisers


@bp.app_template_filter("speech_exact")
def speech_exact(value: str | None, digits: int = 6) -> str:
    """An exact score cut to `digits` decimals for reading, with … when there is more (85.133333…)."""
    if value is None:
        return "—"
    whole, _dot, decimals = str(value).partition(".")
    decimals = decimals.rstrip("0")
    if not decimals:
        return whole
    return f"{whole}.{decimals[:digits]}{'…' if len(decimals) > digits else ''}"


def _round_or_404(round_id: int) -> SpeechRound:
    return db.get_or_404(SpeechRound, round_id)


def _status_of(round_: SpeechRound, latest) -> str:
    if latest is None:
        return _("暂定（未发布）")
    if latest.status == "final":
        return _("最终成绩（第 %(n)s 版）", n=latest.version)
    return _("公示中（第 %(n)s 版，至 %(day)s）", n=latest.version, day=latest.notice_until.isoformat())


@bp.get("/")
@login_required
def index():
    """Rounds with results: every round for organisers, published ones for everyone else."""
    rounds = list(db.session.scalars(
        sa.select(SpeechRound).join(SpeechContest).options(selectinload(SpeechRound.contest))
        .order_by(SpeechContest.held_on.desc().nulls_last(), SpeechContest.id.desc(), SpeechRound.position)))
    lines = []
    for round_ in rounds:
        latest = services.latest_version(round_)
        if latest is None and not current_user.is_organiser:
            continue
        lines.append((round_, latest, _status_of(round_, latest)))
    return render_template("events/speech/results/index.html", lines=lines)


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.ORGANISER)
def review(round_id: int):
    round_ = _round_or_404(round_id)
    return _review_page(round_, PublishForm(data={"notice_until": None}))


def _review_page(round_: SpeechRound, form: PublishForm, status: int = 200):
    standings = services.provisional_standings(round_)
    versions = services.result_versions(round_)
    latest = versions[0] if versions else None
    stale = latest is not None and not services.matches_panels(latest, standings)
    following = services.next_round(round_)
    return render_template(
        "events/speech/results/review.html", round=round_, contest=round_.contest, standings=standings,
        versions=versions, latest=latest, stale=stale, form=form, confirm=ConfirmForm(), next_round=following,
        judges=standings.panel.judges, now=utcnow(), today=local_today(), status=_status_of(round_, latest),
    ), status


@bp.post("/rounds/<int:round_id>/publish")
@roles_required(Role.ORGANISER)
def publish(round_id: int):
    round_ = _round_or_404(round_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _review_page(round_, form, 400)
    try:
        version = services.publish_results(round_, current_user, form.notice_until.data, form.correction_note.data)
    except Problem as problem:
        db.session.rollback()
        if not attach_problem(form, problem):
            flash(problem.message, "error")
        return _review_page(round_, form, 400)
    db.session.commit()
    flash(_("已发布第 %(n)s 版成绩，公示至 %(day)s。", n=version.version, day=version.notice_until.isoformat()),
          "success")
    return redirect(url_for(".review", round_id=round_.id))


def _confirmed_action(round_id: int, action, message):
    round_ = _round_or_404(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        outcome = action(round_, current_user)
    except Problem as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for(".review", round_id=round_.id))
    db.session.commit()
    flash(message(outcome), "success")
    return redirect(url_for(".review", round_id=round_.id))


@bp.post("/rounds/<int:round_id>/finalise")
@roles_required(Role.ORGANISER)
def finalise(round_id: int):
    return _confirmed_action(round_id, services.finalise_results,
                             lambda version: _("第 %(n)s 版已确定为最终成绩。", n=version.version))


@bp.post("/rounds/<int:round_id>/advance")
@roles_required(Role.ORGANISER)
def advance(round_id: int):
    return _confirmed_action(round_id, services.advance_to_next_round,
                             lambda outcome: _("已有 %(n)s 名选手晋级“%(round)s”，等待该轮抽签。",
                                               n=len(outcome[1]), round=outcome[0].name))


def _shown_version(round_: SpeechRound):
    """The version a notice shows: ?version=N, else the latest; 404 when nothing is published."""
    number = int_arg("version")
    version = services.version_of(round_, number) if number else services.latest_version(round_)
    if version is None:
        abort(404)
    return version


@bp.get("/rounds/<int:round_id>/notice")
@login_required
def notice(round_id: int):
    """The 公示 notice of a published version, ready to print on A4."""
    round_ = _round_or_404(round_id)
    version = _shown_version(round_)
    latest = services.latest_version(round_)
    return render_template("events/speech/results/notice.html", round=round_, contest=round_.contest,
                           version=version, latest=latest, criteria=criteria_of(round_.contest))


@bp.get("/slots/<int:slot_id>/explanation")
@login_required
def explanation(slot_id: int):
    """How one contestant's score came about: organisers see the current computation (or ?version=N);
    everyone else sees the final version once the round's results are final."""
    slot = db.get_or_404(SpeechSlot, slot_id)
    if slot.is_rehearsal:
        abort(404)
    round_ = slot.round
    if not services.explanation_visible(round_, current_user):
        abort_with(403, _("成绩最终确定后才能查看评分说明。"))
    version, row, judges = None, None, {}
    number = int_arg("version")
    if current_user.is_organiser and not number:
        standings = services.provisional_standings(round_)
        row, judges = standings.row_for(slot.id), standings.panel.judges
        opened = next((item for item in standings.open if item.slot.id == slot.id), None)
    else:
        version = services.version_of(round_, number) if number else services.latest_version(round_)
        if version is None or (not current_user.is_organiser and version.status != "final"):
            abort(404)
        row = next((item for item in version.standings if item["slot_id"] == slot.id), None)
        opened = None
        if current_user.is_organiser:
            judges = load_round_panel(round_).judges
    if row is None and opened is None and slot.status != "no_show":
        abort(404)
    return render_template("events/speech/results/explanation.html", slot=slot, round=round_,
                           contest=round_.contest, row=row, opened=opened, version=version, judges=judges,
                           criteria=criteria_of(round_.contest), now=utcnow())


@bp.get("/rounds/<int:round_id>/export.xlsx")
@roles_required(Role.ORGANISER)
def export(round_id: int):
    round_ = _round_or_404(round_id)
    content = exports.round_workbook(round_)
    record("speech.results_exported", target=round_, summary=f"{round_.contest.title} · {round_.name}")
    db.session.commit()
    return xlsx_download(content, exports.export_filename(round_))


def _site_url() -> str:
    from flask import current_app

    return (current_app.config.get("SITE_URL") or request.host_url).rstrip("/")


@bp.get("/rounds/<int:round_id>/score-sheets")
@roles_required(Role.ORGANISER)
def score_sheets(round_id: int):
    """Every judge's blank score sheet for the round (one A4 page each), with their binding QR."""
    round_ = _round_or_404(round_id)
    return _score_sheets_page(round_, list(round_.judges))


@bp.get("/judges/<int:judge_id>/score-sheet")
@roles_required(Role.ORGANISER)
def score_sheet(judge_id: int):
    """One judge's blank score sheet (评委评分表) with their binding QR."""
    judge = db.get_or_404(SpeechJudge, judge_id)
    return _score_sheets_page(judge.round, [judge])


def _score_sheets_page(round_: SpeechRound, judges: list[SpeechJudge]):
    slots = [slot for slot in load_round_panel(round_).slots]
    site = _site_url()
    pages = [(judge, site + binding_path(judge), qr_svg_inline(site + binding_path(judge))) for judge in judges]
    return render_template("events/speech/results/score_sheets.html", round=round_, contest=round_.contest,
                           pages=pages, slots=slots, criteria=criteria_of(round_.contest), now=utcnow())
