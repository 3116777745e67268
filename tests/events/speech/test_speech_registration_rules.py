"""Registration rules without HTTP: window, quota seats, one entry per member, who may register whom,
approval, rejection with a reason, withdrawal, and the files checked by content."""
import io
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from app.audit.models import AuditEntry
from app.common import clock
from app.common.problems import Problem
from app.extensions import db
from events.speech.models import SpeechEntry, SpeechSlot
from events.speech.services import registration as rules
from events.speech.services import registration_files as files
from events.speech.services.registration import Upload
from events.speech.services.setup import ContestFacts, create_contest


@pytest.fixture
def new_contest(make_campaign, organiser):
    def factory(**facts):
        campaign = make_campaign()
        contest = create_contest(organiser, ContestFacts(campaign_id=campaign.id, title=facts.pop("title", "主题演讲比赛"),
                                                         **facts))
        db.session.commit()
        return contest

    return factory


@pytest.fixture
def unit_people(make_unit, make_member, make_staff):
    unit = make_unit("市委办公室")
    liaison = make_staff("liaison", unit=unit, name="联络员")
    members = [make_member(unit=unit, name=f"成员{index}") for index in range(4)]
    return unit, liaison, members


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes(with_document: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # fixed times: the same bytes every call
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", (2026, 1, 1, 0, 0, 0)), "<Types/>")
        if with_document:
            archive.writestr(zipfile.ZipInfo("word/document.xml", (2026, 1, 1, 0, 0, 0)), "<w:document/>")
    return buffer.getvalue()


def jpeg_bytes(size=(40, 60), format_="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format_)
    return buffer.getvalue()


def test_a_liaison_registers_own_unit_members_and_waits_for_approval(new_contest, unit_people):
    contest = new_contest()
    unit, liaison, members = unit_people
    entry = rules.register(contest, members[0], actor=liaison, speech_title="青春心向党")
    db.session.commit()
    assert (entry.status, entry.unit_id, entry.unit_seat, entry.self_applied) == ("registered", unit.id, 1, False)
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "speech.entry.registered"


def test_without_approval_required_a_liaisons_entry_is_approved_at_once(new_contest, unit_people):
    contest = new_contest(approval_required=False)
    _unit, liaison, members = unit_people
    assert rules.register(contest, members[0], actor=liaison, speech_title="题目").status == "approved"


def test_a_liaison_cannot_register_another_units_member(new_contest, unit_people, make_member, make_unit):
    contest = new_contest()
    _unit, liaison, _members = unit_people
    stranger = make_member(unit=make_unit("另一单位"))
    with pytest.raises(Problem, match="只能为本单位人员报名"):
        rules.register(contest, stranger, actor=liaison, speech_title="题目")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechEntry)) == 0


def test_a_member_applies_for_themselves_only(new_contest, unit_people):
    contest = new_contest()
    _unit, _liaison, members = unit_people
    entry = rules.register(contest, members[0], actor=members[0], speech_title="我的题目")
    assert (entry.status, entry.self_applied) == ("registered", True)
    with pytest.raises(Problem, match="只能为本单位人员报名"):
        rules.register(contest, members[1], actor=members[0], speech_title="代报")


def test_self_application_is_refused_when_the_contest_does_not_allow_it(new_contest, unit_people):
    contest = new_contest(allow_self_apply=False)
    with pytest.raises(Problem, match="不接受个人报名"):
        rules.register(contest, unit_people[2][0], actor=unit_people[2][0], speech_title="题目")


def test_the_window_holds_for_liaisons_and_members_not_for_organisers(new_contest, unit_people, organiser):
    now = clock.utcnow()
    contest = new_contest(opens_at_local=None, closes_at_local=None)
    contest.registration_opens_at = now + timedelta(hours=1)
    _unit, liaison, members = unit_people
    with pytest.raises(Problem, match="报名尚未开始"):
        rules.register(contest, members[0], actor=liaison, speech_title="题目")
    contest.registration_opens_at, contest.registration_closes_at = now - timedelta(days=2), now - timedelta(seconds=1)
    with pytest.raises(Problem, match="报名已截止"):
        rules.register(contest, members[0], actor=members[0], speech_title="题目")
    assert rules.register(contest, members[0], actor=organiser, speech_title="题目").status == "approved"


def test_after_the_draw_nobody_registers(new_contest, unit_people, organiser):
    contest = new_contest()
    contest.rounds[0].status = "drawn"
    with pytest.raises(Problem, match="已经抽签"):
        rules.register(contest, unit_people[2][0], actor=organiser, speech_title="题目")
    with pytest.raises(Problem, match="报名已截止"):
        rules.register(contest, unit_people[2][0], actor=unit_people[1], speech_title="题目")


def test_one_entry_per_member(new_contest, unit_people):
    contest = new_contest()
    _unit, liaison, members = unit_people
    rules.register(contest, members[0], actor=liaison, speech_title="题目一")
    with pytest.raises(Problem, match="已报名"):
        rules.register(contest, members[0], actor=members[0], speech_title="题目二")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechEntry)) == 1


def test_the_quota_is_held_by_seats_and_a_withdrawal_gives_the_seat_back(new_contest, unit_people):
    contest = new_contest(quota_per_unit=2)
    _unit, liaison, members = unit_people
    first = rules.register(contest, members[0], actor=liaison, speech_title="一")
    second = rules.register(contest, members[1], actor=liaison, speech_title="二")
    assert (first.unit_seat, second.unit_seat) == (1, 2)
    with pytest.raises(Problem, match="名额已满"):
        rules.register(contest, members[2], actor=liaison, speech_title="三")
    rules.withdraw(first, actor=liaison)
    assert (first.status, first.unit_seat) == ("withdrawn", None)
    third = rules.register(contest, members[2], actor=liaison, speech_title="三")
    assert third.unit_seat == 1
    assert rules.seats_used(contest, members[0].unit_id) == 2


def test_the_database_refuses_two_entries_on_one_seat(new_contest, unit_people):
    contest = new_contest(quota_per_unit=3)
    _unit, liaison, members = unit_people
    entry = rules.register(contest, members[0], actor=liaison, speech_title="一")
    db.session.add(SpeechEntry(contest_id=contest.id, member_id=members[1].id, unit_id=entry.unit_id, unit_seat=1,
                               speech_title="撞位"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_withdrawn_or_rejected_member_can_register_again_on_the_same_row(new_contest, unit_people, organiser):
    contest = new_contest()
    _unit, liaison, members = unit_people
    entry = rules.register(contest, members[0], actor=liaison, speech_title="一")
    rules.reject(entry, actor=organiser, reason="题目与主题不符")
    assert (entry.status, entry.reject_reason, entry.unit_seat) == ("rejected", "题目与主题不符", None)
    again = rules.register(contest, members[0], actor=liaison, speech_title="新题目")
    assert again.id == entry.id
    assert (again.status, again.speech_title, again.reject_reason, again.unit_seat) == ("registered", "新题目", None, 1)


def test_approval_and_rejection_rules(new_contest, unit_people, organiser):
    contest = new_contest()
    _unit, liaison, members = unit_people
    entry = rules.register(contest, members[0], actor=liaison, speech_title="一")
    with pytest.raises(Problem, match="请填写不通过的原因"):
        rules.reject(entry, actor=organiser, reason="  ")
    rules.approve(entry, actor=organiser)
    assert (entry.status, entry.decided_by_id) == ("approved", organiser.id)
    with pytest.raises(Problem, match="待审核"):
        rules.approve(entry, actor=organiser)
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-1] == "speech.entry.approved"


def test_withdrawal_by_whom_and_not_after_the_draw(new_contest, unit_people, make_member, make_unit):
    contest = new_contest()
    _unit, liaison, members = unit_people
    entry = rules.register(contest, members[0], actor=liaison, speech_title="一")
    with pytest.raises(Problem, match="不能撤回"):
        rules.withdraw(entry, actor=members[1])
    with pytest.raises(Problem, match="不能撤回"):
        rules.withdraw(entry, actor=make_member(unit=make_unit("外单位")))
    db.session.add(SpeechSlot(round_id=contest.rounds[0].id, entry_id=entry.id, position=1))
    db.session.flush()
    with pytest.raises(Problem, match="已经抽签"):
        rules.withdraw(entry, actor=members[0])


def test_the_contestant_withdraws_their_own_entry(new_contest, unit_people):
    contest = new_contest()
    _unit, _liaison, members = unit_people
    entry = rules.register(contest, members[0], actor=members[0], speech_title="一")
    rules.withdraw(entry, actor=members[0])
    assert entry.status == "withdrawn"


# ---------------------------------------------------------------- files

def test_manuscripts_are_recognised_by_content_not_by_name():
    assert files.manuscript_type(pdf_bytes()) == "pdf"
    assert files.manuscript_type(docx_bytes()) == "docx"
    for content in (b"MZ\x90\x00 not a document", docx_bytes(with_document=False), b"PK\x03\x04broken", b""):
        with pytest.raises(Problem) as refused:
            files.manuscript_type(content)
        assert refused.value.field == "manuscript"


def test_a_manuscript_over_10_mb_is_refused():
    with pytest.raises(Problem, match="10 MB"):
        files.manuscript_type(b"%PDF-1.4" + b"0" * files.MANUSCRIPT_MAX_BYTES)


def test_a_zip_bomb_is_refused_as_a_manuscript():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (20 * 1024 * 1024))
    with pytest.raises(Problem, match="PDF 或 Word"):
        files.manuscript_type(buffer.getvalue())


def test_photos_are_read_by_pillow_and_stored_as_jpeg():
    stored = files.normalised_photo(jpeg_bytes(format_="PNG"))
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (40, 60)
    big = files.normalised_photo(jpeg_bytes(size=(3000, 2000)))
    with Image.open(io.BytesIO(big)) as image:
        assert max(image.size) == files.PHOTO_LONGEST_SIDE
    with pytest.raises(Problem, match="无法识别的图片"):
        files.normalised_photo(b"GIF89a not really")


def test_a_registration_stores_its_files_privately(new_contest, unit_people, app):
    contest = new_contest()
    _unit, liaison, members = unit_people
    entry = rules.register(contest, members[0], actor=liaison, speech_title="一",
                           manuscript=Upload(docx_bytes(), "我的演讲稿.docx"), photo=Upload(jpeg_bytes(), "me.png"))
    assert (entry.manuscript_type, entry.manuscript_name) == ("docx", "我的演讲稿.docx")
    assert files.read(entry.manuscript_file) == docx_bytes()
    assert files.read(entry.photo_file)[:3] == b"\xff\xd8\xff"
    folder = files.speech_folder()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / entry.manuscript_file).stat().st_mode & 0o777) == "0o600"
    assert "static" not in str(folder)


def test_a_refused_photo_stores_nothing(new_contest, unit_people):
    contest = new_contest()
    _unit, liaison, members = unit_people
    with pytest.raises(Problem, match="无法识别的图片"):
        rules.register(contest, members[0], actor=liaison, speech_title="一",
                       manuscript=Upload(pdf_bytes(), "a.pdf"), photo=Upload(b"nope", "x.jpg"))
    folder = files.speech_folder()
    assert not folder.exists() or not any(folder.iterdir())


def test_a_seat_taken_meanwhile_makes_the_registration_look_again(new_contest, unit_people, monkeypatch):
    """What a racing registration meets: the seat it chose is taken by the time it inserts; the
    savepoint rolls back, it looks again and takes the next seat (PG threads: test_speech_registration_pages)."""
    contest = new_contest(quota_per_unit=3)
    _unit, liaison, members = unit_people
    rules.register(contest, members[0], actor=liaison, speech_title="一")
    real, stale = rules._free_seat, iter([1])
    monkeypatch.setattr(rules, "_free_seat", lambda *args: next(stale, None) or real(*args))
    entry = rules.register(contest, members[1], actor=liaison, speech_title="二")
    db.session.commit()
    assert entry.unit_seat == 2
    assert sorted(db.session.scalars(sa.select(SpeechEntry.unit_seat))) == [1, 2]


def test_a_member_registered_meanwhile_is_named_not_a_crash(new_contest, unit_people):
    """The member's entry arrived after this registration looked (a race): the constraint names it."""
    contest = new_contest()
    _unit, liaison, members = unit_people
    rules.register(contest, members[0], actor=liaison, speech_title="一")
    with pytest.raises(Problem, match="该成员已报名本比赛"):
        rules.save_with_seat(contest, members[0].unit_id, None, {
            "member_id": members[0].id, "speech_title": "二", "status": "registered"})
