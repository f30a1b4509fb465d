"""What every benchmark stands on: a scratch PostgreSQL database, a flushed Redis database of its own,
the fake LINE platform, and linecomm under gunicorn; all created for the run and removed after it."""
from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from linecomm import migrate

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("LINECOMM_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_BASE_URL = os.environ.get("LINECOMM_BENCH_REDIS", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("LINECOMM_BENCH_REDIS_DB", "11"))  # the tests use 13
CHANNEL_SECRET = "bench-channel-secret"
ACCESS_TOKEN = "bench-access-token"
LOGIN_CHANNEL = "1234567890"
QUEUE_NAME = "linecomm-bench"


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new PostgreSQL database, migrated to head; dropped afterwards (also after a failure)."""
    name = f"linecomm_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_redis(db: int = REDIS_DB) -> Iterator[str]:
    """A Redis database number of the benchmark's own, flushed before and after."""
    from redis import Redis

    url = f"{REDIS_BASE_URL}/{db}"
    client = Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_environment(database_url: str, redis_url: str, fake_url: str) -> dict[str, str]:
    """The environment `gunicorn "linecomm:create_app()"` and `linecomm worker` read their settings from."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        LINE_CHANNEL_SECRET=CHANNEL_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
        LINE_API_BASE_URL=fake_url,
        LINE_LOGIN_BASE_URL=fake_url,
        SECRET_KEY="bench-secret-key",
        LINECOMM_ENV="development",
        LINECOMM_QUEUE=QUEUE_NAME,
        LINECOMM_INSTANCE_PATH=str(Path("/tmp") / "linecomm-bench-instance"),
    )
    return env


@dataclass(frozen=True)
class GunicornConfig:
    """How the app is served. See the README for why these numbers."""

    workers: int = 2
    threads: int = 2
    worker_class: str = "gthread"
    backlog: int = 2048
    # gunicorn does not balance kept-alive connections between workers: whichever worker wakes first
    # accepts them and keeps them. A cap per worker (connections / workers) spreads them evenly.
    worker_connections: int | None = None

    def describe(self) -> str:
        if self.worker_class == "gthread":
            cap = f", at most {self.worker_connections} connections each" if self.worker_connections else ""
            return f"gunicorn gthread, {self.workers} workers x {self.threads} threads{cap}"
        return f"gunicorn {self.worker_class}, {self.workers} workers"


@dataclass(frozen=True)
class Served:
    url: str
    pid: int  # the gunicorn master; its workers are its children


@contextmanager
def gunicorn(app: str, env: dict[str, str], config: GunicornConfig, log_path: Path,
             extra_args: tuple[str, ...] = ()) -> Iterator[Served]:
    """Serve the WSGI `app` ("module:callable") under gunicorn on a free loopback port."""
    port = free_port()
    args = [
        str(VENV_BIN / "gunicorn"), app,
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(config.workers),
        "--worker-class", config.worker_class,
        "--backlog", str(config.backlog),
        "--keep-alive", "75",  # wrk keeps its connections open for the whole run
        "--log-level", "warning",
        "--timeout", "120",
    ]
    if config.worker_class == "gthread":
        args += ["--threads", str(config.threads)]
    if config.worker_connections:
        args += ["--worker-connections", str(config.worker_connections)]
    args += list(extra_args)
    log = log_path.open("wb")
    proc = subprocess.Popen(args, env=env, cwd=str(REPO), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url + "/healthz", proc, log_path)
        yield Served(url, proc.pid)
    finally:
        _stop(proc)
        log.close()


def _wait_until_serving(url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                response.read()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # gunicorn's graceful stop: in-flight requests finish
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def machine() -> str:
    """'2 cores, AMD EPYC ..., 24 GiB, Linux 6.x, Python 3.x' for the results table."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {model}{mem}, Linux {platform.release()}, "
            f"Python {platform.python_version()}")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def pg_version() -> str:
    engine = create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()
