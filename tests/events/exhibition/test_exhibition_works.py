"""Submitting, processing, reviewing and showing works: through the routes a phone and an organiser use."""
import io
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.common.clock import utcnow
from app.extensions import db
from events.exhibition.models import Work, WorkImage
from tests.events.exhibition.helpers import (
    category,
    files_under,
    new_exhibition,
    photo,
    run_pending_jobs,
    stage,
    work_form,
)


@pytest.fixture
def exhibition(make_campaign):
    return new_exhibition(make_campaign())


@pytest.fixture
def member(make_member):
    return make_member(name="投稿人甲")


def submit_photo(client, exhibition, seed=1, **fields):
    photo_category = category(exhibition, "摄影")
    response = stage(client, exhibition, photo(seed=seed), photo_category.id)
    assert response.status_code == 200, response.get_json()
    token = response.get_json()["token"]
    return client.post(f"/exhibition/{exhibition.id}/submit", data=work_form(photo_category.id, [token], **fields))


def only_work() -> Work:
    return db.session.scalars(sa.select(Work)).one()


def test_a_member_submits_a_photograph_and_it_is_processed_by_a_job(app, client_for, exhibition, member):
    client = client_for(member)
    response = submit_photo(client, exhibition)
    assert response.status_code == 302
    work = only_work()
    assert (work.status, work.processing, work.number, work.unit_id) == ("submitted", True, 1, member.unit_id)
    page = client.get(f"/exhibition/works/{work.id}").get_data(as_text=True)
    assert "处理中" in page and "已提交，待审核" in page
    original = files_under(app.config["UPLOAD_FOLDER"] + f"/exhibition/{exhibition.id}/originals")
    assert len(original) == 1 and original[0].read_bytes() == photo(seed=1)  # byte for byte
    assert original[0].stat().st_mode & 0o777 == 0o600

    assert run_pending_jobs() == ["done"]
    db.session.expire_all()
    work = only_work()
    image = work.images[0]
    assert not work.processing and image.status == "ready" and image.dhash and image.has_exif
    thumb = client.get(f"/exhibition/images/{image.id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert "private" in thumb.headers["Cache-Control"]
    assert client.get(f"/exhibition/works/{work.id}/status").get_json() == {"processing": False,
                                                                           "status": "submitted"}


def test_a_refused_upload_leaves_nothing_behind(app, client_for, exhibition, member):
    client = client_for(member)
    photo_category = category(exhibition, "摄影")
    text = stage(client, exhibition, b"this is not a picture at all" * 10, photo_category.id)
    assert text.status_code == 400 and "无法识别为图片" in text.get_json()["message"]
    small = stage(client, exhibition, photo(size=(800, 600)), photo_category.id)
    assert small.status_code == 400 and "至少 1000 像素" in small.get_json()["message"]
    big = stage(client, exhibition, b"\xff\xd8" + b"0" * (30 * 1024 * 1024 + 10), photo_category.id)
    assert big.status_code == 413 and "30 MB" in big.get_json()["message"]
    assert files_under(app.config["UPLOAD_FOLDER"]) == []


def test_withdrawing_a_work_deletes_its_files_and_frees_the_slot(app, client_for, exhibition, member):
    client = client_for(member)
    submit_photo(client, exhibition)
    run_pending_jobs()
    work = only_work()
    assert len(files_under(app.config["UPLOAD_FOLDER"] + "/exhibition")) == 4  # original, thumbnail, display, judges
    response = client.post(f"/exhibition/works/{work.id}/withdraw")
    assert response.status_code == 302
    db.session.expire_all()
    assert only_work().status == "withdrawn" and only_work().slot is None
    assert files_under(app.config["UPLOAD_FOLDER"] + "/exhibition") == []
    assert submit_photo(client, exhibition, seed=2).status_code == 302  # the slot is free again


def test_the_limit_per_member_per_category(client_for, exhibition, member):
    client = client_for(member)
    assert submit_photo(client, exhibition).status_code == 302
    second = submit_photo(client, exhibition, seed=2)
    assert second.status_code == 400 and "达到每人上限" in second.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Work)) == 1


def test_a_member_cannot_edit_or_withdraw_another_members_work(client_for, exhibition, member, make_member):
    submit_photo(client_for(member), exhibition)
    work = only_work()
    other = client_for(make_member(name="他人"))
    assert other.get(f"/exhibition/works/{work.id}/edit").status_code == 404
    assert other.post(f"/exhibition/works/{work.id}/edit", data={"title": "改"}).status_code == 404
    assert other.post(f"/exhibition/works/{work.id}/withdraw").status_code == 404
    assert other.get(f"/exhibition/works/{work.id}").status_code == 404  # not accepted yet
    assert other.get(f"/exhibition/works/{work.id}/status").status_code == 404
    db.session.expire_all()
    assert only_work().status == "submitted"


def test_a_token_is_its_owners_only(client_for, exhibition, member, make_member):
    photo_category = category(exhibition, "摄影")
    token = stage(client_for(member), exhibition, photo(), photo_category.id).get_json()["token"]
    thief = client_for(make_member())
    response = thief.post(f"/exhibition/{exhibition.id}/submit", data=work_form(photo_category.id, [token]))
    assert response.status_code == 400 and "重新上传" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Work)) == 0


def test_members_never_reach_originals(client_for, exhibition, member, make_member, make_staff, organiser_client):
    submit_photo(client_for(member), exhibition)
    run_pending_jobs()
    image = db.session.scalars(sa.select(WorkImage)).one()
    url = f"/exhibition/manage/images/{image.id}/original"
    for person in (member, make_member(), make_staff("judge"), make_staff("liaison")):
        assert client_for(person).get(url).status_code == 403
    response = organiser_client.get(url)
    assert response.status_code == 200 and response.data == photo(seed=1)
    assert "no-store" in response.headers["Cache-Control"]


def test_review_accept_and_reject_with_reason_then_the_gallery(client_for, exhibition, member, make_member,
                                                               organiser_client):
    client = client_for(member)
    submit_photo(client, exhibition)
    run_pending_jobs()
    work = only_work()
    queue = organiser_client.get(f"/exhibition/manage/{exhibition.id}/review").get_data(as_text=True)
    assert work.title in queue and "0001" in queue
    refused = organiser_client.post(f"/exhibition/manage/{exhibition.id}/review",
                                    data={"action": "reject", "work_id": str(work.id), "reason": ""})
    assert refused.status_code == 302
    db.session.expire_all()
    assert only_work().status == "submitted"  # a rejection needs a reason
    organiser_client.post(f"/exhibition/manage/{exhibition.id}/review",
                          data={"action": "reject", "work_id": str(work.id), "reason": "画面有水印"})
    db.session.expire_all()
    assert only_work().status == "rejected"
    assert "画面有水印" in client.get("/exhibition/").get_data(as_text=True)
    assert client.get(f"/exhibition/works/{work.id}/edit").status_code == 302  # reviewed: no more edits

    # Another work, accepted in bulk: everyone signed in sees it in the gallery.
    second = submit_photo(client, exhibition, seed=5)
    assert second.status_code == 302
    run_pending_jobs()
    accepted = db.session.scalars(sa.select(Work).where(Work.status == "submitted")).one()
    organiser_client.post(f"/exhibition/manage/{exhibition.id}/review",
                          data={"action": "accept", "work_ids": str(accepted.id)})
    viewer = client_for(make_member())
    gallery = viewer.get(f"/exhibition/{exhibition.id}/gallery").get_data(as_text=True)
    assert accepted.title in gallery and 'loading="lazy"' in gallery
    assert viewer.get(f"/exhibition/works/{accepted.id}").status_code == 200
    assert viewer.get(f"/exhibition/works/{work.id}").status_code == 404  # the rejected one stays private
    image = accepted.images[0]
    assert viewer.get(f"/exhibition/images/{image.id}/display").status_code == 200
    slideshow = viewer.get(f"/exhibition/{exhibition.id}/slideshow").get_data(as_text=True)
    assert f'data-id="{image.id}"' in slideshow


def test_identical_and_near_identical_photos_are_flagged(client_for, exhibition, make_member, organiser_client):
    submit_photo(client_for(make_member()), exhibition, seed=3)
    submit_photo(client_for(make_member()), exhibition, seed=3)  # the same file from another member
    run_pending_jobs()
    queue = organiser_client.get(f"/exhibition/manage/{exhibition.id}/review").get_data(as_text=True)
    assert queue.count('data-flag="duplicate"') == 2  # both works of the pair
    db.session.expire_all()
    first, second = db.session.scalars(sa.select(WorkImage).order_by(WorkImage.id)).all()
    assert (first.duplicate_of_id, second.duplicate_of_id) == (second.work_id, first.work_id)


def test_no_exif_and_too_small_flags(client_for, exhibition, member, organiser_client):
    photo_category = category(exhibition, "摄影")
    client = client_for(member)
    token = stage(client, exhibition, photo(exif=False), photo_category.id).get_json()["token"]
    client.post(f"/exhibition/{exhibition.id}/submit", data=work_form(photo_category.id, [token]))
    photo_category.min_long_edge = 2000  # raised after the work came in
    db.session.commit()
    run_pending_jobs()
    queue = organiser_client.get(f"/exhibition/manage/{exhibition.id}/review").get_data(as_text=True)
    assert 'data-flag="no_exif"' in queue and 'data-flag="too_small"' in queue


def test_after_the_deadline_nothing_is_submitted_or_edited(client_for, exhibition, member):
    client = client_for(member)
    submit_photo(client, exhibition)
    work = only_work()
    exhibition.closes_at = utcnow() - timedelta(minutes=1)  # the deadline has passed
    db.session.commit()
    assert client.post(f"/exhibition/works/{work.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert only_work().status == "submitted"
    assert stage(client, exhibition, photo(seed=9)).status_code == 400


def test_calligraphy_needs_size_and_medium(client_for, exhibition, member):
    client = client_for(member)
    calligraphy = category(exhibition, "书法")
    token = stage(client, exhibition, photo(exif=False), calligraphy.id).get_json()["token"]
    response = client.post(f"/exhibition/{exhibition.id}/submit", data=work_form(calligraphy.id, [token]))
    assert response.status_code == 400 and "请填写作品尺寸" in response.get_data(as_text=True)
    response = client.post(f"/exhibition/{exhibition.id}/submit", data=work_form(
        calligraphy.id, [token], width_cm="68", height_cm="136", medium="宣纸"))
    assert response.status_code == 302
    assert only_work().width_cm == 68


def test_the_catalogue_opens_with_a_thumbnail_in_each_row(client_for, exhibition, make_member, organiser_client):
    for seed in (1, 2):
        submit_photo(client_for(make_member()), exhibition, seed=seed)
    run_pending_jobs()
    ids = ",".join(str(work_id) for work_id in db.session.scalars(sa.select(Work.id)))
    organiser_client.post(f"/exhibition/manage/{exhibition.id}/review", data={"action": "accept", "work_ids": ids})
    response = organiser_client.get(f"/exhibition/manage/{exhibition.id}/catalogue.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]][:9] == ["编号", "作品名称", "类别", "作者", "单位", "尺寸", "材质", "得分", "奖项"]
    assert [sheet.cell(row=row, column=1).value for row in (2, 3)] == ["0001", "0002"]
    assert len(sheet._images) == 2
    assert sheet.page_setup.paperSize == 9
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert any(name.startswith("xl/media/") for name in archive.namelist())


def test_the_zip_of_originals_streams_with_readable_names(client_for, exhibition, make_member, organiser_client):
    author = make_member(name="王/小明")
    submit_photo(client_for(author), exhibition, seed=4, title="晨曦_大桥")
    run_pending_jobs()
    work = only_work()
    organiser_client.post(f"/exhibition/manage/{exhibition.id}/review",
                          data={"action": "accept", "work_ids": str(work.id)})
    photo_category = category(exhibition, "摄影")
    response = organiser_client.get(
        f"/exhibition/manage/{exhibition.id}/categories/{photo_category.id}/originals.zip", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    body = b"".join(response.response)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert names == [f"0001_{author.unit.name}_王-小明_晨曦-大桥.jpg"]
        assert archive.read(names[0]) == photo(seed=4)


def test_the_author_edits_a_work_and_replaces_its_image(app, client_for, exhibition, member):
    client = client_for(member)
    submit_photo(client, exhibition)
    run_pending_jobs()
    work = only_work()
    old_files = files_under(app.config["UPLOAD_FOLDER"] + "/exhibition")
    photo_category = category(exhibition, "摄影")
    token = stage(client, exhibition, photo(seed=7), photo_category.id).get_json()["token"]
    response = client.post(f"/exhibition/works/{work.id}/edit",
                           data=work_form(photo_category.id, [token], title="改过的名字"))
    assert response.status_code == 302
    db.session.expire_all()
    work = only_work()
    assert work.title == "改过的名字" and work.processing and work.number == 1
    assert not any(path.exists() for path in old_files)  # the replaced image left nothing behind
    run_pending_jobs()
    assert only_work().images[0].status == "ready"
    # moving it to 绘画 (a calligraphy/painting category) takes a slot there
    painting = category(exhibition, "绘画")
    response = client.post(f"/exhibition/works/{work.id}/edit", data=work_form(
        painting.id, [], title="改过的名字", width_cm="50", height_cm="70", medium="油画布"))
    assert response.status_code == 302
    db.session.expire_all()
    assert only_work().category_id == painting.id and only_work().slot == 1


def test_the_demo_exhibition_has_reviewed_works_in_each_category(app, make_campaign, make_member):
    from events.exhibition.demo import load_demo_exhibition

    for _ in range(4):
        make_member()
    campaign = make_campaign()

    class Context:
        def __init__(self):
            self.campaign, self.today, self.notes = campaign, utcnow().date(), []

        def note(self, text):
            self.notes.append(text)

    exhibition = load_demo_exhibition(Context())
    db.session.commit()
    works = db.session.scalars(sa.select(Work).where(Work.exhibition_id == exhibition.id)).all()
    by_category = {}
    for work in works:
        by_category.setdefault(work.category.name, set()).add(work.status)
    assert set(by_category) == {"书法", "绘画", "摄影"}
    assert all({"accepted", "submitted", "rejected"} <= statuses for statuses in by_category.values())
    assert all(image.status == "ready" for work in works for image in work.images)


def test_a_recompressed_copy_is_flagged_as_near_duplicate(client_for, exhibition, make_member, organiser_client):
    from PIL import Image

    submit_photo(client_for(make_member()), exhibition, seed=6)
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo(seed=6))).resize((1500, 1125)).save(buffer, format="JPEG", quality=60)
    client = client_for(make_member())
    photo_category = category(exhibition, "摄影")
    token = stage(client, exhibition, buffer.getvalue(), photo_category.id).get_json()["token"]
    client.post(f"/exhibition/{exhibition.id}/submit", data=work_form(photo_category.id, [token]))
    run_pending_jobs()
    queue = organiser_client.get(f"/exhibition/manage/{exhibition.id}/review").get_data(as_text=True)
    assert queue.count('data-flag="near_duplicate"') == 2 and 'data-flag="duplicate"' not in queue
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Work).where(Work.status == "submitted")) == 2
