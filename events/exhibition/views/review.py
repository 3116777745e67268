"""审核 (organisers): the review queue with the flags beside each work, single and bulk actions."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.http import int_arg, private_pages
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.forms import ReviewForm, parse_ids
from events.exhibition.models import REVIEWABLE_STATUSES, Exhibition, Work
from events.exhibition.services import review as reviewing
from events.exhibition.services.setup import category_of

bp = Blueprint("review", __name__, url_prefix="/manage")
private_pages(bp)


@bp.get("/<int:exhibition_id>/review")
@roles_required(Role.ORGANISER)
def queue(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    category = category_of(exhibition, int_arg("category", strict=False))
    status = request.args.get("status", "")
    status = status if status in REVIEWABLE_STATUSES else ""
    works = reviewing.queue(exhibition, category_id=category.id if category else None, status=status or None)
    return render_template("exhibition/review/queue.html", exhibition=exhibition, works=works, category=category,
                           status=status, form=ReviewForm(), flags={w.id: reviewing.flags_of(w, exhibition)
                                                                      for w in works},
                           counts=reviewing.counts(exhibition))


@bp.post("/<int:exhibition_id>/review")
@roles_required(Role.ORGANISER)
def act(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    form = ReviewForm()
    back = url_for("exhibition.review.queue", exhibition_id=exhibition.id, category=request.args.get("category"),
                   status=request.args.get("status"))
    if not form.validate_on_submit():
        flash(_("请选择操作后重试。"), "warning")
        return redirect(back)
    ids = parse_ids(request.form.getlist("work_id")) + parse_ids(form.work_ids.data or "")
    if not ids:
        flash(_("请先勾选作品。"), "warning")
        return redirect(back)
    works = list(db.session.scalars(db.select(Work).where(Work.exhibition_id == exhibition.id, Work.id.in_(ids))))
    try:
        changed = reviewing.review(works, form.action.data, current_user, form.reason.data or "")
    except Problem as problem:
        db.session.rollback()
        flash(problem.message, "warning")
        return redirect(back)
    db.session.commit()
    flash(_("已处理 %(count)s 件作品。", count=changed), "success")
    return redirect(back)
