"""「アイデア」 in chat (a signed webhook) links the ideas page and the member's ideas; members report an idea
or a comment through moderation's report (their own: refused), enough reports hide it everywhere; a
member's data request exports their ideas, supports and comments and erasure empties their ideas' text."""
from __future__ import annotations

from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.ideas.models import Idea
from linecomm.members.models import Member
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentReport
from linecomm.privacy import requests as privacy
from tests.ideas.helpers import idea_row, post_idea
from tests.support.community import Community


def test_chat_keyword_links_the_ideas_page(community: Community, liff_member, liff_client) -> None:
    person = liff_member(nickname="あきこ")
    post_idea(liff_client(person.line_user_id), title="朝活イベント")
    from tests.support.community import ChatUser

    user = ChatUser(community, person.line_user_id, "あきこ")
    assert user.say("アイデア").status == 200
    community.drain()
    text = user.last_text()
    assert f"https://liff.line.me/{community.settings.liff_id}/ideas" in text
    assert "朝活イベント（募集中・応援0人）" in text


def test_reports_hide_and_privacy_export_and_erase(community: Community, liff_member, liff_client) -> None:
    with community.session() as s:
        moderation.set_report_threshold(s, 2)
    author = liff_member(nickname="あきこ")
    writer = liff_client(author.line_user_id)
    idea_id = post_idea(writer, title="消えるアイデア")
    content_id = idea_row(community, idea_id).content_id
    assert writer.post(f"/liff/ideas/{idea_id}/report/{content_id}").status_code == 303  # own: nothing recorded
    assert liff_client(liff_member(nickname="A").line_user_id).post(
        f"/liff/ideas/{idea_id}/report/999999").status_code == 404  # not this idea's content
    for name in ("B", "C"):
        assert liff_client(liff_member(nickname=name).line_user_id).post(
            f"/liff/ideas/{idea_id}/report/{content_id}").status_code == 303
    with community.reader() as s:
        assert len(s.scalars(select(ContentReport).where(ContentReport.content_id == content_id)).all()) == 2
    assert writer.get(f"/liff/ideas/{idea_id}").status_code == 404  # hidden pending review: gone for everyone

    other = post_idea(writer, title="残るアイデア")
    fan = liff_member(nickname="ゆうた")
    liff_client(fan.line_user_id).post(f"/liff/ideas/{other}/support", data={"action": "support"})
    with community.session() as s:
        exported = privacy.export(s, s.get(Member, author.member_id))
        assert [i["title"] for i in exported["ideas"]] == ["消えるアイデア", "残るアイデア"]
        fan_data = privacy.export(s, s.get(Member, fan.member_id))
        assert [x["idea_id"] for x in fan_data["ideas_supported"]] == [other]
        privacy.erase(s, s.get(Member, author.member_id), utcnow())
    with community.reader() as s:
        titles = {i.title for i in s.scalars(select(Idea).where(Idea.id.in_([idea_id, other])))}
    assert titles == {"（削除されました）"}
    assert idea_row(community, other).support_count == 1
    assert liff_client(fan.line_user_id).get(f"/liff/ideas/{other}").status_code == 404
