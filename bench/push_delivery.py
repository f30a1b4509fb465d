"""Deliver one post to a million members through the fake LINE platform at its 200 requests/s multicast
limit, with two `linecomm worker` processes; report the time against the rate-limit bound, the workers'
peak memory and duplicates.

    .venv/bin/python bench/push_delivery.py [--members 1000000] [--workers 2] [--rate-limit 200]

Everything is created for the run and removed after it: a scratch PostgreSQL database (members bulk
inserted with generate_series), a Redis database of its own, the fake LINE platform in its own process
(`linecomm fake-line --open-audience --lean`: every well-formed user ID is a friend and it keeps counters,
not a million conversations), and the workers.

Times: "total" runs from the send-now commit to the delivery's last batch recorded: the scheduler
opens the delivery, a job asks LINE for the quota and freezes the recipients (one INSERT ... SELECT),
and the workers' lanes send. "sending" runs from the first multicast to the last. The bound is
requests / limit (2,000 requests at 200/s = 10 s for a million).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import machine_speed  # noqa: E402
from bench.environment import (  # noqa: E402
    ACCESS_TOKEN,
    VENV_BIN,
    free_port,
    load_average,
    machine,
    pg_version,
    scratch_database,
    scratch_redis,
)

REDIS_DB = int(os.environ.get("LINECOMM_BENCH_PUSH_REDIS_DB", "10"))  # webhooks' bench uses 11, tests 13
QUEUE = "linecomm-bench-push"


def insert_members(url: str, count: int) -> float:
    """A million community members in one statement; returns the seconds it took."""
    engine = create_engine(url)
    started = time.monotonic()
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO members (line_user_id, display_name, status, is_following, cohort, created_at, "
            "followed_at, joined_at, last_active_at) "
            "SELECT 'U' || lpad(to_hex(g), 32, '0'), '会員' || g, 'member', true, "
            "CASE WHEN g % 2 = 0 THEN '1期生' ELSE '2期生' END, now(), now(), "
            "now() - (g % 365) * interval '1 day', now() - (g % 30) * interval '1 day' "
            "FROM generate_series(1, :n) AS g"
        ), {"n": count})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE members"))
    engine.dispose()
    return time.monotonic() - started


def start_fake(rate_limit: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN}
    proc = subprocess.Popen(
        [str(VENV_BIN / "linecomm"), "fake-line", "--port", str(port), "--multicast-rate-limit", str(rate_limit),
         "--open-audience", "--lean"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/_fake/stats", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the fake LINE platform did not start")


def worker_environment(database_url: str, redis_url: str, fake_url: str, lanes: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "LINECOMM_QUEUE": QUEUE,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN, "LINE_CHANNEL_SECRET": "bench-channel-secret",
        "LINE_API_BASE_URL": fake_url, "LINE_LOGIN_BASE_URL": fake_url, "LINECOMM_ENV": "development",
        "LINECOMM_PUSH_LANES": str(lanes),
    }


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine, every process included."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def deliver(database_url: str, redis_url: str, fake_url: str) -> dict[str, object]:
    """Send one post to everyone now and wait for the delivery to finish; return its timings."""
    from sqlalchemy import func, select

    from linecomm.config import Settings
    from linecomm.db import transaction, utcnow
    from linecomm.line.client import Quota
    from linecomm.pushes import jobs
    from linecomm.pushes import policy as policies
    from linecomm.pushes.models import Delivery, DeliveryBatch
    from linecomm.runtime import Runtime
    from linecomm.themes import posts, scheduling

    settings = Settings(env="development", database_url=database_url, redis_url=redis_url, queue_name=QUEUE,
                        line_channel_access_token=ACCESS_TOKEN, line_api_base_url=fake_url).resolved()
    rt = Runtime.build(settings)
    try:
        with transaction(rt.sessions) as s:
            policies.update(s, quiet_start="00:00", quiet_end="00:00")  # the bench runs whenever it is run
            post_id = posts.create_post(s, posts.PostDraft(
                title="ベンチマーク", text="今週のテーマ: 冬の楽しみ方を教えてください☃️")).id
        started = time.monotonic()
        wall_start = utcnow()
        with transaction(rt.sessions) as s:
            result = scheduling.schedule_post(s, post_id, scheduling.SendPlan("now"), Quota(None, 0))
        jobs.wake_scheduler(rt, result.starts_at)
        while True:
            with transaction(rt.readers) as s:
                status = s.scalar(select(Delivery.status).where(Delivery.post_id == post_id))
            if status in ("sent", "failed", "cancelled"):
                break
            time.sleep(0.02)
        total = time.monotonic() - started
        with transaction(rt.readers) as s:
            delivery = s.scalar(select(Delivery).where(Delivery.post_id == post_id))
            assert delivery is not None and delivery.started_at and delivery.finished_at
            first_try = s.scalar(select(func.min(DeliveryBatch.first_attempt_at))
                                 .where(DeliveryBatch.delivery_id == delivery.id))
            assert first_try is not None

        def since(at: datetime) -> float:
            return (at - wall_start).total_seconds()

        return {"status": status, "recipients": delivery.recipients, "batches": delivery.batch_count,
                "total_s": total, "opened_s": since(delivery.created_at),
                "freeze_started_s": since(delivery.started_at), "first_send_s": since(first_try),
                "finished_s": since(delivery.finished_at),
                "sending_s": (delivery.finished_at - first_try).total_seconds()}
    finally:
        rt.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate-limit", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="Print the results as JSON too.")
    args = parser.parse_args()
    logs = Path("/tmp/linecomm-bench-push")
    logs.mkdir(exist_ok=True)
    print(f"machine: {machine()}; PostgreSQL {pg_version()}; load before {load_average()}", flush=True)
    speed = machine_speed.Bracket()
    print(machine_speed.describe(speed.before), flush=True)
    with scratch_database() as database_url, scratch_redis(REDIS_DB) as redis_url:
        seeded = insert_members(database_url, args.members)
        print(f"{args.members:,} members inserted in {seeded:.1f} s", flush=True)
        fake, fake_url = start_fake(args.rate_limit, logs / "fake-line.log")
        env = worker_environment(database_url, redis_url, fake_url, lanes=args.workers)
        workers = [
            subprocess.Popen([str(VENV_BIN / "linecomm"), "worker"], env=env, start_new_session=True,
                             stdout=(logs / f"worker-{i}.log").open("wb"), stderr=subprocess.STDOUT)
            for i in range(args.workers)
        ]
        try:
            time.sleep(3)  # let the workers import and connect
            cpu_before = {w.pid: cpu_seconds(w.pid) for w in workers}
            fake_cpu_before = cpu_seconds(fake.pid)
            busy_before = machine_busy()
            result = deliver(database_url, redis_url, fake_url)
            busy_after = machine_busy()
            memory = [peak_rss_mb(w.pid) for w in workers]
            cpu = [cpu_seconds(w.pid) - cpu_before[w.pid] for w in workers]
            fake_cpu = cpu_seconds(fake.pid) - fake_cpu_before
            stats = json.loads(urllib.request.urlopen(fake_url + "/_fake/stats").read())
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                try:
                    w.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    w.kill()
            fake.terminate()
            fake.wait()
    multicasts = stats["requests"].get("POST /v2/bot/message/multicast", {})
    requests = math.ceil(args.members / 500)
    bound = requests / args.rate_limit
    recipients = stats["recipients"]
    result.update(
        members=args.members, workers=args.workers, bound_s=bound, ratio=result["total_s"] / bound,  # type: ignore[operator]
        peak_worker_rss_mb=memory, worker_cpu_s=cpu, fake_cpu_s=fake_cpu, multicast_statuses=multicasts,
        delivered=recipients["deliveries"], distinct=recipients["distinct"],
        duplicates=recipients["deliveries"] - recipients["distinct"], load_after=load_average(),
        machine_busy=(busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]),
        threads=int(os.environ.get("LINECOMM_PUSH_THREADS", "4")),
    )
    print(f"delivery {result['status']}: {result['recipients']:,} recipients in {result['batches']:,} multicasts")
    print(f"total {result['total_s']:.2f} s; bound {bound:.1f} s; total/bound {result['ratio']:.2f}")
    print(f"  timeline: opened {result['opened_s']:.2f} s, freezing from {result['freeze_started_s']:.2f} s, first "
          f"multicast {result['first_send_s']:.2f} s, done {result['finished_s']:.2f} s; sending "
          f"{result['sending_s']:.2f} s = {result['sending_s'] / bound:.2f} x bound")  # type: ignore[operator]
    print(f"fake LINE: multicast answers {multicasts}; delivered {recipients['deliveries']:,} to "
          f"{recipients['distinct']:,} distinct users; duplicates {result['duplicates']}")
    print("workers: peak RSS " + ", ".join(f"{m:.0f} MB" for m in memory) + "; CPU "
          + ", ".join(f"{c:.1f} s" for c in cpu) + f"; fake LINE CPU {fake_cpu:.1f} s; "
          f"{result['threads']} sender threads per worker")
    print(f"machine: CPU busy {result['machine_busy']:.0%} during the delivery (all processes, others' too); "
          f"load after {load_average()}")
    print(speed.close())
    if args.json:
        print(json.dumps({**result, **speed.as_dict()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
