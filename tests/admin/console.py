"""Driving the admin console in tests: staff accounts, signed-in Flask test clients, and row factories."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.audit.models import AuditEntry
from linecomm.db import utcnow
from linecomm.members.models import Consent, Member, MemberStatus
from linecomm.staff import service as staff_service
from linecomm.text.normalise import nickname_key
from tests.support.community import Community

PASSWORD = "correct horse battery staple"
ROLES = ("owner", "marketer", "moderator")


class StaffClient:
    """A browser-like client of the console: keeps cookies, sends the CSRF token with every form."""

    def __init__(self, client: FlaskClient, email: str | None = None):
        self.http = client
        self.email = email

    def login(self, email: str, password: str = PASSWORD, address: str = "127.0.0.1",
              forwarded_for: str | None = None) -> Any:
        """Sign in from `address` (the TCP peer: the client, or a proxy that adds `forwarded_for` as
        X-Forwarded-For)."""
        self.http.get("/admin/login")
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
        return self.http.post("/admin/login", data={"email": email, "password": password, "csrf_token": self.csrf},
                              environ_base={"REMOTE_ADDR": address}, headers=headers)

    @property
    def csrf(self) -> str:
        with self.http.session_transaction("/admin/") as s:
            token = s.get("csrf")
        if token is None:
            page = self.http.get("/admin/login").get_data(as_text=True)
            match = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert match, "no CSRF token on the sign-in page"
            token = match.group(1)
        return token

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kwargs: Any) -> Any:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.http.post(path, data=data, **kwargs)

    def follow(self, response: Any) -> Any:
        assert response.status_code in (302, 303), response.status_code
        return self.http.get(response.headers["Location"])


class Console:
    def __init__(self, community: Community):
        self.community = community
        self.emails: dict[str, str] = {}
        self.clients: dict[str, StaffClient] = {}

    def staff(self, role: str, email: str | None = None, name: str | None = None) -> str:
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.com"
        with self.community.session() as s:
            staff_service.create_user(s, email, name or f"{role} さん", role, PASSWORD)
        return email

    def anonymous(self) -> StaffClient:
        return StaffClient(self.community.app.test_client())

    def client(self, role: str) -> StaffClient:
        """A client signed in as a staff member of `role` (one account per role per test)."""
        if role not in self.clients:
            email = self.emails.setdefault(role, self.staff(role))
            client = StaffClient(self.community.app.test_client(), email)
            response = client.login(email)
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
            self.clients[role] = client
        return self.clients[role]

    def audit_count(self, action: str | None = None) -> int:
        with self.community.session() as s:
            stmt = select(func.count()).select_from(AuditEntry)
            if action:
                stmt = stmt.where(AuditEntry.action == action)
            return s.scalar(stmt) or 0

    def audit_rows(self, action: str) -> list[AuditEntry]:
        with self.community.session() as s:
            return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def post_form(**fields: object) -> dict[str, object]:
    """The theme post composer's form as a marketer fills it (a draft to save), with `fields` changed."""
    data: dict[str, object] = {"title": "朝のひと手間", "text": "みなさんの朝のひと手間を教えてください。",
                               "choice_kind": "", "choices": "", "answers_from": "", "answers_until": "",
                               "action": "save"}
    data.update(fields)
    return data


def make_member(
    session: Session,
    nickname: str | None = None,
    display_name: str | None = "LINE ユーザー",
    status: str = MemberStatus.MEMBER,
    cohort: str | None = "1期生",
    line_user_id: str | None = None,
    joined_at: datetime | None = None,
    consent: str | None = "2026-11",
) -> Member:
    now = utcnow()
    member = Member(
        line_user_id=line_user_id or "U" + uuid.uuid4().hex,
        display_name=display_name,
        status=status,
        is_following=True,
        cohort=cohort,
        nickname=nickname,
        nickname_key=nickname_key(nickname) if nickname else None,
        created_at=now - timedelta(days=10),
        followed_at=now - timedelta(days=10),
        joined_at=joined_at or (now - timedelta(days=9) if status != MemberStatus.FOLLOWER else None),
        last_active_at=now - timedelta(hours=1),
    )
    session.add(member)
    session.flush()
    if consent and status != MemberStatus.FOLLOWER:
        session.add(Consent(member_id=member.id, notice_version=consent, agreed_at=now - timedelta(days=9)))
        session.flush()
    return member


def member_id(community: Community, **kwargs: Any) -> int:
    with community.session() as s:
        return make_member(s, **kwargs).id


JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 32 + b"\xff\xd9"  # a tiny JPEG, as LINE's content API serves it


def photo_post(community: Community, nickname: str) -> tuple[int, int]:
    """A theme post sent to a member of that nickname, whose answers may be photos: (post id, member id).
    The test stores the photos' bytes in the fake LINE platform as it needs them."""
    from tests.pushes.desk import Desk

    desk = Desk(community)
    desk.no_quiet_hours()
    with community.session() as s:
        member = make_member(s, nickname=nickname)
        member_id, line_user_id = member.id, member.line_user_id
    community.fake.add_user(line_user_id, "会員")
    post_id = desk.post(title="お気に入りの一枚")
    desk.send_now(post_id)
    return post_id, member_id
