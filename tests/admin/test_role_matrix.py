"""For every admin route, each role (and anonymous) gets what it should and nothing else: a forbidden
action answers 403 and is not performed (no audit row, no change)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from linecomm.members import invites, tags
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import ngwords
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.staff.models import StaffUser
from linecomm.themes.models import ThemeAnswer
from tests.admin import (
    appointments_matrix,
    ideas_matrix,
    points_matrix,
    pushes_matrix,
    qa_matrix,
    reviews_matrix,
    staff_line_matrix,
    surveys_matrix,
)
from tests.admin.console import PASSWORD, Console, make_member

ALL = {"owner", "marketer", "moderator"}
OWNER = {"owner"}
MARKETING = {"owner", "marketer"}
MODERATION = {"owner", "moderator"}


@dataclass
class Case:
    method: str
    endpoint: str
    path: str
    allowed: set[str]
    data: dict[str, Any] | None = None


def _world(console: Console) -> dict[str, Any]:
    with console.community.session() as s:
        member = make_member(s, nickname="たろう")
        victim = make_member(s, nickname="きえるひと")
        tag = tags.create(s, "常連")
        doomed_tag = tags.create(s, "消すタグ")
        tags.assign(s, member, tag)
        code = invites.create_code(s, "1期生", 10).code
        ngwords.add(s, "バカ", "hold")
        word = ngwords.add(s, "アホ", "hold")
        doomed_word = ngwords.add(s, "ボケ", "flag")
        held = moderation.submit(s, member.id, ContentKind.THEME_REPLY, "バカみたいに美味しい", ref="theme:1")
        assert held.state == ContentState.HELD
        ids = {"member": member.id, "victim": victim.id, "tag": tag.id, "doomed_tag": doomed_tag.id, "code": code,
               "word": word.id, "doomed_word": doomed_word.id, "held": held.id}
    ids["other_staff"] = console.staff("marketer", email="other@example.com")
    with console.community.session() as s:
        ids["other_staff_id"] = s.scalar(select(StaffUser.id).where(StaffUser.email == "other@example.com"))
    ids.update(pushes_matrix.world(console))
    ids.update(surveys_matrix.world(console))
    ids.update(qa_matrix.world(console))
    ids.update(ideas_matrix.world(console))
    ids.update(reviews_matrix.world(console))
    ids.update(appointments_matrix.world(console))
    ids.update(points_matrix.world(console))
    ids.update(staff_line_matrix.world(console))
    with console.community.session() as s:
        ids["photo_content"] = s.get(ThemeAnswer, ids["photo"]).content_id
    return ids


def _cases(w: dict[str, Any]) -> list[Case]:
    m, v = w["member"], w["victim"]
    return [
        Case("GET", "admin.dashboard", "/admin/", ALL),
        Case("GET", "admin.account", "/admin/account", ALL),
        Case("GET", "admin.change_password", "/admin/account/password", ALL),
        Case("POST", "admin.change_password", "/admin/account/password", ALL, {"current_password": "x"}),
        Case("GET", "admin.members", "/admin/members?q=たろ", ALL),
        Case("GET", "admin.member", f"/admin/members/{m}", ALL),
        Case("POST", "admin.member_tag_add", f"/admin/members/{v}/tags", MARKETING, {"tag_id": w["tag"]}),
        Case("POST", "admin.member_tag_remove", f"/admin/members/{m}/tags/{w['tag']}/remove", MARKETING),
        Case("POST", "admin.members_bulk_tag", "/admin/members/bulk-tag", MARKETING,
             {"tag_id": w["tag"], "q": "きえる"}),
        Case("GET", "admin.tag_list", "/admin/tags", MARKETING),
        Case("POST", "admin.tag_list", "/admin/tags", MARKETING, {"name": "新しいタグ"}),
        Case("POST", "admin.tag_delete", f"/admin/tags/{w['doomed_tag']}/delete", MARKETING),
        Case("GET", "admin.invite_list", "/admin/invites", MARKETING),
        Case("POST", "admin.invite_list", "/admin/invites", MARKETING, {"cohort": "2期生", "max_uses": "5"}),
        Case("POST", "admin.invite_disable", f"/admin/invites/{w['code']}/disable", MARKETING),
        Case("GET", "admin.referrals", "/admin/referrals", MARKETING),
        Case("GET", "admin.kpis", "/admin/kpis", MARKETING),
        Case("GET", "admin.kpis_csv", "/admin/kpis/members-daily.csv", MARKETING),
        Case("GET", "admin.points", "/admin/points", MARKETING),
        Case("POST", "admin.point_rule", "/admin/points/rules/vote", MARKETING, {"amount": "3"}),
        Case("POST", "admin.point_grant_segment", "/admin/points/grant", MARKETING,
             {"amount": "5", "reason": "お礼", "operation": "matrix1"}),
        Case("GET", "admin.point_member", f"/admin/points/members/{m}", MARKETING),
        Case("POST", "admin.point_member_grant", f"/admin/points/members/{m}/grant", MARKETING,
             {"amount": "5", "reason": "お礼", "operation": "matrix2"}),
        Case("GET", "admin.point_ranks", "/admin/points/ranks", MARKETING),
        Case("POST", "admin.point_ranks_save", "/admin/points/ranks", MARKETING,
             {"name": ["レギュラー", "ブロンズ"], "threshold": ["0", "500"]}),
        Case("POST", "admin.member_export", f"/admin/members/{m}/export", OWNER, {"format": "json"}),
        Case("POST", "admin.member_delete", f"/admin/members/{v}/delete", OWNER, {"confirm": str(v)}),
        Case("GET", "admin.moderation_queue", "/admin/moderation", MODERATION),
        Case("GET", "admin.moderation_item", f"/admin/moderation/{w['held']}", MODERATION),
        Case("GET", "admin.moderation_image", f"/admin/moderation/{w['photo_content']}/image", MODERATION),
        Case("POST", "admin.moderation_decide", f"/admin/moderation/{w['held']}/decide", MODERATION,
             {"action": "approve"}),
        Case("POST", "admin.member_sanction", f"/admin/members/{m}/sanction", MODERATION,
             {"action": "warn", "reason": "言葉づかいにご注意ください"}),
        Case("GET", "admin.ng_words", "/admin/ng-words?text=ばか", MODERATION),
        Case("POST", "admin.ng_words", "/admin/ng-words", MODERATION, {"term": "クソ", "action": "hold"}),
        Case("GET", "admin.ng_words_test", "/admin/ng-words/test.json?text=ばか", MODERATION),
        Case("POST", "admin.ng_word_update", f"/admin/ng-words/{w['word']}", MODERATION, {"action": "block"}),
        Case("POST", "admin.ng_word_delete", f"/admin/ng-words/{w['doomed_word']}/delete", MODERATION),
        Case("POST", "admin.ng_word_apply", f"/admin/ng-words/{w['word']}/apply", MODERATION),
        Case("POST", "admin.ng_words_import", "/admin/ng-words/import", MODERATION, {"defaults": "1"}),
        Case("GET", "admin.ng_words_export", "/admin/ng-words/export.csv", MODERATION),
        Case("GET", "admin.staff_list", "/admin/staff", OWNER),
        Case("POST", "admin.staff_list", "/admin/staff", OWNER,
             {"email": "new@example.com", "display_name": "新人", "role": "moderator", "password": PASSWORD}),
        Case("POST", "admin.staff_update", f"/admin/staff/{w['other_staff_id']}", OWNER,
             {"op": "role", "role": "moderator"}),
        Case("GET", "admin.audit_log", "/admin/audit", OWNER),
        Case("GET", "admin.settings_page", "/admin/settings", OWNER),
        Case("POST", "admin.settings_page", "/admin/settings", OWNER, {"report_hide_threshold": "5"}),
        Case("POST", "admin.settings_page", "/admin/settings", OWNER, {"image_posts": "publish"}),
        *pushes_matrix.cases(w, Case),
        *surveys_matrix.cases(w, Case),
        *qa_matrix.cases(w, Case),
        *ideas_matrix.cases(w, Case),
        *reviews_matrix.cases(w, Case),
        *appointments_matrix.cases(w, Case),
        *points_matrix.cases(w, Case),
        *staff_line_matrix.cases(w, Case),
    ]


# Signing in and out (and out everywhere: tests/admin/test_sessions.py) would end the clients' sessions here.
SEPARATELY_TESTED = {("GET", "admin.login"), ("POST", "admin.login"), ("POST", "admin.logout"),
                     ("POST", "admin.account")}


def test_the_matrix_covers_every_admin_route(console: Console) -> None:
    cases = {(c.method, c.endpoint) for c in _cases({k: 1 for k in (
        "member", "victim", "tag", "doomed_tag", "code", "word", "doomed_word", "held", "other_staff_id",
        "photo_content", *pushes_matrix.WORLD_KEYS, *surveys_matrix.WORLD_KEYS,
        *qa_matrix.WORLD_KEYS, *ideas_matrix.WORLD_KEYS, *reviews_matrix.WORLD_KEYS,
        *appointments_matrix.WORLD_KEYS, *points_matrix.WORLD_KEYS, *staff_line_matrix.WORLD_KEYS)})}
    routes = {
        (method, rule.endpoint)
        for rule in console.community.app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert routes - SEPARATELY_TESTED == cases


def test_each_role_gets_what_it_should_and_nothing_else(console: Console) -> None:
    world = _world(console)
    cases = _cases(world)
    anonymous = console.anonymous()
    for case in cases:
        before = console.audit_count()
        response = (anonymous.get(case.path) if case.method == "GET"
                    else anonymous.post(case.path, case.data))
        assert response.status_code == 303, (case.endpoint, case.method)
        assert response.headers["Location"].startswith("/admin/login"), case.endpoint
        assert console.audit_count() == before, f"anonymous {case.method} {case.endpoint} was performed"

    # Forbidden roles first, so every action is still there to be refused; then the allowed ones.
    for role in ("marketer", "moderator", "owner"):
        client = console.client(role)
        for case in cases:
            if role in case.allowed:
                continue
            before = console.audit_count()
            response = client.get(case.path) if case.method == "GET" else client.post(case.path, case.data)
            assert response.status_code == 403, (role, case.method, case.endpoint, response.status_code)
            assert "権限がありません" in response.get_data(as_text=True)
            assert console.audit_count() == before, f"{role} {case.method} {case.endpoint} was performed"
    with console.community.session() as s:
        victim = s.get(Member, world["victim"])
        held = s.get(ContentItem, world["held"])
        assert victim.status == MemberStatus.MEMBER and victim.nickname == "きえるひと"
        assert held.state == ContentState.HELD
        assert s.scalar(select(StaffUser).where(StaffUser.email == "new@example.com")) is None

    done: set[tuple[str, str]] = set()
    for role in ("marketer", "moderator", "owner"):
        client = console.client(role)
        for case in cases:
            if role not in case.allowed:
                continue
            response = client.get(case.path) if case.method == "GET" else client.post(case.path, case.data)
            # A second allowed role may find the first one already deleted the target.
            ok = (200, 303, 404) if (case.method, case.endpoint) in done else (200, 303)
            done.add((case.method, case.endpoint))
            assert response.status_code in ok, (role, case.method, case.endpoint, response.status_code)
            if response.status_code == 303:
                assert not response.headers["Location"].startswith("/admin/login"), (role, case.endpoint)

    with console.community.session() as s:
        assert s.get(Member, world["victim"]).status == MemberStatus.DELETED
        assert s.get(ContentItem, world["held"]).state == ContentState.PUBLISHED
        assert s.scalar(select(StaffUser).where(StaffUser.email == "new@example.com")) is not None


def test_the_navigation_only_offers_what_the_role_may_open(console: Console) -> None:
    expected = {
        "owner": {"メンバー", "タグ", "招待コード", "配信", "アンケート", "Q&A", "レビュー", "投稿の確認", "NGワード",
                  "スタッフ", "操作履歴", "設定"},
        "marketer": {"メンバー", "タグ", "招待コード", "配信", "アンケート", "Q&A", "レビュー"},
        "moderator": {"メンバー", "アンケート", "Q&A", "投稿の確認", "NGワード"},
    }
    every = set().union(*expected.values())
    for role, shown in expected.items():
        page = console.client(role).get("/admin/").get_data(as_text=True)
        nav = page.split('<nav class="adm-nav"', 1)[1].split("</nav>", 1)[0]
        assert {label for label in every if f">{label}</a>" in nav} == shown, role
