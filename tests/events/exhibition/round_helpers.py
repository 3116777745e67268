"""Helpers for the judging-round tests (services, pages, route walk, browser): accepted works with a
real display image, a round with its judges, submitting sheets through the service."""
import io
import secrets
from decimal import Decimal

from PIL import Image

from app.extensions import db
from events.exhibition.models import Work, WorkImage
from events.exhibition.round_models import ExhibitionRoundJudge
from events.exhibition.services import assignments, round_sheets, rounds
from events.exhibition.services.files import derived_folder, originals_folder


def _jpeg(seed: int, size=(320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, ((seed * 53) % 256, (seed * 97) % 256, 120)).save(buffer, format="JPEG")
    return buffer.getvalue()


def accepted_work(exhibition, category, author, *, title=None, coauthors=(), image=True) -> Work:
    """An accepted work of `author` (their unit) with the next 编号, and a ready image whose
    thumbnail, display and original files exist."""
    exhibition.last_number += 1
    number = exhibition.last_number
    work = Work(exhibition_id=exhibition.id, category_id=category.id, number=number, author_id=author.id,
                unit_id=author.unit_id, title=title or f"作品{number}", statement=f"创作说明{number}",
                status="accepted")
    work.coauthors = list(coauthors)
    db.session.add(work)
    db.session.flush()
    if image:
        names = {kind: f"{secrets.token_urlsafe(16)}.jpg" for kind in ("original", "thumb", "display")}
        (originals_folder(exhibition.id) / names["original"]).write_bytes(_jpeg(number, (640, 480)))
        (derived_folder(exhibition.id) / names["thumb"]).write_bytes(_jpeg(number, (160, 120)))
        (derived_folder(exhibition.id) / names["display"]).write_bytes(_jpeg(number))
        db.session.add(WorkImage(work_id=work.id, exhibition_id=exhibition.id, position=1,
                                 original_file=names["original"], extension="jpg", byte_size=1000,
                                 content_hash=secrets.token_hex(32), width=640, height=480, status="ready",
                                 thumbnail_file=names["thumb"], display_file=names["display"],
                                 display_width=320, display_height=240))
    db.session.commit()
    return work


def new_round(exhibition, categories, judges=(), *, name="初评", method="score", quorum=2, advance_kind="top",
              advance_value=Decimal(2), **fields):
    """A draft round over `categories` with `judges` (users) added."""
    settings = rounds.RoundSettings(name=name, method=method, category_ids=[c.id for c in categories],
                                    quorum=quorum, advance_kind=advance_kind,
                                    advance_value=None if advance_kind == "none" else advance_value, **fields)
    round_ = rounds.create_round(None, exhibition, settings)
    for user in judges:
        assignments.add_judge(None, round_, user)
    db.session.commit()
    return round_


def judge_row(round_, user) -> ExhibitionRoundJudge:
    return next(judge for judge in round_.judges if judge.user_id == user.id)


def score(round_, user, work, value):
    """Submit `value` for `work` as `user` (the score method's one number, or a shortlist 1/0)."""
    judge = judge_row(round_, user)
    key = "入选" if round_.method == "shortlist" else "得分"
    outcome = round_sheets.submit_work_sheet(round_, judge, work, {"scores": {key: str(value)}}, actor=user)
    db.session.commit()
    return outcome


def assigned_ids(round_, user) -> list[int]:
    return [item.work.id for item in round_sheets.my_works(round_, judge_row(round_, user))]
