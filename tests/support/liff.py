"""Signing in to LIFF pages in tests, through the real `POST /liff/session` with ID tokens the fake LINE
platform issued (verified by the app over HTTP, as in production), and opening LIFF pages in Chromium
through the stand-in SDK. The fixtures are re-exported by tests/liff/conftest.py; another feature's tests
import them the same way:

    from tests.support.liff import liff_browser, liff_client, liff_member  # noqa: F401  (fixtures)
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from linecomm.db import utcnow
from linecomm.members.models import Consent, Member, MemberStatus
from linecomm.text.normalise import nickname_key
from tests.support.browser import chromium_page
from tests.support.community import Community

ORIGIN = "http://localhost"  # the Flask test client's own origin
PHONE = {"width": 360, "height": 740}


def expired_session_cookie(community: Community, line_user_id: str) -> str:
    """A session cookie the app itself signed, for this user, `liff_session_seconds` + 5 s ago."""
    age = community.settings.liff_session_seconds + 5

    class Past(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age

    serializer = URLSafeTimedSerializer(community.app.config["SECRET_KEY"], salt="linecomm.liff.session",
                                        signer=Past)
    return serializer.dumps({"sub": line_user_id})


@dataclass(frozen=True)
class LiffPerson:
    member_id: int
    line_user_id: str
    nickname: str | None


def make_liff_person(community: Community, nickname: str | None = None, status: str = MemberStatus.MEMBER,
                     cohort: str | None = "1期生", display_name: str = "LINE ユーザー",
                     joined_at: datetime | None = None) -> LiffPerson:
    """A LINE user who is a friend of the fake platform (so it issues them ID tokens) with a member row
    in `status` (a member of `cohort` by default; FOLLOWER: followed, never joined)."""
    user_id = "U" + uuid.uuid4().hex
    community.fake.add_user(user_id, display_name)
    now = utcnow()
    joined = status not in (MemberStatus.FOLLOWER, MemberStatus.JOINING)
    with community.session() as s:
        member = Member(
            line_user_id=user_id, display_name=display_name, status=status, is_following=True,
            cohort=cohort if joined else None, nickname=nickname if joined else None,
            nickname_key=nickname_key(nickname) if nickname and joined else None,
            created_at=now - timedelta(days=10), followed_at=now - timedelta(days=10),
            joined_at=(joined_at or now - timedelta(days=9)) if joined else None,
            left_at=now - timedelta(days=1) if status == MemberStatus.LEFT else None,
        )
        s.add(member)
        s.flush()
        if joined:
            s.add(Consent(member_id=member.id, notice_version=community.settings.privacy_notice_version,
                          agreed_at=now - timedelta(days=9)))
        person = LiffPerson(member.id, user_id, member.nickname)
    return person


class LiffClient:
    """A Flask test client of the community's app that speaks as a LIFF page of this site (its POSTs
    carry this site's Origin, as the browser's fetch does)."""

    def __init__(self, community: Community) -> None:
        self.community = community
        self.client: FlaskClient = community.app.test_client()

    def sign_in(self, id_token: str) -> Any:
        """POST the ID token to /liff/session, as pages.js does; returns the response."""
        return self.client.post("/liff/session", json={"id_token": id_token}, headers={"Origin": ORIGIN})

    def sign_in_as(self, line_user_id: str) -> LiffClient:
        response = self.sign_in(self.community.fake.issue_liff_id_token(line_user_id))
        assert response.status_code == 200, response.get_json()
        return self

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: Any = None, origin: str | None = ORIGIN, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if origin is not None:
            headers["Origin"] = origin
        return self.client.post(path, data=data, headers=headers, **kwargs)


@pytest.fixture
def liff_member(community: Community) -> Callable[..., LiffPerson]:
    """`liff_member(nickname="はな", status=MemberStatus.MEMBER, cohort="1期生") -> LiffPerson`."""
    return lambda **kwargs: make_liff_person(community, **kwargs)


@pytest.fixture
def liff_client(community: Community) -> Callable[[str | None], LiffClient]:
    """`liff_client(line_user_id) -> LiffClient` signed in through /liff/session with a fake-issued
    ID token; `liff_client(None)` not signed in."""

    def make(line_user_id: str | None = None) -> LiffClient:
        client = LiffClient(community)
        return client.sign_in_as(line_user_id) if line_user_id else client

    return make


class LiffBrowser:
    """Chromium on a phone-sized screen, playing LINE users through the stand-in SDK."""

    def __init__(self, community: Community, page: Any) -> None:
        self.community = community
        self.page = page

    def open_as(self, line_user_id: str, path: str = "/liff/") -> Any:
        """Open `path` (e.g. "/liff/?liff.state=%2Fme", or "/liff/me") as this LINE user, the way the demo
        console does: /liff-sdk/as/<user>?next=<path>. Returns the page (signed in once the shell is done)."""
        url = f"{self.community.base_url}/liff-sdk/as/{line_user_id}?next={quote(path, safe='')}"
        self.page.goto(url)
        return self.page


@pytest.fixture
def liff_browser(community: Community) -> Iterator[LiffBrowser]:
    with chromium_page(timeout_ms=10_000, viewport=PHONE, is_mobile=True, has_touch=True) as page:
        yield LiffBrowser(community, page)
