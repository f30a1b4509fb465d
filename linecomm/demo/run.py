"""`linecomm demo`: the whole product on one machine, no LINE account needed."""
from __future__ import annotations

import os
from typing import Any

import click
from werkzeug.serving import make_server

from linecomm.config import Settings

DEMO_SECRET = "demo-channel-secret"
DEMO_TOKEN = "demo-access-token"
DEMO_LOGIN_CHANNEL = "1234567890"


def demo_settings(fake_url: str, environ: dict[str, str] | None = None) -> Settings:
    """Settings for the demo: SQLite in ./instance, the embedded queue, the fake LINE platform."""
    base = Settings.from_env(dict(environ if environ is not None else os.environ))
    return base.replace(
        env="demo",
        redis_url=None,
        line_channel_secret=DEMO_SECRET,
        line_channel_access_token=DEMO_TOKEN,
        line_login_channel_id=DEMO_LOGIN_CHANNEL,
        liff_id=base.liff_id or f"{DEMO_LOGIN_CHANNEL}-demo",
        line_api_base_url=fake_url,
        line_login_base_url=fake_url,
        secret_key=base.secret_key or "demo-secret-key-not-for-production",
    )


def run_demo(host: str, port: int, fake_port: int) -> None:
    from linecomm import migrate
    from linecomm.db import transaction
    from linecomm.demo.seed import DEMO_MEMBERS, DEMO_STAFF, DEMO_STAFF_PASSWORD, seed
    from linecomm.line.fake import FakeLinePlatform
    from linecomm.web import build_app
    from linecomm.web_runtime import EXTENSION_KEY

    fake = FakeLinePlatform(channel_access_token=DEMO_TOKEN, login_channel_id=DEMO_LOGIN_CHANNEL)
    fake_url = fake.start(host="127.0.0.1", port=fake_port)
    settings = demo_settings(fake_url).served_at(host, port)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    for user_id, display_name, _nickname in DEMO_MEMBERS:
        fake.add_user(user_id, display_name)
    app = build_app(settings)
    rt = app.extensions[EXTENSION_KEY]
    with transaction(rt.sessions) as session:
        code = seed(session, settings.privacy_notice_version)
    menus = deploy_rich_menus(rt)

    server = make_server(host, port, app, threaded=True)
    base = f"http://{host}:{port}"
    click.echo(
        "\nlinecomm demo is running (SQLite, embedded queue, fake LINE platform)\n"
        f"  chat console     {base}/demo/chat     (play a LINE user; invite code: {code})\n"
        f"  admin console    {base}/admin/login   ({', '.join(e for e, _n, _r in DEMO_STAFF)};"
        f" password {DEMO_STAFF_PASSWORD})\n"
        f"  webhook          {base}/webhooks/line\n"
        f"  health           {base}/readyz\n"
        f"  rich menus       {menus}\n"
        f"  fake LINE API    {fake_url}\n"
        f"  database         {settings.database_url}\n"
        "Press Ctrl+C to stop.\n"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        rt.close()
        fake.stop()


def deploy_rich_menus(rt: Any) -> str:
    """The join and community rich menus on the (fresh) fake platform, the seeded members linked, as
    `linecomm richmenu deploy` does; returns a line for the banner."""
    from linecomm.line.client import LineError
    from linecomm.richmenu.deploy import deploy
    from linecomm.richmenu.layout import LayoutError

    try:
        result = deploy(rt.line, rt.sessions, rt.settings)
    except (LayoutError, LineError) as exc:
        return f"not deployed ({exc})"
    return f"join {result.menus['join']}, community {result.menus['community']}"
