"""Demo data: an invite code everyone can use and a few members who have already joined."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members import invites
from linecomm.members.models import Consent, InviteCode, Member, MemberStatus
from linecomm.text.normalise import nickname_key

DEMO_CODE = "WELCOME1"
DEMO_STAFF_PASSWORD = "linecomm-demo"  # demo only: LINECOMM_ENV=production never runs this seed
DEMO_STAFF = [
    ("owner@demo.example.com", "デモ 店長", "owner"),
    ("marketer@demo.example.com", "デモ マーケター", "marketer"),
    ("moderator@demo.example.com", "デモ モデレーター", "moderator"),
]
DEMO_COHORT = "0期生"
DEMO_MEMBERS = [
    ("Udemo00000000000000000000000000a1", "佐藤 花子", "はなこ"),
    ("Udemo00000000000000000000000000a2", "鈴木 一郎", "いちろう"),
    ("Udemo00000000000000000000000000a3", "高橋 美咲", "みさき"),
]


def seed(session: Session, privacy_version: str) -> str:
    """Create the demo invite code and members unless they exist. Returns the invite code."""
    code = session.scalar(select(InviteCode).where(InviteCode.code == DEMO_CODE))
    if code is None:
        code = invites.create_code(
            session, DEMO_COHORT, 100, date.today() + timedelta(days=365), code=DEMO_CODE, created_by="demo"
        )
    now = utcnow()
    for user_id, display_name, nickname in DEMO_MEMBERS:
        if session.scalar(select(Member.id).where(Member.line_user_id == user_id)):
            continue
        member = Member(
            line_user_id=user_id,
            display_name=display_name,
            status=MemberStatus.MEMBER,
            is_following=True,
            cohort=DEMO_COHORT,
            nickname=nickname,
            nickname_key=nickname_key(nickname),
            invite_code_id=code.id,
            followed_at=now,
            joined_at=now,
            last_active_at=now,
            created_at=now,
        )
        session.add(member)
        session.flush()
        session.add(Consent(member_id=member.id, notice_version=privacy_version, agreed_at=now))
        code.used_count += 1
    seed_staff(session)
    return DEMO_CODE


def seed_staff(session: Session) -> None:
    """One admin console account per role, so a newcomer can sign in without creating one."""
    from linecomm.staff import service as staff
    from linecomm.staff.models import StaffUser

    for email, name, role in DEMO_STAFF:
        if session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is None:
            staff.create_user(session, email, name, role, DEMO_STAFF_PASSWORD)
