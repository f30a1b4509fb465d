"""Where the machine's CPU time went during a measured period, by process group (from /proc).

Two cores give 2 core-seconds per second. Knowing how much of that the app, PostgreSQL, the load
generator and everything else (other people's test runs on a shared machine) took is what tells a
real limit from a disturbed measurement.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _busy_and_total() -> tuple[float, float]:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already inside user/nice
    return (total - idle) / TICKS, total / TICKS


def _process_times() -> dict[int, tuple[str, int, float]]:
    """pid -> (command name, parent pid, user+system seconds) for every process still running."""
    out = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2:].split()
        ppid = int(rest[1])
        seconds = (int(rest[11]) + int(rest[12])) / TICKS
        out[int(entry.name)] = (name, ppid, seconds)
    return out


@dataclass
class CpuSnapshot:
    busy: float
    total: float
    processes: dict[int, tuple[str, int, float]]

    @classmethod
    def take(cls) -> CpuSnapshot:
        busy, total = _busy_and_total()
        return cls(busy, total, _process_times())


def usage_between(start: CpuSnapshot, end: CpuSnapshot, classify: Callable[[int, str, int], str | None]
                  ) -> dict[str, float]:
    """Core-seconds used between two snapshots, per group that `classify(pid, name, ppid)` names;
    "other" is everything else (including processes that came and went in between)."""
    groups: dict[str, float] = {}
    for pid, (name, ppid, seconds) in end.processes.items():
        group = classify(pid, name, ppid)
        if group is None:
            continue
        before = start.processes.get(pid)
        used = seconds - (before[2] if before and before[0] == name else 0.0)
        groups[group] = groups.get(group, 0.0) + max(0.0, used)
    busy = end.busy - start.busy
    groups["other"] = max(0.0, busy - sum(groups.values()))
    groups["idle"] = max(0.0, (end.total - start.total) - busy)
    return groups


def bench_classifier(
    groups: dict[str, set[int]], db_name: str, runner: str, names: dict[str, str] | None = None
) -> Callable[[int, str, int], str | None]:
    """The process groups both runners report: the given pid sets (`groups`), processes by name
    (`names`: process name -> group), PostgreSQL backends of the bench database apart from the others',
    Redis, and this runner process (`runner`: what it also hosts, e.g. the fake LINE platform)."""
    me = os.getpid()
    by_name = names or {}

    def classify(pid: int, name: str, ppid: int) -> str | None:
        for group, pids in groups.items():
            if pid in pids:
                return group
        if name in by_name:
            return by_name[name]
        if name == "postgres":
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                cmdline = b""
            return "postgres (bench db)" if db_name.encode() in cmdline else "postgres (other)"
        if name.startswith("redis-server"):
            return "redis"
        if pid == me:
            return runner
        return None

    return classify


def process_tree(root: int, processes: dict[int, tuple[str, int, float]]) -> set[int]:
    """`root` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, (_name, ppid, _s) in processes.items():
        children.setdefault(ppid, []).append(pid)
    found, stack = set(), [root]
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.add(pid)
        stack.extend(children.get(pid, []))
    return found


def wait_for_quiet(max_wait: float, busy_below: float = 0.25, window: float = 2.0) -> tuple[bool, float]:
    """Wait (up to `max_wait` s) for a `window`-second stretch in which less than `busy_below` of the
    machine's CPU was busy, so a measurement does not start in the middle of someone else's work.
    Returns (found a quiet stretch, the busy fraction of the last stretch)."""
    import time

    deadline = time.monotonic() + max_wait
    fraction = 1.0
    while True:
        busy0, total0 = _busy_and_total()
        time.sleep(window)
        busy1, total1 = _busy_and_total()
        fraction = (busy1 - busy0) / max(1e-9, total1 - total0)
        if fraction < busy_below:
            return True, fraction
        if time.monotonic() >= deadline:
            return False, fraction
