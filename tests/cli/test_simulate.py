"""`linecomm simulate` sends signed webhook events to a running app from the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from linecomm.cli import main
from linecomm.members.models import Member
from tests.support.community import Community


@pytest.mark.parametrize("backend", ["sqlite"])
def test_simulate_follow_and_text_reach_the_app(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINE_CHANNEL_SECRET", community.settings.line_channel_secret)
    monkeypatch.setenv("LINE_API_BASE_URL", community.fake.url)
    user_id = "U" + "5" * 32
    args = ["--user", user_id, "--url", community.webhook_url]
    result = CliRunner().invoke(main, ["simulate", "follow", *args])
    assert result.exit_code == 0 and result.output.startswith("200"), result.output
    result = CliRunner().invoke(main, ["simulate", "text", "ヘルプ", *args])
    assert result.exit_code == 0, result.output
    community.drain()
    with community.session() as s:
        assert s.scalar(select(Member.line_user_id)) == user_id
    texts = [m["text"] for m in community.fake.messages_to(user_id)]
    # Both replies arrive once each (the greeting is two bubbles); the order the two replies reach LINE in is
    # the senders'.
    assert len(texts) == 3, texts
    assert any("友だち追加ありがとうございます" in t for t in texts), texts
    assert any(t.startswith("このアカウントでは") and "参加する" in t for t in texts), texts


@pytest.mark.parametrize("backend", ["sqlite"])
def test_simulate_with_the_wrong_secret_is_refused(community: Community, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "wrong")
    result = CliRunner().invoke(main, ["simulate", "follow", "--url", community.webhook_url])
    assert result.exit_code == 1 and result.output.startswith("401")
