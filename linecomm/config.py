"""Settings, read from the environment in one place."""
from __future__ import annotations

import dataclasses
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("production", "demo", "development", "test")


class ConfigError(RuntimeError):
    """The configuration cannot run in the chosen environment."""


def _default_instance_path() -> Path:
    return Path(os.environ.get("LINECOMM_INSTANCE_PATH", Path.cwd() / "instance")).resolve()


def normalise_database_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` URLs as they are and run them on psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_webhook_url(host: str, port: int) -> str:
    """The webhook of a linecomm served on host:port, as this machine reaches it (a wildcard bind via
    loopback)."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/webhooks/line"


def data_base_url_for(api_base_url: str) -> str:
    """LINE's data host for LINE's API host; any other API URL (the fake platform) serves both."""
    return "https://api-data.line.me" if api_base_url.rstrip("/") == "https://api.line.me" else api_base_url


@dataclass(frozen=True)
class Settings:
    """Everything linecomm can be told. Build with `Settings.from_env()` or explicitly in tests."""

    env: str = "development"
    database_url: str = ""
    redis_url: str | None = None
    line_channel_secret: str = ""
    line_channel_access_token: str = ""
    line_login_channel_id: str = ""
    liff_id: str = ""
    # The account's add-friend URL (https://line.me/R/ti/p/@<basic id> or a lin.ee link), shown to newcomers
    # arriving through a member's invite link (linecomm.referrals). Unset: they are told to add the account.
    line_add_friend_url: str = ""
    line_api_base_url: str = "https://api.line.me"
    # LINE serves uploads and downloads (content, rich menu images) from api-data.line.me. Unset: that host
    # with LINE's own API URL, else the API URL itself (the fake platform and proxies serve both).
    line_api_data_base_url: str = ""
    line_login_base_url: str = "https://api.line.me"
    secret_key: str = ""
    instance_path: Path = field(default_factory=_default_instance_path)
    queue_name: str = "linecomm"
    max_webhook_body_bytes: int = 1024 * 1024
    reply_token_ttl_seconds: float = 50.0
    line_timeout_seconds: float = 10.0
    # How long a member's LIFF page session (signed cookie) lasts before pages ask LINE for a fresh ID token.
    liff_session_seconds: int = 1800
    privacy_notice_version: str = "2026-11"
    privacy_notice_url: str = "https://example.com/privacy"
    sweep_interval_seconds: float = 60.0
    sweep_grace_seconds: float = 30.0
    embedded_workers: int = 2
    # Reverse proxies (load balancers) in front of the app whose X-Forwarded-For / X-Forwarded-Proto are
    # believed: the client address is the one the outermost trusted proxy saw. 0 believes no header.
    trusted_proxies: int = 0
    # Where the demo chat console (/demo/chat) posts its signed webhooks: this app's own webhook. Unset:
    # the address `linecomm serve` / `linecomm demo` listens on, else http://127.0.0.1:8000/webhooks/line.
    demo_webhook_url: str = ""
    # Push delivery engine (linecomm.pushes): how fast, how wide, how long a claim on a batch lasts.
    push_batch_size: int = 500  # recipients per multicast request (LINE allows at most 500)
    push_rate_per_second: int = 200  # LINE's multicast limit per channel, shared by every worker
    push_lanes: int = 2  # jobs working one delivery at a time (the embedded queue uses one)
    push_threads: int = 4  # sender threads in each of those jobs
    push_lease_seconds: float = 30.0  # a claimed batch is another worker's to retry after this
    push_stall_seconds: float = 30.0  # a sending delivery with no heartbeat this long is resumed
    push_slice_seconds: float = 20.0  # a job hands its delivery back to the queue after this
    # Members' photos (linecomm.uploads): where the re-encoded files are kept (unset: <instance>/uploads) and
    # the largest upload accepted, in bytes.
    upload_dir: Path | None = None
    upload_max_bytes: int = 10 * 1024 * 1024
    # Q&A (linecomm.qa): questions with no answer this long are listed for staff; the asker hears of new
    # answers at most once per question in this many minutes.
    qa_unanswered_hours: int = 24
    qa_notice_window_minutes: int = 30

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read every setting from environment variables (see the README's table)."""
        e = os.environ if environ is None else environ
        instance = Path(e.get("LINECOMM_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
        return cls(
            env=e.get("LINECOMM_ENV", "development"),
            database_url=e.get("DATABASE_URL", ""),
            redis_url=e.get("REDIS_URL") or None,
            line_channel_secret=e.get("LINE_CHANNEL_SECRET", ""),
            line_channel_access_token=e.get("LINE_CHANNEL_ACCESS_TOKEN", ""),
            line_login_channel_id=e.get("LINE_LOGIN_CHANNEL_ID", ""),
            liff_id=e.get("LIFF_ID", ""),
            line_add_friend_url=e.get("LINE_ADD_FRIEND_URL", ""),
            line_api_base_url=e.get("LINE_API_BASE_URL", "https://api.line.me"),
            line_api_data_base_url=e.get("LINE_API_DATA_BASE_URL", ""),
            line_login_base_url=e.get("LINE_LOGIN_BASE_URL", "https://api.line.me"),
            secret_key=e.get("SECRET_KEY", ""),
            instance_path=instance,
            queue_name=e.get("LINECOMM_QUEUE", "linecomm"),
            privacy_notice_version=e.get("PRIVACY_NOTICE_VERSION", "2026-11"),
            privacy_notice_url=e.get("PRIVACY_NOTICE_URL", "https://example.com/privacy"),
            line_timeout_seconds=float(e.get("LINE_TIMEOUT_SECONDS", "10")),
            liff_session_seconds=int(e.get("LIFF_SESSION_SECONDS", "1800")),
            sweep_interval_seconds=float(e.get("LINECOMM_SWEEP_INTERVAL", "60")),
            trusted_proxies=int(e.get("LINECOMM_TRUSTED_PROXIES", "0")),
            demo_webhook_url=e.get("LINECOMM_DEMO_WEBHOOK_URL", ""),
            push_batch_size=int(e.get("LINECOMM_PUSH_BATCH_SIZE", "500")),
            push_rate_per_second=int(e.get("LINECOMM_PUSH_RATE", "200")),
            push_lanes=int(e.get("LINECOMM_PUSH_LANES", "2")),
            push_threads=int(e.get("LINECOMM_PUSH_THREADS", "4")),
            push_lease_seconds=float(e.get("LINECOMM_PUSH_LEASE_SECONDS", "30")),
            push_stall_seconds=float(e.get("LINECOMM_PUSH_STALL_SECONDS", "30")),
            push_slice_seconds=float(e.get("LINECOMM_PUSH_SLICE_SECONDS", "20")),
            upload_dir=Path(e["LINECOMM_UPLOAD_DIR"]).resolve() if e.get("LINECOMM_UPLOAD_DIR") else None,
            upload_max_bytes=int(e.get("LINECOMM_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))),
            qa_unanswered_hours=int(e.get("LINECOMM_QA_UNANSWERED_HOURS", "24")),
            qa_notice_window_minutes=int(e.get("LINECOMM_QA_NOTICE_WINDOW_MINUTES", "30")),
        ).resolved()

    def resolved(self) -> Settings:
        """Fill derived defaults (the SQLite file in the instance folder) and normalise URLs."""
        url = self.database_url or f"sqlite:///{self.instance_path / 'linecomm.sqlite3'}"
        return dataclasses.replace(self, database_url=normalise_database_url(url))

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes).resolved()

    def served_at(self, host: str, port: int) -> Settings:
        """These settings for the app that `linecomm serve` or `linecomm demo` serves on host:port: the demo
        chat console posts to that address, unless LINECOMM_DEMO_WEBHOOK_URL names another."""
        return self if self.demo_webhook_url else self.replace(demo_webhook_url=local_webhook_url(host, port))

    @property
    def demo_console_webhook_url(self) -> str:
        """Where the demo chat console posts its signed webhooks (never a URL taken from a request)."""
        return self.demo_webhook_url or local_webhook_url("127.0.0.1", 8000)

    @property
    def api_data_base_url(self) -> str:
        """Where uploads and downloads go (LINE_API_DATA_BASE_URL, see the field)."""
        return self.line_api_data_base_url or data_base_url_for(self.line_api_base_url)

    @property
    def uploads_path(self) -> Path:
        """Where members' photos are stored (LINECOMM_UPLOAD_DIR, else the instance folder's uploads/)."""
        return self.upload_dir or self.instance_path / "uploads"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_fake_line(self) -> bool:
        return (is_loopback_url(self.line_api_base_url) or is_loopback_url(self.line_login_base_url)
                or is_loopback_url(self.api_data_base_url))

    @property
    def is_demo(self) -> bool:
        return self.env == "demo"

    def check(self) -> None:
        """Refuse configurations that must never run in production."""
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"LINECOMM_ENV must be one of {', '.join(ENVIRONMENTS)}, not {self.env!r}")
        if not 1 <= self.push_batch_size <= 500:
            raise ConfigError(
                f"LINECOMM_PUSH_BATCH_SIZE must be 1 to 500 (LINE's multicast limit), not {self.push_batch_size}"
            )
        if self.push_rate_per_second < 1 or self.push_lanes < 1 or self.push_threads < 1:
            raise ConfigError("LINECOMM_PUSH_RATE, LINECOMM_PUSH_LANES and LINECOMM_PUSH_THREADS must be at least 1")
        if not 0 <= self.trusted_proxies <= 10:
            raise ConfigError(
                f"LINECOMM_TRUSTED_PROXIES must be 0 to 10 (proxy hops in front of the app), not {self.trusted_proxies}"
            )
        if self.env != "production":
            return
        problems = []
        for name, value in (
            ("LINE_CHANNEL_SECRET", self.line_channel_secret),
            ("LINE_CHANNEL_ACCESS_TOKEN", self.line_channel_access_token),
            ("SECRET_KEY", self.secret_key),
        ):
            if not value:
                problems.append(f"{name} is not set")
        if self.uses_fake_line:
            problems.append("LINE base URLs point at a loopback address (the fake LINE platform)")
        if self.is_sqlite:
            problems.append("DATABASE_URL is SQLite; production needs PostgreSQL")
        if problems:
            raise ConfigError("refusing to start in production: " + "; ".join(problems))
