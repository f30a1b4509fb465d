"""Theme answers in chat: members who are real simulated LINE users, a post delivered to them by the
pushes engine, then their messages and taps as signed webhooks."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from linecomm.config import Settings
from tests.pushes.desk import Desk
from tests.support.community import Community
from tests.themes.talk import Talk


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(push_batch_size=5, push_lease_seconds=3.0, push_stall_seconds=3.0, push_threads=2,
                            push_slice_seconds=5.0, line_timeout_seconds=2.0)


@pytest.fixture
def talk(community: Community) -> Iterator[Talk]:
    desk = Desk(community)
    desk.no_quiet_hours()
    yield Talk(community, desk)
