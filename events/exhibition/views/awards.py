"""评选结果 (awards) and 人气奖 (the members' vote): the organiser's pages (tiers per category, the
provisional awards, publish for 公示, correct, finalise; the vote's window, closing it, showing the
counts), the results notice for signed-in members (A4 print), and a member's vote."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, login_required, roles_required
from app.common.clock import local_today, to_local
from app.common.forms import ConfirmForm
from app.common.http import no_store, private_pages
from app.common.problems import Problem, attach_problem
from app.extensions import db
from events.exhibition.forms import TIER_ROWS, PublishForm, TiersForm, VotingForm
from events.exhibition.models import Exhibition, Work
from events.exhibition.services import awards, files, votes
from events.exhibition.services.setup import category_of

bp = Blueprint("awards", __name__)
private_pages(bp)


def _tier_forms(exhibition: Exhibition, tiers: dict) -> dict:
    forms = {}
    for category in exhibition.categories:
        current = [(tier.name, tier.count) for tier in tiers.get(category.id, [])]
        if not current:
            current = [(str(name), count) for name, count in awards.SUGGESTED_TIERS]
        rows = [{"name": name, "count": count} for name, count in current]
        forms[category.id] = TiersForm(formdata=None, data={"tiers": (rows + [{}] * TIER_ROWS)[:TIER_ROWS]},
                                       prefix=f"c{category.id}")
    return forms


def _manage_page(exhibition: Exhibition, *, publish_form=None, problems=(), status=200):
    tiers = awards.all_tiers(exhibition)
    provisional = awards.compute_awards(exhibition, tiers=tiers)
    latest = awards.latest_version(exhibition)
    return render_template(
        "exhibition/awards/manage.html", exhibition=exhibition, awards=provisional, tiers=tiers,
        tier_forms=_tier_forms(exhibition, tiers), latest=latest, versions=awards.result_versions(exhibition),
        publish_form=publish_form or PublishForm(formdata=None), confirm=ConfirmForm(), problems=problems,
        today=local_today()), status


@bp.get("/manage/<int:exhibition_id>/awards")
@roles_required(Role.ORGANISER)
def manage(exhibition_id: int):
    return _manage_page(db.get_or_404(Exhibition, exhibition_id))


@bp.post("/manage/<int:exhibition_id>/awards/categories/<int:category_id>/tiers")
@roles_required(Role.ORGANISER)
def set_tiers(exhibition_id: int, category_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    category = category_of(exhibition, category_id)
    if category is None:
        abort(404)
    form = TiersForm(prefix=f"c{category.id}")
    if not form.validate_on_submit():
        messages = [message for row in form.tiers for errors in row.form.errors.values() for message in errors]
        return _manage_page(exhibition, problems=messages or [_("请检查填写的内容")], status=400)
    try:
        awards.set_tiers(current_user, category, form.values())
    except Problem as problem:
        db.session.rollback()
        return _manage_page(db.get_or_404(Exhibition, exhibition_id), problems=[problem.message], status=400)
    db.session.commit()
    flash(_("“%(name)s”的奖项已保存。", name=category.name), "success")
    return redirect(url_for("exhibition.awards.manage", exhibition_id=exhibition.id))


@bp.post("/manage/<int:exhibition_id>/awards/publish")
@roles_required(Role.ORGANISER)
def publish(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _manage_page(exhibition, publish_form=form, status=400)
    try:
        version = awards.publish_awards(exhibition, current_user, form.notice_until.data,
                                        form.correction_note.data or "")
    except Problem as problem:
        db.session.rollback()
        exhibition = db.get_or_404(Exhibition, exhibition_id)
        problems = [] if attach_problem(form, problem) else [problem.message]
        return _manage_page(exhibition, publish_form=form, problems=problems, status=400)
    db.session.commit()
    flash(_("第 %(n)s 版已发布公示。", n=version.version), "success")
    return redirect(url_for("exhibition.awards.manage", exhibition_id=exhibition.id))


@bp.post("/manage/<int:exhibition_id>/awards/finalise")
@roles_required(Role.ORGANISER)
def finalise(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        version = awards.finalise_awards(exhibition, current_user)
    except Problem as problem:
        db.session.rollback()
        return _manage_page(db.get_or_404(Exhibition, exhibition_id), problems=[problem.message], status=400)
    db.session.commit()
    flash(_("第 %(n)s 版已确定为最终结果。", n=version.version), "success")
    return redirect(url_for("exhibition.awards.manage", exhibition_id=exhibition.id))


@bp.get("/<int:exhibition_id>/results")
@login_required
def notice(exhibition_id: int):
    """The results notice (评选结果公示) for signed-in people: the latest published version, with every
    earlier version's correction note; the members' vote apart, once its counts are shown."""
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    latest = awards.latest_version(exhibition)
    voting = votes.voting_of(exhibition)
    popular = votes.standings(exhibition) if votes.counts_visible(voting) else []
    return render_template("exhibition/awards/notice.html", exhibition=exhibition, latest=latest,
                           groups=awards.rows_by_category(latest, exhibition) if latest else [],
                           versions=awards.result_versions(exhibition) if latest else [], voting=voting,
                           popular=popular, today=local_today())


# ---------------------------------------------------------------- the members' vote (organiser)


def _vote_page(exhibition: Exhibition, form=None, problems=(), status=200):
    voting = votes.voting_of(exhibition)
    if form is None:
        data = {"daily_limit": 3}
        if voting is not None:
            data = {"opens_at": to_local(voting.opens_at).replace(tzinfo=None),
                    "closes_at": to_local(voting.closes_at).replace(tzinfo=None), "daily_limit": voting.daily_limit}
        form = VotingForm(formdata=None, data=data)
    total, voters = votes.totals(exhibition)
    return render_template("exhibition/awards/vote.html", exhibition=exhibition, voting=voting, form=form,
                           confirm=ConfirmForm(), problems=problems, total=total, voters=voters,
                           is_open=votes.is_open(voting), closed=voting is not None and votes.is_closed(voting),
                           popular=votes.standings(exhibition) if votes.counts_visible(voting) else []), status


@bp.get("/manage/<int:exhibition_id>/vote")
@roles_required(Role.ORGANISER)
def vote_settings(exhibition_id: int):
    return _vote_page(db.get_or_404(Exhibition, exhibition_id))


@bp.post("/manage/<int:exhibition_id>/vote")
@roles_required(Role.ORGANISER)
def save_vote_settings(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    form = VotingForm()
    if not form.validate_on_submit():
        return _vote_page(exhibition, form, status=400)
    try:
        votes.set_voting(current_user, exhibition, form.opens_at.data, form.closes_at.data, form.daily_limit.data)
    except Problem as problem:
        db.session.rollback()
        exhibition = db.get_or_404(Exhibition, exhibition_id)
        problems = [] if attach_problem(form, problem) else [problem.message]
        return _vote_page(exhibition, form, problems, status=400)
    db.session.commit()
    flash(_("人气奖投票设置已保存。"), "success")
    return redirect(url_for("exhibition.awards.vote_settings", exhibition_id=exhibition.id))


@bp.post("/manage/<int:exhibition_id>/vote/<any(close, show, hide):action>")
@roles_required(Role.ORGANISER)
def vote_action(exhibition_id: int, action: str):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "close":
            votes.close_voting(current_user, exhibition)
        else:
            votes.show_counts(current_user, exhibition, shown=action == "show")
    except Problem as problem:
        db.session.rollback()
        return _vote_page(db.get_or_404(Exhibition, exhibition_id), problems=[problem.message], status=400)
    db.session.commit()
    flash({"close": _("投票已结束。"), "show": _("票数已向会员公布。"), "hide": _("票数已隐藏。")}[action], "success")
    return redirect(url_for("exhibition.awards.vote_settings", exhibition_id=exhibition.id))


# ---------------------------------------------------------------- a member's vote


def _ballot_json(work: Work, status: int = 200, message: str = ""):
    voting = votes.voting_of(work.exhibition)
    ballot = votes.ballot(voting, current_user, work)
    body = {"voted": ballot.voted, "remaining": ballot.remaining, "may_vote": ballot.may_vote,
            "reason": ballot.reason, "message": message} if ballot else {"voted": False, "may_vote": False}
    if votes.counts_visible(voting):
        body["votes"] = votes.count_for(work)  # only once the organiser has shown the counts
    return no_store(jsonify(body)), status


def _visible_work(work_id: int) -> Work:
    work = db.get_or_404(Work, work_id)
    if not files.may_see_derivatives(current_user, work):
        abort(404)
    return work


@bp.get("/works/<int:work_id>/vote")
@login_required
def ballot(work_id: int):
    return _ballot_json(_visible_work(work_id))


@bp.post("/works/<int:work_id>/vote")
@login_required
def vote(work_id: int):
    work = _visible_work(work_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    back = url_for("exhibition.gallery.work", work_id=work.id)
    if not ConfirmForm().validate_on_submit():
        if wants_json:
            return _ballot_json(work, 400, _("页面已过期，请刷新后再试"))
        abort(400)
    try:
        _vote, cast = votes.cast_vote(current_user, work)
    except Problem as problem:
        db.session.rollback()
        if wants_json:
            return _ballot_json(work, 409, problem.message)
        flash(problem.message, "error")
        return redirect(back)
    db.session.commit()
    message = _("投票成功，谢谢！") if cast else _("您已为这件作品投过票")
    if wants_json:
        return _ballot_json(work, 200, message)
    flash(message, "success")
    return redirect(back)
