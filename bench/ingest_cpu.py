"""Webhook ingest, in-process: the CPU one signed 10-event body costs linecomm's WSGI app, single-threaded.

    .venv/bin/python bench/ingest_cpu.py [--bodies 600] [--rounds 5] [--profile]

`linecomm.create_app()` is configured by environment variables, as under gunicorn, for a scratch
PostgreSQL database and Redis database 11. Each round sends `--bodies` fresh pre-signed bodies (every
event new, as in run_webhook_bench.py) straight through the WSGI callable, one after the other; the WSGI
environs are built before the clock starts, so what is measured is the app: Flask, the signature, parsing
and validation, the inbox INSERT and the drain request that follows it (the queue). It counts CPU time
(time.process_time), not wall time, so other processes' work is not counted; they still slow this one
down (two busy vCPUs share caches and may share a core: the same code then costs up to twice the CPU), so
it waits for an idle machine first, and every round's total is printed to show the spread. The best round
(lowest total) is reported, split into:

  parse      ingest.parse_body: JSON and the check of each event against line-bot-sdk's models
  store      ingest.store_events: the inbox rows and their INSERT ... RETURNING
  connection the rest of ingest's insert: taking a pooled connection (autocommit) and giving it back
  queue      asking for a drain (one coalescing SET in Redis)
  rest       everything else: WSGI/Flask request handling, the signature check, the response

plus the CPU the round's PostgreSQL backends used (their /proc times; 10 ms ticks, so per body it is
an average over the round). See bench/README.md.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bodies
import machine_speed
from cpu_usage import TICKS, wait_for_quiet
from environment import CHANNEL_SECRET, app_environment, machine, scratch_database, scratch_redis
from sqlalchemy import create_engine, func, select, text
from werkzeug.test import EnvironBuilder

PARTS = ("parse", "store", "connection", "queue", "rest")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bodies", type=int, default=600, help="bodies per round")
    p.add_argument("--rounds", type=int, default=5, help="rounds; the best (lowest total CPU) is reported")
    p.add_argument("--warmup", type=int, default=200, help="bodies sent before the first round")
    p.add_argument("--profile", action="store_true", help="also run one round under cProfile and print it")
    p.add_argument("--quiet-wait", type=float, default=60.0,
                   help="wait up to this many seconds for an idle machine before measuring")
    return p.parse_args(argv)


@dataclass
class Clock:
    """CPU seconds spent inside each instrumented part during one round."""

    spent: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PARTS, 0.0))

    def timed(self, part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[part] += time.process_time() - start

        return wrapper


def instrument(app: Any, clock: Clock) -> None:
    """Wrap the request path's parts so `clock` sees where the CPU goes (a few µs of overhead a body)."""
    from linecomm.webhooks import drain, ingest

    ingest.parse_body = clock.timed("parse", ingest.parse_body)
    ingest.store_events = clock.timed("store", ingest.store_events)
    ingest._insert_once = clock.timed("connection", ingest._insert_once)
    drain.request_now = clock.timed("queue", drain.request_now)


def environs(run: str, count: int) -> list[dict[str, Any]]:
    """WSGI environs of `count` fresh signed bodies, each as gunicorn would hand it over."""
    out = []
    for signature, body in bodies.signed_bodies(CHANNEL_SECRET, run, 0, count):
        builder = EnvironBuilder(
            path="/webhooks/line", method="POST", data=body,
            headers={"X-Line-Signature": signature, "Content-Type": "application/json; charset=utf-8"},
        )
        out.append(builder.get_environ())
    return out


def send(app: Any, batch: list[dict[str, Any]]) -> None:
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> None:
        statuses.append(status)

    for environ in batch:
        result = app(environ, start_response)
        try:
            for _chunk in result:
                pass
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        if not statuses[-1].startswith("200"):
            raise RuntimeError(f"the webhook answered {statuses[-1]}")


def backend_pids(admin_url: str, database: str) -> list[int]:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": database})
            return [int(pid) for (pid,) in rows]
    finally:
        engine.dispose()


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2:].split()
        total += (int(rest[11]) + int(rest[12])) / TICKS
    return total


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with scratch_database() as database_url, scratch_redis() as redis_url:
        os.environ.update(app_environment(database_url, redis_url, "http://127.0.0.1:9"))  # no LINE call happens
        from linecomm import create_app
        from linecomm.webhooks.models import WebhookEvent

        app = create_app()
        clock = Clock()
        instrument(app, clock)
        send(app, environs("warm", args.warmup))
        database = database_url.rsplit("/", 1)[1]
        admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
        pids = backend_pids(admin_url, database)  # the app's pooled connections, open since the warm-up
        quiet, busy = wait_for_quiet(args.quiet_wait)
        print(f"machine {'idle' if quiet else 'NOT idle'} before measuring ({busy:.0%} of CPU busy)")

        rounds = []
        for n in range(args.rounds):
            batch = environs(f"r{n:03d}", args.bodies)
            clock.spent = dict.fromkeys(PARTS, 0.0)
            pg0, t0 = cpu_seconds(pids), time.process_time()
            send(app, batch)
            total, pg = time.process_time() - t0, cpu_seconds(pids) - pg0
            parts = dict(clock.spent)
            parts["connection"] -= parts["store"]
            parts["rest"] = total - sum(v for k, v in parts.items() if k != "rest")
            rounds.append((total, parts, pg))
        if args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU, not wall time
            batch = environs("prof", args.bodies)
            profiler.enable()
            send(app, batch)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())

        sent = args.warmup + args.bodies * (args.rounds + (1 if args.profile else 0))
        rt = app.extensions["linecomm"]
        with rt.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(WebhookEvent))
        rt.close()
        if stored != sent * bodies.EVENTS_PER_BODY:
            print(f"FAILED: {stored} inbox rows for {sent} bodies of {bodies.EVENTS_PER_BODY} events")
            return 1

    per_body = 1000.0 / args.bodies
    total, parts, pg = min(rounds, key=lambda r: r[0])
    print(machine_speed.describe(machine_speed.reference_us()))
    print(f"{machine()}; {args.rounds} rounds of {args.bodies} bodies ({bodies.EVENTS_PER_BODY} events each)")
    print("totals of every round, ms CPU per body: "
          + ", ".join(f"{r[0] * per_body:.2f}" for r in rounds)
          + f" (median {statistics.median(r[0] for r in rounds) * per_body:.2f})")
    print(f"best round, ms CPU per body: app {total * per_body:.3f} = "
          + " + ".join(f"{name} {parts[name] * per_body:.3f}" for name in PARTS))
    print(f"PostgreSQL backends: {pg * per_body:.2f} ms CPU per body (10 ms ticks; average over the round)")
    print(f"inbox rows: {stored} = {sent} bodies x {bodies.EVENTS_PER_BODY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
