"""What staff read in the console: the audit log by name and in Japan time, theme posts named instead of
`theme:<id>`, the results button counting what it says, no 「「…」」, one word (メンバー), a favicon, the
answers as a CSV file, and the numbers a marketer checks every day on the home page."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.members.models import Member, Tag
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem
from linecomm.staff.models import StaffUser
from linecomm.themes import reactions
from linecomm.themes import service as themes
from linecomm.themes.content import Choice
from linecomm.themes.models import ThemePost
from tests.admin.console import Console, make_member, post_form
from tests.pushes.desk import Desk


def _answer(console: Console, post_id: int, member_id: int, body: str) -> int:
    with console.community.session() as s:
        post, member = s.get(ThemePost, post_id), s.get(Member, member_id)
        return themes.record_answer(s, post, member, kind="text", body=body, line_message_id=f"m-{body}",
                                    now=utcnow()).answer.id


def _changes(page: str) -> str:
    """The readable before/after tables of the audit page (not the raw JSON kept in <details>)."""
    return "".join(re.findall(r'<table class="adm-changes">.*?</table>', page, re.S))


def test_the_audit_log_names_people_and_things_and_shows_japan_time(console: Console) -> None:
    community = console.community
    community.fake.set_monthly_quota(None)
    marketer = console.client("marketer")
    with community.session() as s:
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.email == marketer.email))
        hana = make_member(s, nickname="はなまる")
        item = moderation.submit(s, hana.id, "theme_reply", "泡立ちがとても良いです", ref="theme:999",
                                        now=utcnow())
        hana_id, content_id = hana.id, item.id
    created = marketer.post("/admin/posts/new", post_form(title="「朝のひと手間」"))
    post_id = int(created.headers["Location"].rsplit("/", 1)[1])
    marketer.post(f"/admin/posts/{post_id}/schedule", {"kind": "once", "at": "2031-05-01T10:00"})
    assert marketer.post("/admin/tags", {"name": "モニター"}).status_code == 303
    with community.session() as s:
        tag_id = s.scalar(select(Tag.id).where(Tag.name == "モニター"))
    marketer.post(f"/admin/members/{hana_id}/tags", {"tag_id": str(tag_id)})
    moderator = console.client("moderator")
    moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "hide", "reason": ""})
    owner = console.client("owner")
    with community.session() as s:
        marketer_row_name = s.get(StaffUser, staff_id).display_name
    owner.post(f"/admin/staff/{staff_id}", {"op": "role", "role": "moderator"})

    page = owner.get("/admin/audit").get_data(as_text=True)
    # Who: the staff member's name (the e-mail only as a detail).
    assert f"<td data-label=\"スタッフ\">{marketer_row_name}<br>" in page
    # What it was done to: a Japanese label, with a link to its page; never "member 12" or "theme_post 3".
    assert f'<a href="/admin/members/{hana_id}">メンバー はなまるさん</a>' in page
    assert f'<a href="/admin/posts/{post_id}">テーマ投稿「朝のひと手間」</a>' in page  # no 「「…」」
    assert f'<a href="/admin/moderation/{content_id}">テーマへの回答（ID {content_id}）</a>' in page
    assert f'<a href="/admin/staff#staff-{staff_id}">スタッフ {marketer_row_name}</a>' in page
    assert f'<tr id="staff-{staff_id}">' in owner.get("/admin/staff").get_data(as_text=True)
    assert "theme_post " not in page and ">content " not in page and ">staff " not in page
    # What changed: Japanese field names and values, times in Japan time; the raw record stays available.
    changes = _changes(page)
    assert '<th scope="row">配信開始</th><td></td><td>2031-05-01 10:00</td>' in changes
    assert '<th scope="row">タイミング</th><td></td><td>日時を指定</td>' in changes
    assert '<th scope="row">状態</th><td>公開中</td><td>非表示</td>' in changes
    assert '<th scope="row">役割</th><td>マーケター</td><td>モデレーター</td>' in changes
    assert '<th scope="row">タグ</th><td></td><td>モニター</td>' in changes
    assert "+00:00" not in changes and "starts_at" not in changes and "role" not in changes
    assert "<summary>記録の原文（JSON）</summary>" in page and "2031-05-01 01:00:00+00:00" in page
    # The filter offers target kinds by their Japanese names.
    assert '<option value="theme_post" >テーマ投稿</option>' in page
    only_posts = owner.get("/admin/audit?target_type=theme_post").get_data(as_text=True)
    assert "配信の予約" in only_posts and "メンバー はなまるさん" not in only_posts


def test_content_names_its_theme_post_and_the_results_button_counts_what_it_says(console: Console) -> None:
    community = console.community
    desk = Desk(community)
    desk.no_quiet_hours()
    with community.session() as s:
        voter = make_member(s, nickname="はなまる")
        voter_id = voter.id
    community.fake.add_user(voter.line_user_id, "メンバー")
    post_id = desk.post(title="「朝のひと手間」", choice_kind="poll",
                        choices=(Choice("1", "コーヒー"), Choice("2", "お茶")))
    desk.send_now(post_id)
    with community.session() as s:
        reactions.vote(s, post_id, s.get(Member, voter_id), "1", utcnow())

    marketer = console.client("marketer")
    detail = marketer.get(f"/admin/posts/{post_id}").get_data(as_text=True)
    assert "回答と投票の結果（回答 0件・投票 1票）" in detail and "（0件）" not in detail
    answers = marketer.get(f"/admin/posts/{post_id}/answers").get_data(as_text=True)
    assert "<h1 class=\"adm-h1\">「朝のひと手間」への回答</h1>" in answers and "「「" not in answers

    _answer(console, post_id, voter_id, "白湯を飲みます")
    with community.session() as s:
        content_id = s.scalar(select(ContentItem.id).where(ContentItem.ref == f"theme:{post_id}"))
    moderator = console.client("moderator")
    item = moderator.get(f"/admin/moderation/{content_id}").get_data(as_text=True)
    member = moderator.get(f"/admin/members/{voter_id}").get_data(as_text=True)
    for page in (item, member):
        assert "テーマ投稿 「朝のひと手間」" in page and f"theme:{post_id}" not in page
    owner_member = console.client("owner").get(f"/admin/members/{voter_id}").get_data(as_text=True)
    assert f'テーマ投稿 <a href="/admin/posts/{post_id}/answers">「朝のひと手間」</a>' in owner_member


def test_staff_read_one_word_for_members_and_the_console_has_a_favicon(console: Console) -> None:
    owner = console.client("owner")
    with console.community.session() as s:
        member_id = make_member(s, nickname="はなまる").id
    for path in ("/admin/", "/admin/members", f"/admin/members/{member_id}", "/admin/tags", "/admin/settings",
                 "/admin/posts/new", "/admin/moderation", "/admin/audit"):
        page = owner.get(path).get_data(as_text=True)
        assert "会員" not in page, path
        assert 'rel="icon" href="/favicon.ico"' in page, path
    assert ">メンバー</a>" in owner.get("/admin/").get_data(as_text=True)
    icon = console.anonymous().get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert icon.data[:4] == b"\x00\x00\x01\x00"
    svg = console.anonymous().get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data


def test_a_posts_answers_download_as_a_csv_file(console: Console) -> None:
    community = console.community
    desk = Desk(community)
    desk.no_quiet_hours()
    with community.session() as s:
        people = [make_member(s, nickname=n) for n in ("はなまる", "=HYPERLINK(\"x\")", "じろう")]
        ids = [p.id for p in people]
    for person in people:
        community.fake.add_user(person.line_user_id, "メンバー")
    post_id = desk.post(title="朝のひと手間", choice_kind="poll",
                        choices=(Choice("1", "コーヒー"), Choice("2", "お茶")))
    desk.send_now(post_id)
    _answer(console, post_id, ids[0], "白湯を飲んでから、コーヒー")
    _answer(console, post_id, ids[1], "+cmd|' /C calc'!A0")
    with community.session() as s:
        reactions.vote(s, post_id, s.get(Member, ids[0]), "2", utcnow())
    client = console.client("marketer")
    listing = client.get(f"/admin/posts/{post_id}/answers").get_data(as_text=True)
    assert f'href="/admin/posts/{post_id}/answers.csv"' in listing

    response = client.get(f"/admin/posts/{post_id}/answers.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["回答ID", "日時（日本時間）", "ニックネーム", "種類", "回答", "状態", "ピックアップ", "投票"]
    first, second = rows[1], rows[2]
    assert first[2:] == ["はなまる", "テキスト", "白湯を飲んでから、コーヒー", "公開中", "", "お茶"]
    assert second[2] == "'=HYPERLINK(\"x\")" and second[4] == "'+cmd|' /C calc'!A0" and second[7] == ""
    jst_now = (utcnow() + timedelta(hours=9)).strftime("%Y-%m-%d")
    assert first[1].startswith(jst_now) and len(rows) == 3
    assert console.audit_count("answer.export") == 1
    assert console.client("moderator").get(f"/admin/posts/{post_id}/answers.csv").status_code == 403


def test_the_home_page_shows_the_numbers_each_role_checks(console: Console) -> None:
    community = console.community
    community.fake.set_monthly_quota(None)
    desk = Desk(community)
    desk.no_quiet_hours()
    now = utcnow()
    with community.session() as s:
        newcomer = make_member(s, nickname="しんじん", joined_at=now)
        make_member(s, nickname="ふるかぶ", joined_at=now - timedelta(days=30))
        make_member(s, nickname="ともだち", status="follower")
        newcomer_id, newcomer_line = newcomer.id, newcomer.line_user_id
    community.fake.add_user(newcomer_line, "メンバー")
    post_id = desk.post(title="今日のテーマ")
    desk.send_now(post_id)
    _answer(console, post_id, newcomer_id, "今日の答え")
    marketer = console.client("marketer")
    created = marketer.post("/admin/posts/new", post_form(title="来週のテーマ"))
    later = int(created.headers["Location"].rsplit("/", 1)[1])
    marketer.post(f"/admin/posts/{later}/schedule", {"kind": "once", "at": "2031-05-01T10:00"})

    home = marketer.get("/admin/").get_data(as_text=True)
    tile = re.compile(r'<span class="adm-tile__label">(.+?)</span>\s*<span class="adm-tile__value">(.+?)</span>', re.S)
    values = {label: re.sub(r"<[^>]+>", "", value) for label, value in tile.findall(home)}
    assert values["メンバー数"] == "2人"  # the follower has not joined
    assert values["今週の参加"] == "1人"  # "ふるかぶ" joined a month ago
    assert values["今日の回答"] == "1件"
    assert values["次の配信予約"] == "2031-05-01 10:00"
    assert f'href="/admin/posts/{later}"' in home and "来週のテーマ" in home
    assert "確認待ちの投稿" not in home

    moderator_home = console.client("moderator").get("/admin/").get_data(as_text=True)
    assert "確認待ちの投稿" in moderator_home and "メンバー数" not in moderator_home
