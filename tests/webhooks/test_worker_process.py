"""Events are handled off the request path: by `linecomm worker` on Redis, or by the embedded queue."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from linecomm.config import Settings
from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.support.community import Community
from tests.support.environment import environment_for


def _statuses(community: Community) -> list[str]:
    with community.reader() as s:
        return list(s.scalars(select(WebhookEvent.status).order_by(WebhookEvent.id)))


@pytest.mark.parametrize("backend", ["postgres"])
def test_the_linecomm_worker_command_handles_queued_events(community: Community, settings: Settings) -> None:
    users = [community.user(f"ワーカー{i}") for i in range(3)]
    for user in users:
        assert user.follow().status == 200
    assert _statuses(community) == [InboxStatus.PENDING] * 3
    env = {**os.environ, **environment_for(settings)}
    exe = Path(sys.executable).parent / "linecomm"
    done = subprocess.run([str(exe), "worker", "--burst"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _statuses(community) == [InboxStatus.DONE] * 3
    for user in users:
        assert any("友だち追加ありがとうございます" in t for t in user.texts())


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_embedded_queue_answers_the_webhook_before_the_event_is_handled(community: Community) -> None:
    user = community.user()
    community.fake.inject_fault("/v2/bot/profile", status=None, delay=3.0, times=1)
    assert user.follow().status == 200
    assert _statuses(community) == [InboxStatus.PENDING]  # acknowledged while the profile call is still slow
    community.drain()
    assert _statuses(community) == [InboxStatus.DONE]
    assert "友だち追加ありがとうございます" in user.texts()[0]
