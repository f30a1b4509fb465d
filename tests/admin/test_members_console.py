"""Members in the console: search, keyset pages, detail, tags, APPI export and deletion."""
from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import func, select

from linecomm.members import tags
from linecomm.members.models import InviteRedemption, Member, MemberStatus, MemberTag
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind
from linecomm.outbox import queueing as outbox
from linecomm.outbox.models import OutboundMessage
from tests.admin.console import Console, make_member


def _ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<td data-label="ID"><a href="/admin/members/(\d+)">', page)]


def test_search_by_nickname_display_name_tag_cohort_and_status(console: Console) -> None:
    with console.community.session() as s:
        hana = make_member(s, nickname="はなまる", display_name="佐藤 花子", cohort="0期生")
        hiro = make_member(s, nickname="ヒロ", display_name="Hiroshi Tanaka", cohort="1期生")
        gone = make_member(s, nickname="たびびと", display_name="旅人", status=MemberStatus.LEFT, cohort="1期生")
        vip = tags.create(s, "VIP")
        tags.assign(s, hiro, vip)
    client = console.client("marketer")

    def search(query: str) -> list[int]:
        return _ids(client.get("/admin/members?" + query).get_data(as_text=True))

    assert search("q=ハナ") == [hana.id]  # katakana finds the hiragana nickname
    assert search("q=ﾊﾅﾏﾙ") == [hana.id]  # so does half-width
    assert search("q=佐藤") == [hana.id]  # LINE display name
    assert search("q=hiroshi") == [hiro.id]  # case-insensitive
    assert search("q=100%25") == []  # LIKE wildcards are literal
    assert search(f"tag={vip.id}") == [hiro.id]
    assert search("cohort=1期生") == [gone.id, hiro.id]
    assert search("cohort=1期生&status=member") == [hiro.id]
    assert search("status=left") == [gone.id]
    assert search(f"q={hana.id}") == [hana.id]  # a member id


def test_keyset_pages_walk_forward_and_back_without_gaps_or_repeats(console: Console) -> None:
    with console.community.session() as s:
        made = [make_member(s, nickname=f"会員{i:03d}").id for i in range(120)]
    client = console.client("marketer")
    seen: list[int] = []
    url = "/admin/members"
    pages = []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append((url, _ids(page)))
        seen.extend(_ids(page))
        older = re.search(r'href="(/admin/members\?after=\d+[^"]*)"', page)
        url = older.group(1).replace("&amp;", "&") if older else ""
    assert seen == sorted(made, reverse=True)
    assert [len(ids) for _, ids in pages] == [50, 50, 20]
    last = client.get(pages[-1][0]).get_data(as_text=True)
    newer = re.search(r'href="(/admin/members\?before=\d+[^"]*)"', last).group(1).replace("&amp;", "&")
    assert _ids(client.get(newer).get_data(as_text=True)) == pages[1][1]


def test_member_detail_shows_status_consent_cohort_tags_dates_and_posts(console: Console) -> None:
    with console.community.session() as s:
        member = make_member(s, nickname="はなまる", display_name="佐藤 花子", cohort="0期生")
        tag = tags.create(s, "モニター")
        tags.assign(s, member, tag)
        moderation.submit(s, member.id, ContentKind.THEME_REPLY, "泡立ちがとても良いです", ref="theme:3")
    page = console.client("moderator").get(f"/admin/members/{member.id}").get_data(as_text=True)
    for expected in ("はなまる", "佐藤 花子", "メンバー", "0期生", "モニター", "2026-11版に", "泡立ちがとても良いです",
                     "テーマへの回答", "theme:3", "公開中"):
        assert expected in page, expected
    assert "個人データを削除" not in page  # only the owner sees APPI actions
    assert "タグを付ける" not in page  # moderators do not tag


def test_tags_one_member_and_a_filtered_selection(console: Console) -> None:
    with console.community.session() as s:
        members = [make_member(s, nickname=f"ゼロ{i}", cohort="0期生").id for i in range(3)]
        others = [make_member(s, nickname=f"イチ{i}", cohort="1期生").id for i in range(2)]
        make_member(s, nickname="きえた", cohort="0期生", status=MemberStatus.DELETED)
    client = console.client("marketer")
    client.post("/admin/tags", {"name": "  サンプル 送付 "})
    with console.community.session() as s:
        tag = s.scalar(select(tags.Tag))
        assert tag.name == "サンプル 送付"
    duplicate = client.post("/admin/tags", {"name": "サンプル 送付"})
    assert "すでにあります" in duplicate.get_data(as_text=True)

    client.post(f"/admin/members/{others[0]}/tags", {"tag_id": tag.id})
    response = client.post("/admin/members/bulk-tag", {"tag_id": tag.id, "cohort": "0期生"})
    assert response.headers["Location"].startswith("/admin/members?cohort=")
    assert "3人にタグ" in client.follow(response).get_data(as_text=True)
    with console.community.session() as s:
        tagged = set(s.scalars(select(MemberTag.member_id).where(MemberTag.tag_id == tag.id)))
    assert tagged == {*members, others[0]}
    again = client.follow(client.post("/admin/members/bulk-tag", {"tag_id": tag.id, "cohort": "0期生"}))
    assert "0人にタグ" in again.get_data(as_text=True)

    client.post(f"/admin/members/{others[0]}/tags/{tag.id}/remove")
    removed = client.follow(client.post("/admin/members/bulk-tag", {"tag_id": tag.id, "q": "ゼロ1", "op": "remove"}))
    assert "1人からタグ" in removed.get_data(as_text=True)
    with console.community.session() as s:
        tagged = set(s.scalars(select(MemberTag.member_id).where(MemberTag.tag_id == tag.id)))
    assert tagged == {members[0], members[2]}
    actions = [r.action for r in console.audit_rows("tag.bulk_assign")] + [
        r.action for r in console.audit_rows("tag.assign")]
    assert actions == ["tag.bulk_assign", "tag.bulk_assign", "tag.assign"]
    page = client.get("/admin/tags").get_data(as_text=True)
    assert "サンプル 送付" in page


def test_appi_export_as_json_and_csv_is_audit_logged(console: Console) -> None:
    with console.community.session() as s:
        member = make_member(s, nickname="=HYPERLINK(1)", display_name="佐藤 花子")
        moderation.submit(s, member.id, ContentKind.REVIEW, "毎日使っています")
        line_user_id = member.line_user_id
    owner = console.client("owner")
    data = json.loads(owner.post(f"/admin/members/{member.id}/export", {"format": "json"}).get_data(as_text=True))
    assert data["member"]["nickname"] == "=HYPERLINK(1)" and data["member"]["line_user_id"] == line_user_id
    assert data["posts"][0]["body"] == "毎日使っています"
    assert data["consents"][0]["notice_version"] == "2026-11"
    response = owner.post(f"/admin/members/{member.id}/export", {"format": "csv"})
    assert response.headers["Content-Disposition"] == f"attachment; filename=member-{member.id}.csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["member", "", "display_name", "佐藤 花子"] in rows
    assert ["member", "", "nickname", "'=HYPERLINK(1)"] in rows  # never a formula in a spreadsheet
    assert [r.after for r in console.audit_rows("member.export")] == ['{"format": "json"}', '{"format": "csv"}']


def test_appi_deletion_erases_personal_data_and_keeps_the_counts(console: Console) -> None:
    with console.community.session() as s:
        member = make_member(s, nickname="けします", display_name="山田 太郎", cohort="0期生")
        keep = make_member(s, nickname="のこります", cohort="0期生")
        tag = tags.create(s, "常連")
        tags.assign(s, member, tag)
        post = moderation.submit(s, member.id, ContentKind.THEME_REPLY, "個人的な話です")
        outbox.queue_message(s, key="t:1", to=member.line_user_id, messages=[{"type": "text", "text": "山田さん"}])
        line_user_id, post_id = member.line_user_id, post.id
    owner = console.client("owner")
    refused = owner.follow(owner.post(f"/admin/members/{member.id}/delete", {"confirm": "wrong"}))
    assert "削除は行っていません" in refused.get_data(as_text=True)
    page = owner.follow(owner.post(f"/admin/members/{member.id}/delete", {"confirm": str(member.id)}))
    assert "個人データを削除しました" in page.get_data(as_text=True)
    with console.community.session() as s:
        erased = s.get(Member, member.id)
        assert (erased.status, erased.nickname, erased.display_name) == (MemberStatus.DELETED, None, None)
        assert erased.line_user_id == f"deleted:{member.id}" and erased.cohort == "0期生"
        assert s.get(ContentItem, post_id).body == ""
        assert s.scalar(select(func.count()).select_from(MemberTag)) == 0
        assert s.scalar(select(func.count()).where(OutboundMessage.to == line_user_id)) == 0
        assert s.scalar(select(func.count()).where(Member.cohort == "0期生")) == 2
        assert s.scalar(select(func.count()).where(ContentItem.member_id == member.id)) == 1
        assert s.get(Member, keep.id).nickname == "のこります"
    listing = owner.get("/admin/members?cohort=0期生").get_data(as_text=True)
    assert _ids(listing) == [keep.id]  # deleted members leave the default list
    entry = console.audit_rows("member.delete")[0]
    assert entry.target_id == str(member.id) and "けします" not in (entry.before or "") + (entry.after or "")
    again = owner.follow(owner.post(f"/admin/members/{member.id}/delete", {"confirm": str(member.id)}))
    assert "すでに削除されています" in again.get_data(as_text=True)
    with console.community.session() as s:
        assert s.scalar(select(func.count()).select_from(InviteRedemption)) == 0
