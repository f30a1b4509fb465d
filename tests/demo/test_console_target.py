"""The demo chat console posts its signed webhooks to the app's configured webhook URL, never to a host the
request names: a forged Host header makes it post nowhere else, under `linecomm demo` and `linecomm serve`."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from linecomm import migrate
from linecomm.line.fake import FakeLinePlatform
from tests.support.redis_server import free_port

EXE = Path(sys.executable).parent / "linecomm"
GREETING = "友だち追加ありがとうございます"


class _Trap(BaseHTTPRequestHandler):
    """A server the forged Host header points at: it records whatever reaches it, and says 200 to all."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.seen.append((self.command, self.path, self.headers.get("X-Line-Signature")))  # type: ignore[attr-defined]
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status":"ok"}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def trap() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    server.seen = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _call(base: str, method: str, path: str, host: str, payload: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Host": host, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not become ready")


def _follow_with_a_forged_host(base: str, trap: ThreadingHTTPServer) -> str:
    """Create a console user and tap 友だち追加, each request naming the trap as its Host."""
    forged = f"127.0.0.1:{trap.server_address[1]}"
    status, created = _call(base, "POST", "/demo/chat/users", forged, {"displayName": "山田 太郎"})
    assert status == 201, created
    user_id = created["user"]["userId"]
    assert _call(base, "POST", "/demo/chat/follow", forged, {"user": user_id}) == (200, {"status": "sent"})
    assert trap.seen == []  # type: ignore[attr-defined]  # the console posts before it answers
    return user_id


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "REDIS_URL", "LINE_", "LINECOMM_", "SECRET_KEY"))}
    return {**env, **extra}


def test_linecomm_demo_posts_only_to_its_own_webhook_whatever_the_host_header(
        tmp_path: Path, trap: ThreadingHTTPServer) -> None:
    port, fake_port = free_port(), free_port()
    process = subprocess.Popen([str(EXE), "demo", "--port", str(port), "--fake-port", str(fake_port)],
                               cwd=tmp_path, env=_clean_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        user_id = _follow_with_a_forged_host(base, trap)
        deadline = time.monotonic() + 30  # the follow reached this app's webhook: the account greets back
        while True:
            status, body = _call(base, "GET", f"/demo/chat/conversation?user={user_id}", f"127.0.0.1:{port}")
            assert status == 200, body
            said = [e for e in body["entries"] if e.get("direction") == "out"]
            if any(GREETING in json.dumps(e, ensure_ascii=False) for e in said):
                break
            assert time.monotonic() < deadline, body
            time.sleep(0.2)
    finally:
        output = _stop(process)
    assert trap.seen == [], output  # type: ignore[attr-defined]


def test_linecomm_serve_in_development_posts_only_to_its_own_webhook(
        tmp_path: Path, trap: ThreadingHTTPServer) -> None:
    fake = FakeLinePlatform(channel_access_token="dev-token", login_channel_id="1234567890")
    fake_url = fake.start(host="127.0.0.1", port=0)
    database_url = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    migrate.upgrade(database_url)
    port = free_port()
    env = _clean_env(LINECOMM_ENV="development", DATABASE_URL=database_url, LINE_CHANNEL_SECRET="dev-secret",
                     LINE_CHANNEL_ACCESS_TOKEN="dev-token", LINE_LOGIN_CHANNEL_ID="1234567890",
                     LINE_API_BASE_URL=fake_url, LINE_LOGIN_BASE_URL=fake_url, SECRET_KEY="dev-secret-key",
                     LINECOMM_INSTANCE_PATH=str(tmp_path / "instance"))
    process = subprocess.Popen([str(EXE), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        user_id = _follow_with_a_forged_host(base, trap)
        deadline = time.monotonic() + 30
        while not any(GREETING in m.get("text", "") for m in fake.messages_to(user_id)):
            assert time.monotonic() < deadline, fake.messages_to(user_id)
            time.sleep(0.2)
    finally:
        output = _stop(process)
        fake.stop()
    assert trap.seen == [], output  # type: ignore[attr-defined]
