"""展厅 (signed-in members): the gallery by category and unit, a work's page, the hall slideshow, and
the derivative images themselves."""
from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user

from app.common.access import login_required
from app.common.forms import ConfirmForm
from app.common.http import int_arg, private_pages
from app.extensions import db
from events.exhibition.models import Exhibition, Work, WorkImage
from events.exhibition.services import files, gallery, votes, works
from events.exhibition.services.review import flags_of
from events.exhibition.services.setup import category_of

bp = Blueprint("gallery", __name__)
private_pages(bp)
IMAGE_MAX_AGE = 3600  # derivative names change when an image is replaced; private to the browser


@bp.get("/<int:exhibition_id>/gallery")
@login_required
def index(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    category = category_of(exhibition, int_arg("category", strict=False))
    unit_id = int_arg("unit", strict=False)
    page = gallery.page_of(exhibition, int_arg("page", 1, strict=False) or 1,
                           category_id=category.id if category else None, unit_id=unit_id)
    return render_template("exhibition/gallery/index.html", exhibition=exhibition, page=page, category=category,
                           unit_id=unit_id, units=gallery.units_with_works(exhibition), cover=gallery.cover)


@bp.get("/works/<int:work_id>")
@login_required
def work(work_id: int):
    item = db.get_or_404(Work, work_id)
    if not files.may_see_derivatives(current_user, item):
        abort(404)
    owner = item.author_id == current_user.id
    voting = votes.voting_of(item.exhibition)
    return render_template("exhibition/gallery/work.html", work=item, owner=owner,
                           ballot=votes.ballot(voting, current_user, item) if item.status == "accepted" else None,
                           votes_shown=votes.counts_visible(voting), vote_form=ConfirmForm(),
                           vote_count=votes.count_for(item) if votes.counts_visible(voting) else None,
                           may_edit=works.may_edit(item, current_user), withdraw_form=ConfirmForm(),
                           organiser=files.is_organiser(current_user),
                           flags=flags_of(item, item.exhibition) if files.is_organiser(current_user) else [])


@bp.get("/<int:exhibition_id>/slideshow")
@login_required
def slideshow(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    return render_template("exhibition/gallery/slideshow.html", exhibition=exhibition,
                           slides=gallery.slides(exhibition))


@bp.get("/images/<int:image_id>/<any(thumb, display):kind>")
@login_required
def image(image_id: int, kind: str):
    item = db.get_or_404(WorkImage, image_id)
    if not files.may_see_derivatives(current_user, item.work):
        abort(404)
    path = files.derivative_path(item, kind)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=IMAGE_MAX_AGE)
    response.cache_control.public = False
    response.cache_control.private = True
    return response
