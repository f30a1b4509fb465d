"""Drive wrk with bench/webhook_bodies.lua: every body sent once, the run drained before wrk stops."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from environment import BENCH_DIR

LUA_SCRIPT = BENCH_DIR / "webhook_bodies.lua"
WRK = shutil.which("wrk") or "/usr/bin/wrk"


@dataclass
class LoadResult:
    """What wrk saw: 200s and other answers, the time from the first request sent to the last answer,
    and wrk's latency percentiles (microseconds) over every answered request."""

    ok: int
    other: int
    issued: int
    answered: int
    window_s: float
    exhausted: bool
    latency_us: dict[str, float]
    errors: dict[str, int]
    statuses: str
    raw: dict[str, Any] = field(repr=False)

    def events_per_s(self, events_per_body: int) -> float:
        return self.ok * events_per_body / self.window_s if self.window_s > 0 else 0.0

    def ms(self, key: str) -> float:
        return self.latency_us[key] / 1000.0


def _wait_for(paths: list[Path], proc: subprocess.Popen[str], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in paths):
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise RuntimeError(f"wrk exited while waiting for {what}:\n{out[-2000:]}\n{err[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.005)


def run_wrk(url: str, bodies_prefix: Path, control: Path, *, connections: int, threads: int,
            duration: float, log_path: Path | None = None, on_start: Callable[[], None] | None = None,
            on_drained: Callable[[], None] | None = None) -> LoadResult:
    """Send bodies for `duration` seconds (after wrk has loaded them), then stop sending, wait for every
    answer, and stop wrk. wrk's own -d is only a backstop. `on_start` runs when wrk has loaded its bodies
    and starts sending; `on_drained` once every answer is in, while wrk still runs."""
    if control.exists():
        shutil.rmtree(control)
    control.mkdir(parents=True)
    cmd = [
        WRK, "-t", str(threads), "-c", str(connections), "-d", f"{int(duration) + 600}s", "--timeout", "30s",
        "-s", str(LUA_SCRIPT), url, "--", str(bodies_prefix), str(control),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for([control / f"started-{t}" for t in range(threads)], proc, 300, "wrk to load its bodies")
        if on_start is not None:
            on_start()
        deadline = time.monotonic() + duration
        drained = [control / f"drained-{t}" for t in range(threads)]
        while time.monotonic() < deadline and not all(p.exists() for p in drained):
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        (control / "stop").touch()
        _wait_for(drained, proc, 120, "the last answers")
        if on_drained is not None:
            on_drained()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if log_path is not None:
        log_path.write_text(" ".join(cmd) + "\n\n" + out + "\n" + err)
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out[-2000:]}\n{err[-2000:]}")
    raw = json.loads(line[len("BENCH_RESULT "):])
    return LoadResult(
        ok=raw["ok"], other=raw["other"], issued=raw["issued"], answered=raw["answered"],
        window_s=float(raw["last_answer"]) - float(raw["first_sent"]), exhausted=raw["exhausted"],
        latency_us=raw["latency_us"], errors=raw["errors"],
        statuses=",".join(t["statuses"] for t in raw["threads"] if t["statuses"]), raw=raw,
    )
