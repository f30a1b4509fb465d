"""Q&A tests: members sign in to LIFF pages through the LIFF layer's fixtures; staff use the console."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from linecomm.db import utcnow
from linecomm.pushes.schedule import at_jst
from linecomm.timezones import JST
from tests.admin.console import Console
from tests.support.community import Community
from tests.support.liff import LiffClient, liff_browser, liff_client, liff_member  # noqa: F401  (fixtures)


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """Tomorrow (Japan time) at hour:minute JST, as aware UTC: a time the jobs' clock can be set to."""
    day: date = (utcnow().astimezone(JST) + timedelta(days=1)).date()
    return at_jst(day, time(hour, minute))


class Clock:
    """The jobs' clock (Runtime.clock), set by the test and moved forward."""

    def __init__(self, community: Community, at: datetime) -> None:
        self.at = at
        community.runtime.clock = lambda: self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock(community: Community) -> Callable[[datetime], Clock]:
    return lambda at: Clock(community, at)


def ask(client: LiffClient, title: str = "お手入れの方法", body: str = "どうやって洗えばいいですか？",
        category: str = "usage") -> int:
    """Ask through the page; the question's id (from the redirect to it)."""
    response = client.post("/liff/qa/new", data={"title": title, "body": body, "category": category})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    match = re.search(r"/liff/qa/(\d+)", response.headers["Location"])
    assert match
    return int(match.group(1))


def answer(client: LiffClient, question_id: int, body: str) -> Any:
    response = client.post(f"/liff/qa/{question_id}/answers", data={"body": body})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response


def answer_ids(community: Community, question_id: int) -> list[int]:
    from sqlalchemy import select

    from linecomm.qa.models import QaAnswer

    with community.reader() as s:
        return list(s.scalars(select(QaAnswer.id).where(QaAnswer.question_id == question_id).order_by(QaAnswer.id)))
