"""Badges in the console and on my page: a marketer creates a manual badge and awards and revokes it from a
member's page with a reason (audited; twice changes nothing; a moderator is refused), edits a declarative
badge (audited; a new threshold applies from then on); names are escaped everywhere; my page lists the
badges held (NEW) and the ones to come with what is left; export and erase cover the member's badges."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linecomm.actions.service import ActionKind
from linecomm.members.models import Member
from linecomm.points.badge_models import Badge
from linecomm.privacy.features import registry
from tests.admin.console import Console
from tests.points.helpers import record
from tests.points.test_badges import held
from tests.support.community import Community

XSS = '<script>alert("x")</script>'

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_marketer_awards_and_revokes_a_manual_badge(community: Community, console: Console, liff_member) -> None:
    member = liff_member(nickname="オフ会").member_id
    marketer = console.client("marketer")
    created = marketer.post("/admin/badges/new", {"name": f"オフ会{XSS}", "description": "参加", "emoji": "🎉"})
    assert created.status_code == 303
    page = marketer.follow(created).get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;" in page
    with community.reader() as s:
        code = s.scalar(select(Badge.code).where(Badge.name.like("オフ会%")))
    assert code and code.startswith("m-")
    form = {"code": code, "reason": "オフ会に参加"}
    assert marketer.post(f"/admin/badges/members/{member}/award", form).status_code == 303
    assert marketer.post(f"/admin/badges/members/{member}/award", form).status_code == 303  # twice
    assert held(community, member) == [code]
    member_page = marketer.get(f"/admin/members/{member}").get_data(as_text=True)
    assert "data-member-badges" in member_page and XSS not in member_page and "オフ会に参加" in member_page
    [row] = console.audit_rows("badges.award")
    assert code in (row.after or "")
    assert console.audit_count("badges.create") == 1

    refused = console.client("moderator").post(f"/admin/badges/members/{member}/revoke", form)
    assert refused.status_code == 403
    assert held(community, member) == [code]
    no_reason = marketer.post(f"/admin/badges/members/{member}/revoke", {"code": code, "reason": ""})
    assert "理由を入力してください" in marketer.follow(no_reason).get_data(as_text=True)
    assert marketer.post(f"/admin/badges/members/{member}/revoke", {"code": code, "reason": "誤り"}).status_code == 303
    assert held(community, member) == []
    assert console.audit_count("badges.revoke") == 1
    title = marketer.post(f"/admin/badges/members/{member}/award", {"code": "ambassador", "reason": "r"})
    assert "アンバサダーの画面" in marketer.follow(title).get_data(as_text=True)
    assert marketer.post(f"/admin/badges/members/{member}/award", {"code": "x" * 50, "reason": "r"}).status_code == 303
    assert marketer.post("/admin/badges/members/999999/award", form).status_code == 404
    assert console.client("moderator").get("/admin/badges").status_code == 403
    bad = marketer.post("/admin/badges/new", {"name": "色", "colour": "red"})
    assert "#RRGGBB" in marketer.follow(bad).get_data(as_text=True)


def test_marketer_edits_a_declarative_badge(community: Community, console: Console, liff_member) -> None:
    member = liff_member(nickname="回答").member_id
    marketer = console.client("marketer")
    assert "テーマ回答10回" in marketer.get("/admin/badges").get_data(as_text=True)
    form = {"name": "テーマ回答3回", "description": "3回回答", "threshold": "3", "enabled": "1", "emoji": "🗣️"}
    assert marketer.post("/admin/badges/theme_answers_10/edit", form).status_code == 303
    [row] = console.audit_rows("badges.edit")
    assert '"threshold": 10' in (row.before or "") and '"threshold": 3' in (row.after or "")
    for i in range(3):
        record(community, member, ActionKind.THEME_ANSWER, f"theme-answer:e{i}")
    assert held(community, member) == ["first_theme_answer", "theme_answers_10"]
    off = marketer.post("/admin/badges/first_review/edit",
                        {**form, "name": "レビュー", "threshold": "1", "enabled": ""})
    assert off.status_code == 303
    record(community, member, ActionKind.REVIEW_PUBLISHED, "review-published:e")
    assert "first_review" not in held(community, member)
    bad = marketer.post("/admin/badges/theme_answers_10/edit", {**form, "threshold": "0"})
    assert "1〜10,000" in marketer.follow(bad).get_data(as_text=True)
    assert marketer.post("/admin/badges/ambassador/edit", form).status_code == 303  # titles: refused politely
    assert marketer.post("/admin/badges/no_such/edit", form).status_code == 303
    assert marketer.post("/admin/badges/%3Cx%3E/edit", form).status_code == 404


def test_my_page_shows_badges_and_privacy_covers_them(community: Community, console: Console, liff_member,
                                                      liff_client) -> None:
    person = liff_member(nickname="マイページ")
    for i in range(7):
        record(community, person.member_id, ActionKind.THEME_ANSWER, f"theme-answer:m{i}")
    marketer = console.client("marketer")
    marketer.post("/admin/badges/new", {"name": XSS, "emoji": "🎉"})
    with community.reader() as s:
        code = s.scalar(select(Badge.code).where(Badge.name == XSS))
    marketer.post(f"/admin/badges/members/{person.member_id}/award", {"code": code, "reason": "感謝"})
    page = liff_client(person.line_user_id).get("/liff/me").get_data(as_text=True)
    assert 'data-badge="first_theme_answer"' in page and "data-badge-new" in page
    assert XSS not in page and "&lt;script&gt;" in page
    pending = page[page.find('data-badge-pending="theme_answers_10"'):]
    assert "あと3回" in pending[:800]
    assert 'data-badge-pending="active_3_months"' in page

    with community.session() as s:
        member = s.get(Member, person.member_id)
        assert member is not None
        exported = {k: v for hook in registry.hooks for k, v in hook.export_member(s, member).items()}
        assert {b["badge"] for b in exported["badges"]} == {"はじめての回答", XSS}
        erased = [hook.erase_member(s, member, member.joined_at) for hook in registry.hooks if hook.name == "badges"]
        assert erased == [{"badges": 2}]
    assert held(community, person.member_id) == []
