"""CPU per request of the fake LINE platform and of linecomm's LINE client, over real loopback HTTP.

    .venv/bin/python bench/fake_line_requests.py [--requests 3000] [--threads 4] [--compare REV]

The fake (`FakeLinePlatform`, started by this script in a process of its own, so its CPU is its own)
answers N `POST /v2/bot/message/reply` calls and then N `GET /v2/bot/profile/{id}` calls, sent through
linecomm's `SdkLineClient` by `--threads` threads sharing one client, as a worker's threads do. CPU comes
from /proc (the fake: utime + stime of its process; the client: this process), so it stays meaningful on
a shared, busy machine where requests/s does not. `--compare REV` (e.g. `HEAD`) first runs the same
measurement with `linecomm/` as it is in that git revision (extracted to a temporary folder), for a
before/after table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
TOKEN = "bench-token"
USER = "U" + "0" * 31 + "1"


def serve(tokens: int) -> None:
    """The fake's process: start it, print its URL, pid and `tokens` fresh reply tokens, serve until
    stdin closes."""
    from linecomm.line.fake import FakeLinePlatform

    fake = FakeLinePlatform(channel_access_token=TOKEN, reply_token_ttl=3600)
    fake.add_user(USER, "ベンチ 太郎")
    url = fake.start()
    issued = [fake.issue_reply_token(USER) for _ in range(tokens)]
    print(json.dumps({"url": url, "pid": os.getpid(), "tokens": issued}), flush=True)
    sys.stdin.read()
    fake.stop()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def run_threads(threads: int, jobs: list[Callable[[], None]]) -> None:
    """Run the jobs on `threads` threads, each taking the next one from the shared list."""
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                if not jobs or failures:
                    return
                job = jobs.pop()
            try:
                job()
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]


def drive(requests: int, threads: int) -> dict[str, dict[str, float]]:
    """The client's process: start the fake, time the reply phase and the profile phase; return per
    phase requests/s and CPU ms per request on both sides."""
    from linecomm.line.sdk_client import SdkLineClient

    server = subprocess.Popen([sys.executable, __file__, "--serve", str(requests)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=os.environ.copy())
    assert server.stdout is not None and server.stdin is not None
    try:
        hello = json.loads(server.stdout.readline())
        fake_pid, tokens = hello["pid"], hello["tokens"]
        client = SdkLineClient(TOKEN, hello["url"])
        for _ in range(threads * 4):  # warm up: imports, first connections
            client.get_profile(USER)
        phases: dict[str, list[Callable[[], None]]] = {
            "reply": [lambda t=t: client.reply(t, [{"type": "text", "text": "ありがとうございます"}])
                      for t in tokens],
            "profile": [lambda: client.get_profile(USER) for _ in range(requests)],
        }
        results = {}
        for name, jobs in phases.items():
            time.sleep(0.2)
            fake_before, mine_before, t0 = process_cpu(fake_pid), time.process_time(), time.perf_counter()
            run_threads(threads, jobs)
            wall = time.perf_counter() - t0
            fake_cpu, mine = process_cpu(fake_pid) - fake_before, time.process_time() - mine_before
            results[name] = {"requests_per_s": requests / wall, "fake_cpu_ms": 1000 * fake_cpu / requests,
                             "client_cpu_ms": 1000 * mine / requests}
        client.close()
        return results
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure(code: Path, requests: int, threads: int) -> dict[str, dict[str, float]]:
    """Run `drive` in a fresh interpreter that imports linecomm from `code`."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, __file__, "--drive", "--requests", str(requests),
                          "--threads", str(threads)], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def extract(rev: str, into: Path) -> Path:
    """Write `linecomm/` as it is in git revision `rev` under `into`; return `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "linecomm"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per phase")
    parser.add_argument("--threads", type=int, default=4, help="client threads sharing one SdkLineClient")
    parser.add_argument("--compare", metavar="REV", help="also measure linecomm/ at this git revision")
    parser.add_argument("--serve", type=int, metavar="TOKENS", help=argparse.SUPPRESS)
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return
    if args.drive:
        print(json.dumps(drive(args.requests, args.threads)))
        return
    print(f"{args.requests} requests per phase, {args.threads} client threads, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    variants: list[tuple[str, dict[str, dict[str, float]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.compare:
            variants.append((args.compare, measure(extract(args.compare, Path(tmp)), args.requests, args.threads)))
        variants.append(("working tree", measure(ROOT, args.requests, args.threads)))
    print(f"{'code':<14}{'call':<9}{'requests/s':>12}{'fake CPU ms/req':>17}{'client CPU ms/req':>19}")
    for label, results in variants:
        for phase, r in results.items():
            print(f"{label:<14}{phase:<9}{r['requests_per_s']:>12,.0f}{r['fake_cpu_ms']:>17.3f}"
                  f"{r['client_cpu_ms']:>19.3f}")


if __name__ == "__main__":
    main()
