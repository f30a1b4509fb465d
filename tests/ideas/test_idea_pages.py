"""Members' idea pages through the Flask test client, signed in with fake-issued LIFF ID tokens: post with
errors beside the fields, support once, withdraw, never one's own idea, counters consistent with the rows,
a suspended member reads only, a hidden idea or comment is gone everywhere, XSS renders as text."""
from __future__ import annotations

import re

from sqlalchemy import select

from linecomm.actions.models import MemberAction
from linecomm.ideas.models import IdeaStage
from linecomm.members.models import MemberStatus
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem
from tests.ideas.helpers import idea_row, post_idea, support_rows
from tests.support.community import Community

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _actions(community: Community, kind: str) -> list[MemberAction]:
    with community.reader() as s:
        return list(s.scalars(select(MemberAction).where(MemberAction.kind == kind).order_by(MemberAction.id)))


def test_post_with_errors_then_support_once_withdraw_and_not_own(community: Community, liff_member,
                                                                 liff_client) -> None:
    author = liff_member(nickname="あきこ")
    fan = liff_member(nickname="ゆうた")
    writer = liff_client(author.line_user_id)

    bad = writer.post("/liff/ideas/new", data={"title": "", "description": "あ" * 1001, "category": "不明"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "タイトルをご記入ください。" in html and "1,000文字以内でご記入ください（現在1,001文字）。" in html
    assert "カテゴリを選んでください。" in html and 'aria-invalid="true"' in html

    idea_id = post_idea(writer)
    [submitted] = _actions(community, "idea_submitted")
    assert submitted.member_id == author.member_id and submitted.key == f"idea-submitted:{idea_id}"
    page = writer.get(f"/liff/ideas/{idea_id}").get_data(as_text=True)
    assert "あなたのアイデアです。" in page and "data-support>" not in page
    own = writer.post(f"/liff/ideas/{idea_id}/support", data={"action": "support"})
    assert own.status_code == 303 and "notice=own" in own.headers["Location"]
    assert support_rows(community, idea_id) == 0

    # Before anyone supports it the author may edit it (the new text is moderated again, the old one retired).
    old_content = idea_row(community, idea_id).content_id
    changed = {"title": "詰め替えボトルの目盛り", "description": "残量が分かる目盛りと注ぎ口", "category": "商品"}
    edited = writer.post(f"/liff/ideas/{idea_id}/edit", data=changed)
    assert edited.status_code == 303 and "notice=edited" in edited.headers["Location"]
    assert idea_row(community, idea_id).content_id != old_content
    assert liff_client(fan.line_user_id).get(f"/liff/ideas/{idea_id}/edit").status_code == 404  # not theirs

    reader = liff_client(fan.line_user_id)
    listed = reader.get("/liff/ideas").get_data(as_text=True)
    assert f'data-idea="{idea_id}"' in listed and "詰め替えボトルの目盛り" in listed and "あと60日" in listed
    for _ in range(2):  # a second support changes nothing
        assert reader.post(f"/liff/ideas/{idea_id}/support", data={"action": "support"}).status_code == 303
    idea = idea_row(community, idea_id)
    assert (idea.support_count, idea.momentum) == (1, 1) == (support_rows(community, idea_id), 1)
    assert len(_actions(community, "idea_supported")) == 1
    page = reader.get(f"/liff/ideas/{idea_id}").get_data(as_text=True)
    assert "応援 1人" in page and "data-withdraw" in page

    assert reader.post(f"/liff/ideas/{idea_id}/support", data={"action": "withdraw"}).status_code == 303
    assert reader.post(f"/liff/ideas/{idea_id}/support", data={"action": "withdraw"}).status_code == 303
    idea = idea_row(community, idea_id)
    assert (idea.support_count, idea.momentum, support_rows(community, idea_id)) == (0, 0, 0)
    [action] = _actions(community, "idea_supported")
    assert action.withdrawn_at is not None
    # Supporting again restores the same action (points count it again), still one row.
    reader.post(f"/liff/ideas/{idea_id}/support", data={"action": "support"})
    [action] = _actions(community, "idea_supported")
    assert action.withdrawn_at is None and idea_row(community, idea_id).support_count == 1

    # The author cannot edit once someone supports it.
    assert writer.get(f"/liff/ideas/{idea_id}/edit").status_code == 409
    assert writer.post(f"/liff/ideas/{idea_id}/edit", data={"title": "新", "description": "新しい説明",
                                                             "category": "商品"}).status_code == 409


def test_suspended_member_reads_only(community: Community, liff_member, liff_client) -> None:
    author = liff_member(nickname="あきこ")
    idea_id = post_idea(liff_client(author.line_user_id))
    banned = liff_member(nickname="停止中", status=MemberStatus.SUSPENDED)
    client = liff_client(banned.line_user_id)
    page = client.get(f"/liff/ideas/{idea_id}")
    assert page.status_code == 200 and "詰め替えボトルの目盛り" in page.get_data(as_text=True)
    assert "data-support>" not in page.get_data(as_text=True)
    for path, data in ((f"/liff/ideas/{idea_id}/support", {"action": "support"}),
                       (f"/liff/ideas/{idea_id}/comments", {"body": "いいですね"}),
                       ("/liff/ideas/new", {"title": "t", "description": "d", "category": "商品"})):
        refused = client.post(path, data=data)
        assert refused.status_code == 403 and refused.get_json()["read_only"] is True
    assert support_rows(community, idea_id) == 0


def test_hidden_idea_and_comment_disappear_everywhere_and_xss_is_text(community: Community, liff_member,
                                                                      liff_client) -> None:
    author = liff_member(nickname="<b>あきこ</b>")
    other = liff_member(nickname="ゆうた")
    writer, reader = liff_client(author.line_user_id), liff_client(other.line_user_id)
    idea_id = post_idea(writer, title=XSS[:40], description=XSS)
    sent = reader.post(f"/liff/ideas/{idea_id}/comments", data={"body": "コメント" + XSS})
    assert sent.status_code == 303
    page = reader.get(f"/liff/ideas/{idea_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page and "&lt;img src=x" in page
    assert "<b>あきこ</b>" not in page and "&lt;b&gt;あきこ&lt;/b&gt;" in page
    assert "コメント&lt;script&gt;" in page
    assert idea_row(community, idea_id).comment_count == 1
    empty = reader.post(f"/liff/ideas/{idea_id}/comments", data={"body": "  "})
    assert empty.status_code == 422 and "コメントをご記入ください。" in empty.get_data(as_text=True)

    with community.session() as s:
        comment = s.scalar(select(ContentItem).where(ContentItem.kind == "comment",
                                                     ContentItem.ref == f"idea:{idea_id}"))
        moderation.hide(s, comment, None, "テスト")  # type: ignore[arg-type]
    assert "コメント&lt;script&gt;" not in reader.get(f"/liff/ideas/{idea_id}").get_data(as_text=True)

    with community.session() as s:
        item = s.scalar(select(ContentItem).where(ContentItem.kind == "idea", ContentItem.ref == f"idea:{idea_id}"))
        moderation.hide(s, item, None, "テスト")  # type: ignore[arg-type]
    assert reader.get(f"/liff/ideas/{idea_id}").status_code == 404
    assert f'data-idea="{idea_id}"' not in reader.get("/liff/ideas").get_data(as_text=True)
    assert reader.post(f"/liff/ideas/{idea_id}/support", data={"action": "support"}).status_code == 404
    assert reader.post(f"/liff/ideas/{idea_id}/comments", data={"body": "まだ見える？"}).status_code == 404
    assert idea_row(community, idea_id).stage == IdeaStage.OPEN


def test_list_sorts_filters_and_keyset_pages(community: Community, liff_member, liff_client) -> None:
    authors = [liff_member(nickname=f"作者{i}") for i in range(3)]
    ids = [post_idea(liff_client(a.line_user_id), title=f"アイデア{i}", category="商品" if i % 2 else "イベント")
           for i, a in enumerate(authors)]
    fans = [liff_client(liff_member(nickname=f"応援{i}").line_user_id) for i in range(2)]
    for fan in fans:
        fan.post(f"/liff/ideas/{ids[0]}/support", data={"action": "support"})
    fans[0].post(f"/liff/ideas/{ids[2]}/support", data={"action": "support"})
    client = fans[1]

    def order(query: str) -> list[int]:
        html = client.get("/liff/ideas" + query).get_data(as_text=True)
        return [int(v) for v in re.findall(r'data-idea="(\d+)"', html)]

    assert order("") == ids[::-1]
    assert order("?sort=support") == [ids[0], ids[2], ids[1]]
    assert order("?sort=momentum") == [ids[0], ids[2], ids[1]]
    assert order("?category=商品") == [ids[1]]
    assert order(f"?sort=support&after=1.{ids[2]}") == [ids[1]]
    assert order(f"?after={ids[1]}") == [ids[0]]
    bad = client.get("/liff/ideas?sort=support&after=1")
    assert bad.status_code == 400 and "ページの指定" in bad.get_data(as_text=True)
    assert client.get("/liff/ideas/999999").status_code == 404
    mine = liff_client(authors[0].line_user_id).get("/liff/me").get_data(as_text=True)
    assert "わたしのアイデア" in mine and "アイデア0" in mine and "募集中・応援 2人" in mine
