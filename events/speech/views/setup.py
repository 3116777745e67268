"""比赛设置 (organisers): the contest list, a contest's facts, rounds and scoring settings."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm, options
from app.common.http import private_pages
from app.common.problems import commit_or_show
from app.extensions import db
from events.speech import settings as stored
from events.speech.forms.setup import BLANK_ROWS, TIE_BREAK_ROWS, ContestForm, RoundForm, ScoringForm
from events.speech.models import SpeechContest, SpeechRound
from events.speech.services import registration as registration_rules
from events.speech.services import setup as services

bp = Blueprint("setup", __name__, url_prefix="/setup")
private_pages(bp)


def _contest_or_404(contest_id: int) -> SpeechContest:
    return db.get_or_404(SpeechContest, contest_id)


def _round_or_404(contest: SpeechContest, round_id: int) -> SpeechRound:
    round_ = db.get_or_404(SpeechRound, round_id)
    if round_.contest_id != contest.id:
        from flask import abort

        abort(404)
    return round_


@bp.get("/")
@roles_required(Role.ORGANISER)
def index():
    return render_template("events/speech/setup/index.html", lines=services.organiser_contests())


def _contest_form(contest: SpeechContest | None) -> ContestForm:
    if contest is not None and request.method == "GET":
        facts = services.facts_of(contest)
        form = ContestForm(data={
            "campaign_id": facts.campaign_id, "title": facts.title, "venue": facts.venue, "held_on": facts.held_on,
            "description": facts.description, "opens_at": facts.opens_at_local, "closes_at": facts.closes_at_local,
            "quota_per_unit": facts.quota_per_unit, "allow_self_apply": facts.allow_self_apply,
            "approval_required": facts.approval_required,
            "time_limit": services.format_duration(facts.time_limit_seconds),
            "warning": services.format_duration(facts.warning_seconds),
            "separate_same_unit": facts.separate_same_unit})
    else:
        form = ContestForm()
        if request.method == "GET" and request.args.get("campaign_id", "").isdigit():
            form.campaign_id.data = int(request.args["campaign_id"])
    form.campaign_id.choices = options(services.campaign_choices())
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def create():
    form = _contest_form(None)
    if not form.campaign_id.choices:
        flash(_("请先创建专项活动，再在活动下新建比赛。"), "warning")
    if form.validate_on_submit():
        created = commit_or_show(form, lambda: services.create_contest(current_user, form.facts()),
                                 _("比赛已创建。下一步：设置评分规则、开放报名。"))
        if created:
            return redirect(url_for("speech.setup.show", contest_id=created.value.id))
    return render_template("events/speech/setup/form.html", form=form, contest=None), 400 if form.is_submitted() else 200


@bp.get("/contests/<int:contest_id>")
@roles_required(Role.ORGANISER)
def show(contest_id: int):
    contest = _contest_or_404(contest_id)
    counts = {}
    for entry in contest.entries:
        counts[entry.status] = counts.get(entry.status, 0) + 1
    return render_template(
        "events/speech/setup/show.html", contest=contest, counts=counts,
        window=registration_rules.window_state(contest), criteria=stored.criteria_of(contest),
        tiers=stored.award_tiers_of(contest), tie_breaks=stored.tie_breaks_of(contest),
        bands=stored.overtime_bands_of(contest), duration=services.format_duration, delete_form=ConfirmForm())


@bp.route("/contests/<int:contest_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = _contest_form(contest)
    if form.validate_on_submit() and commit_or_show(
            form, lambda: services.update_contest(contest, current_user, form.facts()), _("已保存。")):
        return redirect(url_for("speech.setup.show", contest_id=contest.id))
    return render_template("events/speech/setup/form.html", form=form, contest=contest), 400 if form.is_submitted() else 200


def _scoring_form(contest: SpeechContest) -> ScoringForm:
    if request.method == "GET":
        criteria = stored.criteria_of(contest)
        weights = stored.panel_rule_of(contest).group_weights
        tie_breaks = stored.tie_breaks_of(contest)
        form = ScoringForm(data={
            "criteria": [{"name": c.name, "maximum": format(c.maximum, "f"), "step": format(c.step, "f"),
                          "soft_minimum": "" if c.soft_minimum is None else format(c.soft_minimum, "f"),
                          "soft_maximum": "" if c.soft_maximum is None else format(c.soft_maximum, "f"),
                          "description": c.description} for c in criteria] + [{}] * BLANK_ROWS,
            "trim_from": contest.trim_from, "trim_each_end": contest.trim_each_end,
            "per_criterion": contest.per_criterion,
            "weights": [{"group": name, "weight": format(weight, "f")} for name, weight in weights.items()]
            + [{}] * BLANK_ROWS,
            "bands": [{"seconds": format(b.seconds, "f"), "points": format(b.points, "f"), "inclusive": b.inclusive}
                      for b in stored.overtime_bands_of(contest)] + [{}] * BLANK_ROWS,
            "places": contest.places,
            "tie_breaks": [{"kind": "untrimmed_mean" if t.kind == "untrimmed_mean" else f"criterion:{t.criterion}"}
                           for t in tie_breaks][:TIE_BREAK_ROWS],
            "tiers": [{"name": t.name, "count": "" if t.count is None else str(t.count),
                       "share": "" if t.share is None else format(t.share, "f")}
                      for t in stored.award_tiers_of(contest)] + [{}] * BLANK_ROWS,
            "awards": [{"name": a.name, "criterion": a.criterion} for a in stored.criterion_awards_of(contest)]
            + [{}] * BLANK_ROWS,
        })
        while len(form.tie_breaks) < TIE_BREAK_ROWS:
            form.tie_breaks.append_entry()
    else:
        form = ScoringForm()
    form.set_criterion_choices([c.name for c in stored.criteria_of(contest)])
    return form


@bp.route("/contests/<int:contest_id>/scoring", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def scoring(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = _scoring_form(contest)
    if form.validate_on_submit() and commit_or_show(
            form, lambda: services.save_scoring(contest, current_user, form.scoring()), _("评分规则已保存。")):
        return redirect(url_for("speech.setup.show", contest_id=contest.id))
    return (render_template("events/speech/setup/scoring.html", form=form, contest=contest,
                            locked=services.has_sheets(contest)), 400 if form.is_submitted() else 200)


@bp.route("/contests/<int:contest_id>/rounds/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def add_round(contest_id: int):
    contest = _contest_or_404(contest_id)
    form = RoundForm()
    if form.validate_on_submit() and commit_or_show(
            form, lambda: services.add_round(contest, current_user, form.name.data, form.advance_count.data),
            _("已新增轮次。")):
        return redirect(url_for("speech.setup.show", contest_id=contest.id))
    return (render_template("events/speech/setup/round.html", form=form, contest=contest, round=None),
            400 if form.is_submitted() else 200)


@bp.route("/contests/<int:contest_id>/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit_round(contest_id: int, round_id: int):
    contest = _contest_or_404(contest_id)
    round_ = _round_or_404(contest, round_id)
    form = RoundForm(data={"name": round_.name, "advance_count": round_.advance_count}) \
        if request.method == "GET" else RoundForm()
    if form.validate_on_submit() and commit_or_show(
            form, lambda: services.update_round(round_, current_user, form.name.data, form.advance_count.data),
            _("已保存。")):
        return redirect(url_for("speech.setup.show", contest_id=contest.id))
    return (render_template("events/speech/setup/round.html", form=form, contest=contest, round=round_,
                            delete_form=ConfirmForm()), 400 if form.is_submitted() else 200)


@bp.post("/contests/<int:contest_id>/rounds/<int:round_id>/delete")
@roles_required(Role.ORGANISER)
def delete_round(contest_id: int, round_id: int):
    contest = _contest_or_404(contest_id)
    round_ = _round_or_404(contest, round_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("speech.setup.edit_round", contest_id=contest.id, round_id=round_.id))
    if not commit_or_show(None, lambda: services.delete_round(round_, current_user), _("已删除轮次。")):
        return redirect(url_for("speech.setup.edit_round", contest_id=contest.id, round_id=round_.id))
    return redirect(url_for("speech.setup.show", contest_id=contest.id))
