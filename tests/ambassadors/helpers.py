"""Rows for appointment tests, made through the features' own services."""
from __future__ import annotations

import uuid
from datetime import datetime

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.moderation import sanctions
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentKind
from linecomm.points import badges
from linecomm.points import service as points
from tests.support.community import Community


def give_points(community: Community, member_id: int, amount: int) -> None:
    with community.session() as s:
        points.grant_manual(s, member_id, amount, "テスト", uuid.uuid4().hex, "test")


def give_badge(community: Community, member_id: int, code: str) -> None:
    with community.session() as s:
        badges.award(s, member_id, code, by="test", reason="テスト", now=utcnow())


def act_at(community: Community, member_id: int, *moments: datetime) -> None:
    with community.session() as s:
        for at in moments:
            actions.record(s, member_id, ActionKind.REACTION, f"test-reaction:{uuid.uuid4().hex}", at=at)


def warn(community: Community, member_id: int) -> None:
    with community.session() as s:
        sanctions.warn(s, s.get(Member, member_id), "ルール違反のため", None)


def reported_post(community: Community, author_id: int, reporter_id: int,
                  body: str = "今日は白湯を飲みました。") -> int:
    """A published comment by `author_id`, reported once by `reporter_id`: its content id."""
    with community.session() as s:
        item = moderation.submit(s, author_id, ContentKind.COMMENT, body, ref="test:1")
        assert moderation.report(s, item.id, reporter_id, "気になります") is moderation.ReportResult.ACCEPTED
        return item.id
