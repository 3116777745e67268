"""The judges' pages (评审, tablet first): my rounds, my works by number, a work's scoring page, the
sheet submit endpoints, the judges' copy of the images and, where the round allows, the original.

A judge reaches only works assigned to them in a round that is open or closed (404 otherwise): never
their own work nor their unit's (no assignment is made for those). The submit contract
(static/js/exhibition-judge.js):

    POST /exhibition/judge/rounds/<round_id>/works/<work_id>/sheet   (header X-CSRFToken)
    {"scores": {name: "86.5"}, "notes": {}, "confirmed": []}          (shortlist: {"scores": {"入选": "1"}})
    POST /exhibition/judge/rounds/<round_id>/ranking   {"places": {work_id: place}}
    → 200 {"status": "submitted", "version": n, "same": bool} | 409 locked | 422 invalid | 403 refused
"""
from flask import Blueprint, abort, jsonify, render_template, request, send_file
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.http import no_store, private_pages
from app.extensions import db
from events.exhibition.round_models import ExhibitionRound
from events.exhibition.services import files, round_sheets
from events.exhibition.services.round_results import PLACE, YES
from events.exhibition.services.rounds import SCORE, criteria_of
from events.judging.sheets import problems_body

bp = Blueprint("judge", __name__, url_prefix="/judge")
private_pages(bp)
IMAGE_MAX_AGE = 3600
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heic": "image/heic"}


def _judge_or_404(round_id: int):
    judge = round_sheets.judge_of(round_id, current_user.id)
    if judge is None or judge.round.status == "draft":
        abort(404)
    return judge.round, judge


def _criteria(round_: ExhibitionRound) -> list[dict]:
    return [{"name": c.name, "maximum": format(c.maximum, "f"), "step": format(c.step, "f"),
             "description": c.description} for c in criteria_of(round_)]


@bp.get("/")
@roles_required(Role.JUDGE)
def index():
    return render_template("exhibition/judge/index.html", judges=round_sheets.judge_rounds(current_user))


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.JUDGE)
def round_works(round_id: int):
    round_, judge = _judge_or_404(round_id)
    items = round_sheets.my_works(round_, judge)
    template = "exhibition/judge/ranking.html" if round_.method == "ranking" else "exhibition/judge/works.html"
    places = {item.work.id: int(item.sheet.score_values.get(PLACE, 0)) for item in items if item.sheet}
    return render_template(template, round=round_, judge=judge, items=items, places=places,
                           done=sum(item.done for item in items))


@bp.get("/rounds/<int:round_id>/works/<int:work_id>")
@roles_required(Role.JUDGE)
def work(round_id: int, work_id: int):
    round_, judge = _judge_or_404(round_id)
    if round_.method == "ranking":
        abort(404)
    items = round_sheets.my_works(round_, judge)
    index = next((position for position, item in enumerate(items) if item.work.id == work_id), None)
    if index is None:
        abort(404)
    item = items[index]
    following = items[index + 1].work if index + 1 < len(items) else None
    return render_template("exhibition/judge/work.html", round=round_, judge=judge, item=item, work=item.work,
                           criteria=_criteria(round_), position=index + 1, count=len(items), following=following,
                           YES=YES, SCORE=SCORE)


def _answer(call):
    try:
        outcome = call()
    except round_sheets.ScoringRefused as refusal:
        db.session.rollback()
        return no_store(jsonify({"status": "refused", "message": refusal.message})), 403
    except round_sheets.SheetLocked as locked:
        db.session.rollback()
        return no_store(jsonify({"status": "locked", "message": locked.message})), 409
    except round_sheets.SheetProblem as problem:
        db.session.rollback()
        return no_store(jsonify(problems_body(problem))), 422
    first = outcome[0] if isinstance(outcome, list) else outcome
    body = round_sheets.outcome_body(first)
    if isinstance(outcome, list):
        body["same"] = all(item.same for item in outcome)
    db.session.commit()
    return no_store(jsonify(body))


@bp.post("/rounds/<int:round_id>/works/<int:work_id>/sheet")
@roles_required(Role.JUDGE)
def submit(round_id: int, work_id: int):
    round_, judge = _judge_or_404(round_id)
    item = round_sheets.assigned_work(round_, judge, work_id)
    if item is None:
        abort(404)
    return _answer(lambda: round_sheets.submit_work_sheet(round_, judge, item, request.get_json(silent=True),
                                                          actor=current_user))


@bp.post("/rounds/<int:round_id>/ranking")
@roles_required(Role.JUDGE)
def submit_ranking(round_id: int):
    round_, judge = _judge_or_404(round_id)
    return _answer(lambda: round_sheets.submit_ranking(round_, judge, request.get_json(silent=True),
                                                       actor=current_user))


@bp.get("/rounds/<int:round_id>/images/<int:image_id>/<any(thumb, display):kind>")
@roles_required(Role.JUDGE)
def image(round_id: int, image_id: int, kind: str):
    """The thumbnail (no metadata at all) or the judges' copy (评审图: author fields and GPS stripped;
    until the job has made it, the display image, which carries no metadata)."""
    round_, judge = _judge_or_404(round_id)
    item = round_sheets.judge_image(round_, judge, image_id)
    if item is None:
        abort(404)
    path = files.derivative_path(item, "thumb") if kind == "thumb" else (
        files.judge_copy_path(item) or files.derivative_path(item, "display"))
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=IMAGE_MAX_AGE)
    response.cache_control.public = False
    response.cache_control.private = True
    return response


@bp.get("/rounds/<int:round_id>/images/<int:image_id>/original")
@roles_required(Role.JUDGE)
def original(round_id: int, image_id: int):
    """The original file, only in a round that allows originals (e.g. 终评 for print quality). The
    download name is the number only, never the title or author."""
    round_, judge = _judge_or_404(round_id)
    item = round_sheets.judge_image(round_, judge, image_id)
    if item is None or not round_.allows_originals:
        abort(404)
    path = files.original_path(item)
    if path is None or not path.is_file():
        abort(404)
    from app.common.http import content_disposition

    response = send_file(path, mimetype=MIMETYPES.get(item.extension, "application/octet-stream"), max_age=0)
    response.headers["Content-Disposition"] = content_disposition(f"{item.work.code}_{item.position}.{item.extension}")
    return no_store(response)
