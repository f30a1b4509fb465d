"""Redis stopped while LINE delivers webhooks: the events are stored, acknowledged, and handled after
Redis returns and the inbox is replayed. Uses a private redis-server so the machine's stays up."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from linecomm.cli import main as cli
from linecomm.config import Settings
from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.support.community import Community
from tests.support.environment import environment_for
from tests.support.redis_server import RedisServer


@pytest.mark.parametrize("backend", ["postgres"])
def test_events_arriving_while_redis_is_down_are_handled_after_replay(
    settings: Settings, fake_line, private_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.replace(redis_url=private_redis.url)
    with Community.start(settings, fake_line) as community:
        users = [community.user(f"利用者{i}") for i in range(3)]
        private_redis.stop()
        for user in users:
            assert user.follow().status == 200  # acknowledged although nothing could be enqueued
        with community.session() as s:
            assert s.scalars(select(WebhookEvent.status)).all() == [InboxStatus.PENDING] * 3
        assert all(u.received() == [] for u in users)
        import json
        import urllib.request

        try:
            urllib.request.urlopen(community.base_url + "/readyz")
            raise AssertionError("readyz should be 503 while Redis is down")
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
            assert json.loads(exc.read())["checks"] == {"database": True, "queue": False}

        private_redis.start()  # an empty Redis: everything that was queued is gone
        env = environment_for(settings)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        result = CliRunner().invoke(cli, ["inbox", "replay"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "re-enqueued 3 event(s)" in result.output
        community.drain()
        with community.session() as s:
            assert s.scalars(select(WebhookEvent.status)).all() == [InboxStatus.DONE] * 3
        for user in users:
            assert len([t for t in user.texts() if "友だち追加" in t]) == 1
