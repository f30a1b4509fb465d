"""How fast this machine's CPU is right now, as one number, printed next to every benchmark's results.

The same code on the same 2-vCPU virtual machine has measured up to twice as fast on one day as on
another (the host's other tenants, frequency scaling; the guest sees no steal time), so a figure alone
cannot be compared with one taken on another day. Every runner therefore times a fixed piece of pure
Python, on every core at once, before and after it measures: the *CPU reference*, in µs per unit, lower
is faster. One unit is the app-side work of a webhook body without I/O: parse a signed 10-event body as
JSON, check its HMAC-SHA256 signature, and encode its events again. Figures taken at different
references scale roughly with it (throughput inversely); the README quotes them together.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when imported as bench.machine_speed

import bodies  # noqa: E402

UNITS_PER_SAMPLE = 400
SAMPLES = 7
_SECRET = b"reference-secret"


def reference_us() -> float:
    """CPU µs per unit, with every core busy: the workload runs in one process per core at once, as the
    benchmarks load every core. (Run alone, the same workload read the same on days when the benchmarks'
    figures differed by a third: on this VM the cores slow each other down by varying amounts.) The
    median of each process's samples, averaged over the processes; about a second in all."""
    processes = os.cpu_count() or 1
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_one_process, [SAMPLES] * processes)
    return statistics.fmean(results)


def _one_process(samples: int) -> float:
    payloads = [bodies.make_body("ref", 0, index) for index in range(UNITS_PER_SAMPLE)]
    signatures = [base64.b64encode(hmac.new(_SECRET, body, hashlib.sha256).digest()) for body in payloads]
    timings = []
    for _ in range(samples):
        start = time.process_time()
        for body, signature in zip(payloads, signatures, strict=True):
            expected = base64.b64encode(hmac.new(_SECRET, body, hashlib.sha256).digest())
            if not hmac.compare_digest(expected, signature):
                raise AssertionError("reference workload: signature mismatch")
            events = json.loads(body)["events"]
            for event in events:
                json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        timings.append(1e6 * (time.process_time() - start) / UNITS_PER_SAMPLE)
    return statistics.median(timings)


def describe(value: float) -> str:
    return f"CPU reference {value:.0f} µs (lower is faster; see bench/machine_speed.py)"


class Bracket:
    """The CPU reference taken when a benchmark starts and again when it reports."""

    def __init__(self) -> None:
        self.before = reference_us()
        self.after: float | None = None

    def close(self) -> str:
        self.after = reference_us()
        return (f"CPU reference {self.before:.0f} µs before the runs, {self.after:.0f} µs after "
                "(lower is faster; bench/machine_speed.py)")

    def as_dict(self) -> dict[str, float | None]:
        return {"cpu_reference_us_before": self.before, "cpu_reference_us_after": self.after}


if __name__ == "__main__":
    print(describe(reference_us()))
