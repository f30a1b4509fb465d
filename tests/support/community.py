"""A running linecomm for tests: the app on a loopback port, its queue, the fake LINE platform, and
simulated LINE users who talk to it through signed webhook requests."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from linecomm.config import Settings
from linecomm.db import transaction
from linecomm.line.fake import FakeLinePlatform
from linecomm.line.simulator import Delivery, SimulatedUser, body_of, post_webhook
from linecomm.queue import EmbeddedJobQueue
from linecomm.runtime import Runtime, set_process_default
from linecomm.web import build_app
from linecomm.web_runtime import EXTENSION_KEY


class ChatUser(SimulatedUser):
    """A simulated LINE user who can also read what the account said to them."""

    def __init__(self, community: Community, user_id: str, display_name: str):
        super().__init__(
            user_id,
            community.webhook_url,
            community.settings.line_channel_secret,
            fake_url=community.fake.url,
            display_name=display_name,
        )
        self.community = community

    def received(self) -> list[dict[str, Any]]:
        return self.community.fake.messages_to(self.user_id)

    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.received() if m.get("type") == "text"]

    def last_text(self) -> str:
        texts = self.texts()
        return texts[-1] if texts else ""

    def quick_replies(self) -> list[dict[str, Any]]:
        """The quick-reply actions under the last message, as the user sees them."""
        received = self.received()
        if not received:
            return []
        items = (received[-1].get("quickReply") or {}).get("items", [])
        return [item["action"] for item in items]

    def tap_quick_reply(self, label: str) -> Any:
        for action in self.quick_replies():
            if action.get("label") == label:
                if action["type"] == "postback":
                    return self.tap(action["data"])
                return self.say(action["text"])
        raise AssertionError(f"no quick reply {label!r} in {self.quick_replies()}")


class RecordingUser(ChatUser):
    """A chat user who keeps every event they sent, so a test can have LINE redeliver them."""

    def __init__(self, community: Community, user_id: str, display_name: str):
        self.sent: list[dict[str, Any]] = []
        super().__init__(community, user_id, display_name)

    def _send(self, event: dict[str, Any]) -> Delivery:
        self.sent.append(event)
        return super()._send(event)


@dataclass
class Community:
    settings: Settings
    fake: FakeLinePlatform
    app: Flask
    base_url: str
    _server: Any
    # Set (`run_jobs_in_worker_processes`): jobs run only in fresh `linecomm worker --burst` processes,
    # which import nothing the test process has imported: exactly what production runs.
    worker_environment: dict[str, str] | None = None
    worker_logs: list[str] = field(default_factory=list)

    @classmethod
    @contextmanager
    def start(cls, settings: Settings, fake: FakeLinePlatform) -> Iterator[Community]:
        app = build_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        community = cls(settings, fake, app, f"http://127.0.0.1:{server.server_port}", server)
        try:
            yield community
        finally:
            server.shutdown()
            community.runtime.close()

    @property
    def runtime(self) -> Runtime:
        return self.app.extensions[EXTENSION_KEY]

    @property
    def webhook_url(self) -> str:
        return self.base_url + "/webhooks/line"

    def user(self, display_name: str = "テスト 太郎", user_id: str | None = None) -> ChatUser:
        user_id = user_id or "U" + uuid.uuid4().hex
        return ChatUser(self, user_id, display_name)

    def post_events(self, events: list[dict[str, Any]], secret: str | None = None) -> Any:
        body = body_of(events)
        return post_webhook(self.webhook_url, secret or self.settings.line_channel_secret, body)

    def drain(self, timeout: float = 20.0) -> None:
        """Let the queue run every job there is, as a worker would."""
        queue = self.runtime.queue
        if isinstance(queue, EmbeddedJobQueue):
            assert queue.wait_idle(timeout), "embedded queue did not go idle"
            return
        if self.worker_environment is not None:
            self._drain_in_worker_processes(queue, timeout)
            return
        from linecomm.queue_worker import QueueWorker

        set_process_default(self.runtime)
        try:
            for _ in range(20):
                worker = QueueWorker([queue.queue], connection=queue.redis)
                worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
                if queue.queue.count == 0:
                    break
        finally:
            set_process_default(None)

    def run_jobs_in_worker_processes(self) -> None:
        """From now on `drain()` starts `linecomm worker --burst` processes instead of working the queue here."""
        from tests.support.environment import environment_for

        assert self.settings.redis_url, "worker processes need the Redis queue"
        self.worker_environment = {**os.environ, **environment_for(self.settings), "PYTHONFAULTHANDLER": "1"}

    def _drain_in_worker_processes(self, queue: Any, timeout: float) -> None:
        from rq.registry import ScheduledJobRegistry

        exe = Path(sys.executable).parent / "linecomm"
        due = ScheduledJobRegistry(queue=queue.queue)
        if queue.queue.count == 0 and not due.get_jobs_to_schedule():
            # Nothing a burst worker would run (it runs queued jobs and delayed ones that are due, and no
            # sweep): no process to start. Tests that wait for a delayed job poll here until it is due.
            return
        for _ in range(20):
            process = subprocess.Popen([str(exe), "--verbose", "worker", "--burst"], env=self.worker_environment,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                out, err = process.communicate(timeout=max(timeout, 60.0))
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack to stderr
                out, err = process.communicate()
                raise AssertionError(f"`linecomm worker --burst` did not stop:\n{err}") from None
            assert process.returncode == 0, err
            self.worker_logs.append(out + err)
            if queue.queue.count == 0:
                return

    @contextmanager
    def session(self) -> Iterator[Session]:
        with transaction(self.runtime.sessions) as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only look that never waits for a writer (WAL on SQLite)."""
        with transaction(self.runtime.readers) as session:
            yield session
