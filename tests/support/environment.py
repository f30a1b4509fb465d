"""The environment variables a `linecomm` process needs to join a test's community."""
from __future__ import annotations

from linecomm.config import Settings


def environment_for(settings: Settings) -> dict[str, str]:
    """What Settings.from_env() reads back as `settings` (for CLI commands and worker processes)."""
    return {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "LINECOMM_QUEUE": settings.queue_name,
        "LINE_CHANNEL_SECRET": settings.line_channel_secret,
        "LINE_CHANNEL_ACCESS_TOKEN": settings.line_channel_access_token,
        "LINE_LOGIN_CHANNEL_ID": settings.line_login_channel_id,
        "LIFF_ID": settings.liff_id,
        "LINE_API_BASE_URL": settings.line_api_base_url,
        "LINE_LOGIN_BASE_URL": settings.line_login_base_url,
        "SECRET_KEY": settings.secret_key,
        "LINECOMM_INSTANCE_PATH": str(settings.instance_path),
        "LINECOMM_ENV": settings.env,
    }
