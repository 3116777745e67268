"""The audit log viewer: administrators only, newest first, filters, paging; entries never change."""
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry, AuditLogIsAppendOnly
from app.audit.services import record
from app.common import clock
from app.extensions import db


def summaries(page: str) -> list[str]:
    return re.findall(r"<td>\s*(条目[0-9]+)", page)


def test_only_administrators_see_the_audit_log(client, client_for, make_staff):
    assert client.get("/audit/").status_code == 302
    for role in ("organiser", "liaison", "judge", "member"):
        assert client_for(make_staff(role)).get("/audit/").status_code == 403, role


def test_entries_newest_first_with_chinese_labels_and_shanghai_time(admin_client, admin, make_member):
    member = make_member(name="李四")
    with clock.frozen_at(datetime(2026, 3, 1, 16, 30, 5)):
        record("password.reset", target=member, actor=admin, summary="条目1")
        db.session.commit()
    with clock.frozen_at(datetime(2026, 3, 2, 1, 0)):
        record("unit.created", actor=admin, summary="条目2")
        record("quiz.published", actor=admin, summary="条目3")  # a code without a label is shown as is
        db.session.commit()
    page = admin_client.get("/audit/").get_data(as_text=True)
    assert summaries(page) == ["条目3", "条目2", "条目1"]
    assert "2026-03-02 00:30:05" in page  # 16:30:05 UTC shown in Asia/Shanghai
    assert "重置密码" in page and "新增单位" in page and "quiz.published" in page
    assert f"人员 #{member.id}" in page
    assert "管理员甲" in page


def test_filter_by_action_and_by_actor(admin_client, admin, make_staff):
    organiser = make_staff("organiser", name="王组织", staff_id="ORG001")
    record("unit.created", actor=admin, summary="条目1")
    record("unit.created", actor=organiser, summary="条目2")
    record("campaign.created", actor=organiser, summary="条目3")
    db.session.commit()

    assert summaries(admin_client.get("/audit/?action=unit.created").get_data(as_text=True)) == ["条目2", "条目1"]
    assert summaries(admin_client.get("/audit/?actor=ORG001").get_data(as_text=True)) == ["条目3", "条目2"]
    assert summaries(admin_client.get("/audit/?actor=王组织&action=unit.created").get_data(as_text=True)) == ["条目2"]
    page = admin_client.get("/audit/?actor=nobody").get_data(as_text=True)
    assert summaries(page) == [] and "没有找到" in page


def test_paginated(admin_client, admin):
    for number in range(1, 56):
        record("unit.created", actor=admin, summary=f"条目{number}")
    db.session.commit()
    first = admin_client.get("/audit/").get_data(as_text=True)
    assert len(summaries(first)) == 50 and summaries(first)[0] == "条目55"
    assert "第 1 / 2 页" in first and "page=2" in first
    second = admin_client.get("/audit/?page=2").get_data(as_text=True)
    assert summaries(second) == [f"条目{number}" for number in range(5, 0, -1)]
    for odd in ("0", "-3", "abc", "99999"):
        assert admin_client.get(f"/audit/?page={odd}").status_code == 200


def test_entries_cannot_be_changed_or_deleted(app, admin):
    entry = record("unit.created", actor=admin, summary="原文")
    db.session.commit()

    entry.summary = "改过"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()

    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEntry.summary)) == "原文"


def test_the_viewer_offers_no_way_to_change_entries(app, admin_client, admin):
    record("unit.created", actor=admin, summary="条目1")
    db.session.commit()
    page = admin_client.get("/audit/").get_data(as_text=True)
    assert 'method="post"' not in page.split("<main", 1)[1]
    for method in ("post", "put", "delete"):
        assert getattr(admin_client, method)("/audit/").status_code == 405
    audit_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")]
    assert {method for rule in audit_rules for method in rule.methods} <= {"GET", "HEAD", "OPTIONS"}


def test_the_action_filter_shows_labels_not_internal_codes(admin_client):
    page = admin_client.get("/audit/").get_data(as_text=True)
    assert '<option value="account.locked">账号锁定</option>' in page
    assert "（account.locked）" not in page
