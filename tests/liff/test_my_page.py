"""My page over HTTP: the member's details, renaming under the join flow's rules, leaving with a
confirmation (the same effect as 退会 in chat), sections from other features, deep links, page weight."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from linecomm.liff.sections import register_my_page_section, unregister_my_page_section
from linecomm.members import copy as member_copy
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import ngwords

STATIC = Path(__file__).resolve().parents[2] / "linecomm" / "static" / "liff"
PAGE_BUDGET = 50 * 1024


def test_my_page_shows_nickname_cohort_join_date_in_jst_and_the_privacy_notice(community, liff_member, liff_client):
    # 2026-03-31 16:30 UTC is 2026-04-01 in Japan.
    hana = liff_member(nickname="はなまる", cohort="2期生", joined_at=datetime(2026, 3, 31, 16, 30, tzinfo=UTC))
    html = liff_client(hana.line_user_id).get("/liff/me").get_data(as_text=True)
    assert 'value="はなまる"' in html and "2期生" in html and "2026年04月01日" in html
    assert f'href="{community.settings.privacy_notice_url}"' in html
    assert 'href="/liff/me/leave"' in html


def test_renaming_follows_the_join_flow_rules_with_japanese_errors_beside_the_field(community, liff_member,
                                                                                  liff_client):
    hana = liff_member(nickname="はな")
    liff_member(nickname="そら")
    with community.session() as s:
        ngwords.add(s, "バカ", "hold")
    client = liff_client(hana.line_user_id)

    for typed, message in (("ソラ", "すでに使われています"), ("バカ太郎", "お使いいただけない表現"),
                           ("あ" * 21, "20文字まで"), ("   ", "入力されていません"),
                           ("www.example.jp", "URLやメールアドレス")):
        response = client.post("/liff/me/nickname", data={"nickname": typed})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, typed
        assert message in html and 'aria-invalid="true"' in html
        assert 'id="nickname-error"' in html
    with community.reader() as s:
        assert s.get(Member, hana.member_id).nickname == "はな"

    xss = client.post("/liff/me/nickname", data={"nickname": "<b>ほし</b>@"})
    assert "<b>ほし" not in xss.get_data(as_text=True) and "&lt;b&gt;ほし" in xss.get_data(as_text=True)

    done = client.post("/liff/me/nickname", data={"nickname": "ＨＡＮＡ　ちゃん"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/liff/me?saved=nickname")
    page = client.get("/liff/me?saved=nickname").get_data(as_text=True)
    assert "ニックネームを変更しました" in page and 'value="HANA ちゃん"' in page
    with community.reader() as s:
        assert s.get(Member, hana.member_id).nickname == "HANA ちゃん"


def test_leaving_asks_first_then_does_what_taikai_in_chat_does(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    confirm = client.get("/liff/me/leave").get_data(as_text=True)
    assert "退会しますか" in confirm and 'name="confirm" value="yes"' in confirm

    unconfirmed = client.post("/liff/me/leave", data={})
    assert unconfirmed.status_code == 422 and "「退会する」を押してください" in unconfirmed.get_data(as_text=True)
    with community.reader() as s:
        assert s.get(Member, hana.member_id).status == MemberStatus.MEMBER

    done = client.post("/liff/me/leave", data={"confirm": "yes"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/liff/left")
    assert "退会の手続きが完了しました" in client.get("/liff/left").get_data(as_text=True)
    with community.reader() as s:
        member = s.get(Member, hana.member_id)
        assert member.status == MemberStatus.LEFT and member.left_at is not None
    community.drain()
    goodbye = member_copy.left()[0]["text"]
    assert [m["text"] for m in community.fake.messages_to(hana.line_user_id)] == [goodbye]
    # Treated as a stranger from now on; leaving twice changes and sends nothing.
    assert client.get("/liff/me").status_code == 403
    assert client.post("/liff/me/leave", data={"confirm": "yes"}).status_code == 403


def test_a_suspended_member_can_still_leave(community, liff_member, liff_client):
    quiet = liff_member(nickname="しずか", status=MemberStatus.SUSPENDED)
    assert liff_client(quiet.line_user_id).post("/liff/me/leave", data={"confirm": "yes"}).status_code == 303
    with community.reader() as s:
        assert s.get(Member, quiet.member_id).status == MemberStatus.LEFT


def test_other_features_add_sections_to_my_page(community, liff_member, liff_client, tmp_path):
    hana = liff_member(nickname="はな")
    seen = []

    def context(session, member):  # type: ignore[no-untyped-def]
        seen.append(member.member_id)
        return {"count": 3} if member.nickname == "はな" else None

    template = tmp_path / "section.html"
    template.write_text("<h2>テスト欄</h2><p>{{ section.count }}件</p>", "utf-8")
    community.app.jinja_loader.searchpath.append(str(tmp_path))
    register_my_page_section("test", 50, "section.html", context)
    try:
        html = liff_client(hana.line_user_id).get("/liff/me").get_data(as_text=True)
        assert '<section class="lf-card" data-section="test"><h2>テスト欄</h2><p>3件</p></section>' in html
        assert seen == [hana.member_id]
    finally:
        unregister_my_page_section("test")


def test_deep_links_reach_the_sdk_and_the_entry_leads_members_home(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    deep = client.get("/liff/?liff.state=%2Fme")
    assert deep.status_code == 200 and "data-signin" in deep.get_data(as_text=True)  # init() forwards
    home = client.get("/liff/")
    assert home.status_code == 303 and home.headers["Location"].endswith("/liff/me")
    assert "data-signin" in liff_client(None).get("/liff/").get_data(as_text=True)


def test_each_liff_page_weighs_under_50_kb_with_its_css_and_js(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    follower = liff_member(status=MemberStatus.FOLLOWER)
    assets = sum((STATIC / name).stat().st_size for name in ("liff.css", "pages.js"))
    client = liff_client(hana.line_user_id)
    pages = [client.get("/liff/me"), client.get("/liff/me/leave"), client.get("/liff/left"),
             liff_client(None).get("/liff/me"), liff_client(follower.line_user_id).get("/liff/me")]
    for page in pages:
        html = page.get_data()
        assert b"liff/liff.css" in html and b"liff/pages.js" in html
        assert len(html) + assets < PAGE_BUDGET, (page.request.path, len(html), assets)


def test_an_unknown_liff_page_is_a_japanese_page_not_json(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    missing = liff_client(hana.line_user_id).get("/liff/no-such-page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "ページが見つかりません" in missing.get_data(as_text=True)
    assert liff_client(None).get("/liff/me?x=%01").status_code == 400  # control characters, refused politely
