"""Real processes for crash tests: `linecomm worker` subprocesses (each in its own process group, so a
SIGKILL takes its RQ scheduler child down too, as a machine crash would) and a private redis-server."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from linecomm.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes `linecomm worker` run with these settings."""
    env = {
        **os.environ,
        "LINECOMM_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "LINECOMM_QUEUE": settings.queue_name,
        "LINE_CHANNEL_SECRET": settings.line_channel_secret,
        "LINE_CHANNEL_ACCESS_TOKEN": settings.line_channel_access_token,
        "LINE_API_BASE_URL": settings.line_api_base_url,
        "LINE_LOGIN_BASE_URL": settings.line_login_base_url,
        "LINE_TIMEOUT_SECONDS": str(settings.line_timeout_seconds),
        "LINECOMM_PUSH_BATCH_SIZE": str(settings.push_batch_size),
        "LINECOMM_PUSH_THREADS": str(settings.push_threads),
        "LINECOMM_PUSH_LEASE_SECONDS": str(settings.push_lease_seconds),
        "LINECOMM_PUSH_STALL_SECONDS": str(settings.push_stall_seconds),
        "LINECOMM_PUSH_SLICE_SECONDS": str(settings.push_slice_seconds),
        "LINECOMM_SWEEP_INTERVAL": "1",
    }
    env.update(extra)
    return env


class WorkerProcess:
    def __init__(self, env: dict[str, str], log: Path):
        self.log = log.open("ab")
        exe = Path(sys.executable).parent / "linecomm"
        self.process = subprocess.Popen([str(exe), "worker"], env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the worker and everything it started: no cleanup, no goodbye."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
        self.log.close()


class RedisServer:
    """A redis-server of the test's own on a free port (never the machine's shared one)."""

    def __init__(self, workdir: Path):
        self.port, self.workdir = free_port(), workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None
