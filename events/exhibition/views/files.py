"""The organiser's files: an original image, the catalogue workbook, a category's ZIP of originals."""
from flask import Blueprint, Response, abort, send_file, stream_with_context
from flask_login import current_user

from app.audit.services import record
from app.common.access import Role, roles_required
from app.common.http import content_disposition, no_store, xlsx_download
from app.common.zipstream import stream_zip
from app.extensions import db
from events.exhibition import exports
from events.exhibition.models import Exhibition, WorkImage
from events.exhibition.services import files
from events.exhibition.services.setup import category_of

bp = Blueprint("files", __name__, url_prefix="/manage")

MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heic": "image/heic"}


@bp.get("/images/<int:image_id>/original")
@roles_required(Role.ORGANISER)
def original(image_id: int):
    image = db.get_or_404(WorkImage, image_id)
    path = files.original_path(image)
    if not files.may_read_original(current_user) or path is None or not path.is_file():
        abort(404)
    work = image.work
    name = f"{work.code}_{work.title}.{image.extension}"
    response = send_file(path, mimetype=MIMETYPES.get(image.extension, "application/octet-stream"), max_age=0)
    response.headers["Content-Disposition"] = content_disposition(name)
    return no_store(response)


@bp.get("/<int:exhibition_id>/catalogue.xlsx")
@roles_required(Role.ORGANISER)
def catalogue(exhibition_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    content = exports.catalogue_workbook(exhibition)
    record("exhibition.catalogue_exported", target=exhibition, summary=exhibition.title)
    db.session.commit()
    return xlsx_download(content, exports.catalogue_filename(exhibition))


@bp.get("/<int:exhibition_id>/categories/<int:category_id>/originals.zip")
@roles_required(Role.ORGANISER)
def originals_zip(exhibition_id: int, category_id: int):
    exhibition = db.get_or_404(Exhibition, exhibition_id)
    category = category_of(exhibition, category_id)
    if category is None:
        abort(404)
    members = exports.zip_members(exhibition, category)
    filename = exports.zip_filename(exhibition, category)
    record("exhibition.originals_downloaded", target=exhibition, summary=category.name, files=len(members))
    db.session.commit()
    response = Response(stream_with_context(stream_zip(members)), mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(filename)
    return no_store(response)
