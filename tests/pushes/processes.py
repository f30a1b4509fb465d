"""Real processes for crash tests: `linecomm worker` subprocesses (each in its own process group, so a
SIGKILL takes its RQ scheduler child down too, as a machine crash would) and a private redis-server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from linecomm.config import Settings
from tests.support.environment import environment_for


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes `linecomm worker` run with these settings (push tuning included)."""
    return {
        **os.environ,
        **environment_for(settings),
        "LINE_TIMEOUT_SECONDS": str(settings.line_timeout_seconds),
        "LINECOMM_PUSH_BATCH_SIZE": str(settings.push_batch_size),
        "LINECOMM_PUSH_THREADS": str(settings.push_threads),
        "LINECOMM_PUSH_LEASE_SECONDS": str(settings.push_lease_seconds),
        "LINECOMM_PUSH_STALL_SECONDS": str(settings.push_stall_seconds),
        "LINECOMM_PUSH_SLICE_SECONDS": str(settings.push_slice_seconds),
        "LINECOMM_SWEEP_INTERVAL": "1",
        **extra,
    }


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
