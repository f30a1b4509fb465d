"""Worker benchmark: how many simple events per second `linecomm worker` processes (RQ SimpleWorker, no
fork per job) take from the inbox to a reply delivered by the fake LINE platform.

    .venv/bin/python bench/run_worker_bench.py [--events 10000] [--workers 2] [--quick]

The inbox is filled first (signed-body-shaped events stored by linecomm's own ingest code, as the webhook
stores them), with worker processes already started and idle; then a drain is asked for, as the webhook's
commits do, and the clock runs until every event is handled and every reply has been sent.
See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import bodies
import machine_speed
from cpu_usage import CpuSnapshot, bench_classifier, process_tree, usage_between, wait_for_quiet
from environment import (
    ACCESS_TOKEN,
    LOGIN_CHANNEL,
    QUEUE_NAME,
    REPO,
    VENV_BIN,
    app_environment,
    load_average,
    machine,
    pg_version,
    scratch_database,
    scratch_redis,
)
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import sessionmaker

from linecomm.db import make_engine, transaction, utcnow
from linecomm.line.fake import FakeLinePlatform
from linecomm.members import service as members
from linecomm.outbox.models import OutboundMessage
from linecomm.queue import RedisJobQueue
from linecomm.webhooks import drain, ingest
from linecomm.webhooks.models import WebhookEvent

# "text": each event is a text message from someone who already follows the account, answered with one
# reply: the simple event. "follow-text": a new user follows (a profile read and a greeting), then writes
# (a reply), in the same body.
# "answers": what follows a theme post: community members answer it in chat (answer -> NG-word check ->
# stored under moderation -> a thank-you reply), the post having gone out to --members members first.
MIXES = {
    "text": ("message",) * bodies.EVENTS_PER_BODY,
    "follow-text": ("follow", "message") * (bodies.EVENTS_PER_BODY // 2),
    "answers": ("message",) * bodies.EVENTS_PER_BODY,
}
ANSWERS = ("朝は白湯を一杯飲んでから、窓を開けて深呼吸します", "コーヒーを淹れる間にストレッチをしています",
           "前の晩にお弁当の下ごしらえをしておきます", "ベランダのハーブに水をあげるのが日課です",
           "通勤前に5分だけ本を読みます")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=None, help="events to process (default 5000; 500 with --quick)")
    p.add_argument("--quick", action="store_true", help="a small run: a smoke test of the benchmark, not a figure")
    p.add_argument("--workers", type=int, default=2, help="`linecomm worker` processes")
    p.add_argument("--mix", choices=sorted(MIXES), default="text",
                   help="text: texts from followers, one reply each (default); follow-text: follow, then a text; "
                        "answers: members answer a theme post sent to --members members")
    p.add_argument("--members", type=int, default=None,
                   help="answers mix: community members the theme post goes to (default 100000; 5000 with --quick)")
    p.add_argument("--quiet-wait", type=float, default=120.0,
                   help="wait up to this many seconds for an idle machine before measuring")
    p.add_argument("--profile", action="store_true",
                   help="sample the workers with py-spy (pip install py-spy) into --logs/py-spy-worker-N.txt")
    p.add_argument("--logs", type=Path, default=None, help="keep the workers' logs in this folder")
    p.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = p.parse_args(argv)
    if args.events is None:
        args.events = 500 if args.quick else 5000
    args.events -= args.events % bodies.EVENTS_PER_BODY
    if args.members is None:
        args.members = 5000 if args.quick else 100_000
    if args.mix == "answers" and args.members < args.events:
        p.error("--members must be at least --events: each member answers once")
    return args


def member_line_id(n: int) -> str:
    """The LINE user id of community member n (1-based), as `send_theme_post` inserts them."""
    return "U" + format(n, "x").rjust(32, "0")


def send_theme_post(db_url: str, env: dict[str, str], fake: FakeLinePlatform, members: int) -> float:
    """Insert `members` community members (one statement) and send them a theme post with an open answer
    window through the `linecomm push` command, as an operator would; wait until LINE has it. Returns the
    seconds the send took."""
    from datetime import timedelta

    from linecomm.timezones import JST

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO members (line_user_id, display_name, nickname, nickname_key, status, is_following, cohort, "
            "created_at, followed_at, joined_at, last_active_at) "
            "SELECT 'U' || lpad(to_hex(g), 32, '0'), 'ベンチ' || g, 'ベンチ' || g, 'べんち' || g, 'member', true, "
            "'1期生', now(), now(), now() - interval '30 days', now() FROM generate_series(1, :n) AS g"
        ), {"n": members})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE members"))
    for n in range(1, members + 1):
        fake.add_user(member_line_id(n), f"ベンチ{n}")

    def cli(*words: str) -> str:
        done = subprocess.run([str(VENV_BIN / "linecomm"), "push", *words], env=env, cwd=str(REPO),
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"linecomm push {words[0]} failed: {done.stderr or done.stdout}")
        return done.stdout

    now = utcnow().astimezone(JST)
    cli("policy", "--quiet", "00:00-00:00", "--cap", "50")
    created = cli("create", "--title", "朝のひと手間", "--text", "今月のテーマ：朝のひと手間を教えてください",
                  "--answers-from", (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
                  "--answers-until", (now + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))
    post_id = next(int(word) for word in created.replace("#", " ").split() if word.isdigit())
    started = time.monotonic()
    cli("schedule", str(post_id), "--now")
    deadline = time.monotonic() + 600
    while True:
        with engine.connect() as conn:
            status = conn.execute(text("SELECT status FROM push_deliveries WHERE post_id = :p ORDER BY id DESC "
                                       "LIMIT 1"), {"p": post_id}).scalar()
        if status in ("sent", "failed", "cancelled"):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the theme post did not go out (delivery {status})")
        time.sleep(0.2)
    engine.dispose()
    if status != "sent":
        raise RuntimeError(f"the theme post's delivery ended {status}")
    return time.monotonic() - started


def fill_inbox(db_url: str, fake: FakeLinePlatform, events: int, mix: str = "text") -> list[list[int]]:
    """Store `events` new events of `mix` and return the inbox ids per body. The rows are stored by
    ingest.store_events, as the webhook stores them, but no drain is asked for yet (the webhook asks once
    its INSERT is done: ingest.store_body). For "text", the senders are made followers first (member rows,
    as a follow would)."""
    engine = make_engine(db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    kinds = MIXES[mix]
    per_user = 2 if mix == "follow-text" else 1
    users: dict[tuple[int, int], str] = {}

    def user_of(body: int, n: int) -> str:
        if mix == "answers":  # members who received the post, one answer each
            return member_line_id(body * bodies.EVENTS_PER_BODY + n + 1)
        key = (body, n // per_user)
        if key not in users:
            users[key] = f"U{body:016x}{n // per_user:016x}"
            fake.add_user(users[key], f"ベンチ {body}-{n // per_user}")
        return users[key]

    jobs = []
    try:
        for index in range(events // bodies.EVENTS_PER_BODY):
            texts = [f"{ANSWERS[(index + n) % len(ANSWERS)]}（{index}-{n}）" for n in range(len(kinds))] \
                if mix == "answers" else None
            body = bodies.make_body("WORK", 0, index, mix=kinds, user_of=user_of,
                                    reply_token_for=fake.issue_reply_token, texts=texts)
            with transaction(factory) as session:
                events_of_body = ingest.parse_body(body)
                if mix == "text":
                    members.get_or_create_many(session, [e["source"]["userId"] for e in events_of_body], utcnow())
                stored = ingest.store_events(session, events_of_body)
            jobs.append(stored.new_ids)
    finally:
        engine.dispose()
    return jobs


def start_workers(count: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    procs = []
    for n in range(count):
        log = (logs / f"worker-{n}.log").open("wb")
        procs.append(subprocess.Popen([str(VENV_BIN / "linecomm"), "worker"], env=env, cwd=str(REPO), stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))
    return procs


def wait_for_workers(redis_url: str, count: int, procs: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    from redis import Redis
    from rq import Worker

    client = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while len(Worker.all(connection=client)) < count:
            for proc in procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"a worker exited with {proc.returncode} before starting")
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not register with RQ in time")
            time.sleep(0.1)
    finally:
        client.close()


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # RQ's warm shutdown: finish the current job, then exit
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def counts(engine: Any) -> tuple[int, int]:
    """(inbox rows still pending, outbound messages still pending)."""
    with engine.connect() as conn:
        inbox = conn.execute(text("SELECT count(*) FROM webhook_events WHERE status = 'pending'")).scalar_one()
        outbox = conn.execute(text("SELECT count(*) FROM outbound_messages WHERE status = 'pending'")).scalar_one()
    return inbox, outbox


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    logs = args.logs or work
    fake = FakeLinePlatform(channel_access_token=ACCESS_TOKEN, login_channel_id=LOGIN_CHANNEL,
                            reply_token_ttl=3600)
    fake_url = fake.start()
    try:
        with scratch_database() as db_url, scratch_redis() as redis_url:
            db_name = db_url.rsplit("/", 1)[1]
            env = app_environment(db_url, redis_url, fake_url)
            env["LINECOMM_SWEEP_INTERVAL"] = "3600"  # no sweep in the middle of the measurement
            print(f"starting {args.workers} `linecomm worker` processes ...")
            procs = start_workers(args.workers, env, logs)
            try:
                wait_for_workers(redis_url, args.workers, procs)
                sent_in = None
                if args.mix == "answers":
                    print(f"sending a theme post to {args.members:,} members (`linecomm push`) ...")
                    sent_in = send_theme_post(db_url, env, fake, args.members)
                    print(f"  delivered in {sent_in:.1f} s")
                quiet = "not checked"
                if args.quiet_wait > 0:  # before storing: the events' reply tokens are good for 50 s from then
                    found, busy = wait_for_quiet(args.quiet_wait)
                    quiet = f"{'idle' if found else 'BUSY'} before the run ({100 * busy:.0f}% of CPU busy)"
                    print(f"  machine {quiet}")
                started = time.monotonic()
                print(f"storing {args.events} events in the inbox ...")
                jobs = fill_inbox(db_url, fake, args.events, args.mix)
                print(f"  stored in {time.monotonic() - started:.1f} s; {len(jobs)} bodies of {bodies.EVENTS_PER_BODY}")
                queue = RedisJobQueue(redis_url, QUEUE_NAME)
                engine = create_engine(db_url)
                profilers = [
                    subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "--pid", str(proc.pid), "--nonblocking",
                                      "--gil", "--rate", "200", "--format", "raw",
                                      "--output", str(logs / f"py-spy-worker-{n}.txt")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for n, proc in enumerate(procs)
                ] if args.profile else []
                before = CpuSnapshot.take()
                t0 = time.time()
                # What the webhook's commits do: ask for a drain. One job; full batches ask for the next.
                drain.request_now(queue)
                enqueued = time.time() - t0
                deadline = time.monotonic() + max(120, args.events / 20)
                while True:
                    pending_inbox, pending_outbox = counts(engine)
                    if pending_inbox == 0 and pending_outbox == 0:
                        break
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"gave up: {pending_inbox} events and {pending_outbox} messages still pending")
                    time.sleep(0.05)
                wall = time.time() - t0
                after = CpuSnapshot.take()
                for profiler in profilers:
                    profiler.send_signal(signal.SIGINT)
                    profiler.wait(timeout=60)
                queue.close()
                pids = {pid for proc in procs for pid in process_tree(proc.pid, after.processes)}
                cpu = usage_between(before, after, bench_classifier(
                    {"linecomm workers": pids}, db_name, "fake LINE + runner"))
                check = verify(engine, fake, args.events, t0, answers=args.mix == "answers")
                engine.dispose()
            finally:
                stop_workers(procs)
    finally:
        fake.stop()
    window = check.pop("window_s")
    return {
        "events": args.events, "workers": args.workers, "jobs": len(jobs), "enqueue_s": enqueued,
        "wall_s": wall, "window_s": window, "events_per_s": args.events / window,
        "cpu": cpu, "check": check, "quiet_start": quiet, "members": args.members if args.mix == "answers" else None,
        "post_sent_s": sent_in,
    }


def verify(engine: Any, fake: FakeLinePlatform, events: int, t0: float, answers: bool = False) -> dict[str, Any]:
    """Every event handled once, every reply sent once (by reply while the token was fresh); with `answers`,
    every answer stored once under moderation."""
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*), count(DISTINCT member_id) FROM theme_answers")).one()
        content = dict(conn.execute(text("SELECT state, count(*) FROM content_items GROUP BY state")).all())
        statuses = dict(conn.execute(select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)).all())
        sent = dict(conn.execute(
            select(OutboundMessage.sent_via, func.count()).where(OutboundMessage.status == "sent")
            .group_by(OutboundMessage.sent_via)).all())
        messages = conn.execute(select(func.count()).select_from(OutboundMessage)).scalar_one()
        last_sent: datetime | None = conn.execute(select(func.max(OutboundMessage.sent_at))).scalar_one()
        last_handled: datetime | None = conn.execute(select(func.max(WebhookEvent.handled_at))).scalar_one()
    requests = fake.requests
    replies = sum(1 for r in requests if r.path == "/v2/bot/message/reply" and r.status == 200)
    answers_ok = not answers or (stored[0] == stored[1] == events and sum(content.values()) == events)
    pushes = sum(1 for r in requests if r.path == "/v2/bot/message/push" and r.status == 200)
    profiles = sum(1 for r in requests if r.path.startswith("/v2/bot/profile/") and r.status == 200)
    refused = sum(1 for r in requests if r.status >= 400)
    ends = [t.timestamp() for t in (last_sent, last_handled) if t is not None]
    return {
        "inbox": statuses, "messages": messages, "sent_via": sent, "line_replies": replies, "line_pushes": pushes,
        "line_profiles": profiles, "line_refused": refused,
        "answers": {"stored": stored[0], "members": stored[1], "content": content} if answers else None,
        "all_done": statuses.get("done", 0) == events and len(statuses) == 1 and answers_ok,
        "one_message_each": messages == events and replies + pushes == events,
        "window_s": (max(ends) - t0) if ends else float("nan"),
    }


def report(args: argparse.Namespace, r: dict[str, Any]) -> bool:
    c = r["check"]
    print()
    print(f"machine: {machine()}; PostgreSQL {pg_version()}; load average now {load_average()}")
    what = {"text": "texts from followers, one reply each",
            "follow-text": "a follow then a text from each new user: a profile read and 2 replies per user",
            "answers": f"answers to a theme post sent to {args.members:,} members: NG-word check, stored under "
                       f"moderation, a thank-you reply each"}[args.mix]
    print(f"{r['events']} events ({what}; {bodies.EVENTS_PER_BODY} per body), {r['workers']} x `linecomm worker` "
          f"(RQ SimpleWorker, inbox drained in batches); fake LINE platform in the runner process, answering at once")
    print()
    print(f"{'workers':>7} {'events':>7} {'events/s':>9} {'seconds':>8}  check")
    ok = c["all_done"] and c["one_message_each"]
    print(f"{r['workers']:>7} {r['events']:>7} {r['events_per_s']:>9.0f} {r['window_s']:>8.1f}  "
          f"{'OK' if ok else 'FAILED'}: inbox {c['inbox']}, {c['messages']} messages, sent via {c['sent_via']}, "
          f"LINE saw {c['line_replies']} replies, {c['line_pushes']} pushes, {c['line_profiles']} profile reads, "
          f"{c['line_refused']} refused" + (f"; answers {c['answers']}" if c.get("answers") else ""))
    cpu = r["cpu"]
    parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]))
    print(f"CPU, core-seconds of {sum(cpu.values()):.1f}: {parts}")
    per = {k: 1000 * v / r["events"] for k, v in cpu.items() if k not in ("idle", "other")}
    print("  per event: " + ", ".join(f"{k} {v:.2f} ms" for k, v in sorted(per.items(), key=lambda kv: -kv[1])))
    target = 1000
    print(f"target >= {target} events/s: {r['events_per_s']:.0f} -> "
          f"{'met' if r['events_per_s'] >= target else 'MISSED by %.0f%%' % (100 - 100 * r['events_per_s'] / target)}")
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}; load average {load_average()}")
    speed = machine_speed.Bracket()
    print(machine_speed.describe(speed.before))
    with tempfile.TemporaryDirectory(prefix="linecomm-worker-bench-") as tmp:
        result = run(args, Path(tmp))
    ok = report(args, result)
    print(speed.close())
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), **speed.as_dict(),
                                         "args": {k: str(v) for k, v in vars(args).items()},
                                         "result": result}, indent=2, ensure_ascii=False, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
