"""`Talk`: community members chatting with the account about a theme post that went out to them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation.models import ContentItem
from linecomm.themes.models import ThemeAnswer
from tests.admin.console import make_member
from tests.pushes.desk import Desk
from tests.support.community import ChatUser, Community


@dataclass
class Talk:
    community: Community
    desk: Desk

    def member(self, nickname: str, cohort: str = "1期生", status: str = MemberStatus.MEMBER) -> ChatUser:
        """A community member who is also a simulated LINE user (registered with the fake platform)."""
        user = self.community.user(display_name=f"{nickname}のLINE")
        with self.community.session() as s:
            make_member(s, nickname=nickname, line_user_id=user.user_id, cohort=cohort, status=status)
        return user

    def theme(self, opens: timedelta = timedelta(minutes=-1), closes: timedelta = timedelta(days=1),
              **changes: Any) -> int:
        """A post with its answer window around now, sent to its segment; returns its id once delivered."""
        now = utcnow()
        changes.setdefault("answers_open_at", now + opens)
        changes.setdefault("answers_close_at", now + closes)
        post_id = self.desk.post(changes.pop("text", "今月のテーマ：朝のひと手間を教えてください"), **changes)
        self.desk.send_now(post_id)
        return post_id

    def say(self, user: ChatUser, text: str) -> str:
        """Send a text and return the account's last answer."""
        before = len(user.received())
        assert user.say(text).status == 200
        self.community.drain()
        received = user.received()
        assert len(received) > before, f"no answer to {text!r}"
        return user.last_text()

    def tap(self, user: ChatUser, data: str) -> list[str]:
        """Tap a postback button; returns the texts the account answered with (none for a silent tap)."""
        before = len(user.received())
        assert user.tap(data).status == 200
        self.community.drain()
        return [m.get("text", "") for m in user.received()[before:]]

    def member_id(self, user: ChatUser) -> int:
        with self.community.reader() as s:
            member_id = s.scalar(select(Member.id).where(Member.line_user_id == user.user_id))
        assert member_id is not None
        return member_id

    def answers(self, post_id: int) -> list[tuple[str, str, str, str]]:
        """(nickname, kind, state, body) of the post's answers, oldest first."""
        with self.community.reader() as s:
            rows = s.execute(
                select(Member.nickname, ThemeAnswer.kind, ContentItem.state, ContentItem.body)
                .join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
                .join(Member, Member.id == ThemeAnswer.member_id)
                .where(ThemeAnswer.post_id == post_id)
                .order_by(ThemeAnswer.id)
            ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]
