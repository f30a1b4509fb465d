"""Helpers for referral tests: a member's code from their invite page, a newcomer who remembers the
webhook events they sent (to redeliver them), and the chat join flow."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.members import invites
from linecomm.members.models import Member
from linecomm.referrals.models import Referral, ReferralArrival
from tests.support.community import ChatUser, Community, RecordingUser


def newcomer(community: Community, name: str = "新人 さん") -> RecordingUser:
    import uuid

    return RecordingUser(community, "U" + uuid.uuid4().hex, name)


def code_from_page(html: str) -> str:
    found = re.search(r'data-code="([^"]+)"', html)
    assert found, html
    return found.group(1)


def invite_code(community: Community, cohort: str = "3期生") -> str:
    with community.session() as s:
        return invites.create_code(s, cohort, 50, date.today() + timedelta(days=30)).code


def step(community: Community, user: ChatUser, action: Any, *args: Any) -> str:
    assert action(*args).status == 200
    community.drain()
    return user.last_text()


def join_in_chat(community: Community, user: ChatUser, code: str, nickname: str) -> str:
    step(community, user, user.follow)
    step(community, user, user.tap_quick_reply, "参加する")
    step(community, user, user.say, code)
    step(community, user, user.tap_quick_reply, "同意する")
    return step(community, user, user.say, nickname)


def member_id_of(community: Community, line_user_id: str) -> int:
    with community.session() as s:
        return s.scalars(select(Member.id).where(Member.line_user_id == line_user_id)).one()


def counts(community: Community, referrer_id: int) -> tuple[int, int, int]:
    """(referrals attributed to them, REFERRAL_JOINED actions recorded for them, arrivals through their link)."""
    with community.session() as s:
        referrals = s.scalar(select(func.count()).where(Referral.referrer_member_id == referrer_id))
        actions = s.scalar(select(func.count()).where(MemberAction.member_id == referrer_id,
                                                      MemberAction.kind == ActionKind.REFERRAL_JOINED))
        arrivals = s.scalar(select(func.count()).where(ReferralArrival.referrer_member_id == referrer_id))
    return int(referrals or 0), int(actions or 0), int(arrivals or 0)
