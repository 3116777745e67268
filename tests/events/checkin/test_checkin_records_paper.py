# ruff: noqa: F401, F811  (fixtures imported from att_fixtures are test arguments)
"""The workbook, the print-ready 签到表, paper sheets entered afterwards, and the meeting record with its
photos (verified by Pillow, kept private, served only to staff who may see the record)."""
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from PIL import Image

from app.audit.models import AuditEntry
from app.extensions import db
from events.checkin.models import CheckinPhoto, CheckinRecord
from tests.events.checkin.att_fixtures import att_clock, att_event, check_in, exempt, leave, snapshot, town


@pytest.fixture
def photo_folder(app, tmp_path):
    app.config["CHECKIN_PHOTO_FOLDER"] = str(tmp_path / "photos")
    return tmp_path / "photos"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_workbook_has_summary_list_absent_and_sign_in_sheets(app, att_event, town, client_for, att_clock):
    p = town["people"]
    p["孙六"].name = "=HYPERLINK(\"x\")"  # a name a spreadsheet would run
    db.session.commit()
    event = att_event(scope="units", units=[town["jia"], town["yi"]], title="党员大会")
    snapshot(event)
    check_in(event, p["张一"])
    check_in(event, p["李二"], minutes_after_start=20)
    leave(event, p["王三"], reason="住院")
    exempt(event, p["吴八"], reason="借调")
    response = client_for(town["organiser"]).get(f"/checkin/attendance/{event.id}/export")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["汇总", "全部名单", "未签到名单", "签到表"]
    summary = [tuple(row) for row in book["汇总"].iter_rows(values_only=True)]
    assert summary[0][:3] == ("单位", "支部", "应到")
    total = next(row for row in summary if row[0] == "合计")
    assert total[2:9] == (8, 1, 1, 1, 0, 4, 1) and total[9] == pytest.approx(2 / 7)
    assert any(row[0] == "出勤率 = (出席 + 迟到 + 公出) ÷ (应到 − 不计入)" for row in summary)
    assert book["汇总"].page_setup.paperSize == 9
    people = list(book["全部名单"].iter_rows(values_only=True))
    assert people[2][:4] == ("甲单位", "一支部", None, "李二") and people[2][6] == "迟到"
    absent_names = [row[3] for row in book["未签到名单"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"x\")" in absent_names and "张一" not in absent_names
    sheet = list(book["签到表"].iter_rows(values_only=True))
    assert sheet[0] == ("序号", "姓名", "单位 / 支部", "请假 / 不计入原因", "签名")
    assert any(row[1] == "王三" and row[3] == "请假：住院" for row in sheet)


def test_the_sign_in_sheet_page_prints_counts_reasons_and_a_signature_column(app, att_event, town, client_for,
                                                                           att_clock):
    p = town["people"]
    event = att_event(scope="units", units=[town["jia"]], title="支部党员大会")
    snapshot(event)
    check_in(event, p["张一"])
    leave(event, p["王三"], reason="住院治疗")
    page = client_for(town["organiser"]).get(f"/checkin/records/{event.id}/sheet").get_data(as_text=True)
    assert "支部党员大会 签到表" in page and 'class="signature"' in page
    assert "住院治疗" in page and "checkin-attendance.css" in page
    counts = page.split('class="sheet-counts"')[1].split("</table>")[0]
    assert "<td>6</td><td>1</td>" in counts.replace("\n", "").replace("    ", "")
    css = Path(app.static_folder, "css/checkin-attendance.css").read_text(encoding="utf-8")
    assert "@page { size: A4 portrait" in css and ".topbar, .no-print" in css


def test_paper_sheets_entered_afterwards_become_paper_check_ins_once(app, att_event, town, client_for, att_clock):
    p = town["people"]
    event = att_event(scope="units", units=[town["jia"]])
    snapshot(event)
    check_in(event, p["张一"])
    client = client_for(town["organiser"])
    page = client.get(f"/checkin/records/{event.id}/paper").get_data(as_text=True)
    assert "李二" in page and "张一" not in page.split("paper-form")[1]
    ids = [p["李二"].id, p["钱五"].id]
    client.post(f"/checkin/records/{event.id}/paper", data={"members": ids, "note": "系统故障"})
    client.post(f"/checkin/records/{event.id}/paper", data={"members": ids})  # the same sheet twice
    records = db.session.scalars(sa.select(CheckinRecord).where(CheckinRecord.method == "paper")).all()
    assert sorted(record.user_id for record in records) == sorted(ids)
    assert all(record.checked_at == event.starts_at and record.recorded_by_id == town["organiser"].id
               and record.note == "系统故障" for record in records)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "checkin.paper_entered")).all()
    assert len(entries) == 1 and sorted(entries[0].details["names"]) == sorted(["李二", "钱五"])
    assert client_for(town["liaison_jia"]).get(f"/checkin/records/{event.id}/paper").status_code == 403


def test_the_meeting_record_and_its_photos(app, att_event, town, client_for, photo_folder):
    event = att_event(host=town["one"], title="一支部党小组会")
    client = client_for(town["liaison_jia"])  # the host branch's unit liaison keeps the record
    client.post(f"/checkin/records/{event.id}", data={"host": "张一", "recorder": "李二", "topics": "学习党章",
                                                      "minutes": "第一项……\n第二项……"})
    page = client.get(f"/checkin/records/{event.id}").get_data(as_text=True)
    assert "学习党章" in page and "第二项" in page

    fake = client.post(f"/checkin/records/{event.id}/photos",
                       data={"photo": (io.BytesIO(b"GIF89a not really"), "x.jpg")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "无法识别的图片" in fake.get_data(as_text=True)
    truncated = _png()[:-30]
    client.post(f"/checkin/records/{event.id}/photos", data={"photo": (io.BytesIO(truncated), "t.png")},
                content_type="multipart/form-data")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinPhoto)) == 0

    client.post(f"/checkin/records/{event.id}/photos", data={"photo": (io.BytesIO(_png()), "会场.png")},
                content_type="multipart/form-data")
    photo = db.session.scalar(sa.select(CheckinPhoto))
    stored = photo_folder / photo.stored_name
    assert stored.exists() and oct(stored.stat().st_mode & 0o777) == "0o600"
    served = client.get(f"/checkin/records/photos/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == _png()
    assert "no-store" in served.headers["Cache-Control"]
    for outsider in (town["liaison_yi"], town["people"]["张一"]):
        assert client_for(outsider).get(f"/checkin/records/photos/{photo.id}").status_code in (403, 404)
    assert client_for(town["liaison_yi"]).get(f"/checkin/records/{event.id}").status_code == 404

    client.post(f"/checkin/records/photos/{photo.id}/delete")
    assert not stored.exists() and db.session.scalar(sa.select(sa.func.count()).select_from(CheckinPhoto)) == 0
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"checkin.minutes.saved", "checkin.photo.added", "checkin.photo.deleted"} <= actions


def test_a_sheet_printed_before_the_window_opens_lists_whom_the_rule_invites(app, att_event, town, client_for):
    from datetime import timedelta

    from app.common import clock
    from tests.events.checkin.att_fixtures import ATT_START

    event = att_event(scope="units", units=[town["jia"], town["yi"]])
    with clock.frozen_at(ATT_START - timedelta(days=1)):
        page = client_for(town["liaison_yi"]).get(f"/checkin/records/{event.id}/sheet").get_data(as_text=True)
    table = page.split('class="sheet-table"')[1]
    assert "周七" in table and "吴八" in table and "张一" not in table
    assert event.snapshot_taken_at is None
