"""The `linecomm` command."""
from __future__ import annotations

import logging
import sys
from datetime import date

import click

from linecomm.config import ConfigError, Settings


def _settings() -> Settings:
    return Settings.from_env()


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(verbose: bool) -> None:
    """linecomm: the backend of a closed customer community on a LINE Official Account."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


# ---- database -----------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Database migrations (Alembic)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from linecomm import migrate

    settings = _settings()
    if settings.is_sqlite:
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url, revision)
    click.echo(f"database at revision {migrate.current(settings.database_url)}")


@db.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    from linecomm import migrate

    click.echo(migrate.current(_settings().database_url) or "(empty database)")


# ---- invite codes -------------------------------------------------------------------------------------
@main.group()
def invite() -> None:
    """Invite codes for the closed community."""


@invite.command("create")
@click.option("--cohort", required=True, help="Cohort label, e.g. 0期生.")
@click.option("--max-uses", type=click.IntRange(min=1), required=True)
@click.option("--expires", "expires", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last valid day (JST).")
@click.option("--code", default=None, help="Use this code instead of a random one.")
def invite_create(cohort: str, max_uses: int, expires: object, code: str | None) -> None:
    """Create an invite code and print it."""
    from linecomm.db import make_engine, make_session_factory, transaction
    from linecomm.members import invites

    settings = _settings()
    engine = make_engine(settings.database_url)
    expires_on: date | None = expires.date() if expires else None  # type: ignore[attr-defined]
    try:
        with transaction(make_session_factory(engine)) as session:
            row = invites.create_code(session, cohort, max_uses, expires_on, code=code, created_by="cli")
            created = row.code
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(created)


@invite.command("list")
def invite_list() -> None:
    """List invite codes with their use counts."""
    from linecomm.db import make_engine, make_session_factory, transaction
    from linecomm.members import invites
    from linecomm.timezones import format_jst

    engine = make_engine(_settings().database_url)
    with transaction(make_session_factory(engine)) as session:
        rows = invites.list_codes(session)
    engine.dispose()
    click.echo(f"{'code':<10} {'cohort':<12} {'used':>9}  {'expires (JST)':<16} state")
    for r in rows:
        state = "disabled" if r.disabled else "active"
        expires = format_jst(r.expires_at, "%Y-%m-%d") if r.expires_at else "-"
        click.echo(f"{r.code:<10} {r.cohort:<12} {r.used_count:>4}/{r.max_uses:<4}  {expires:<16} {state}")


# ---- admin console ------------------------------------------------------------------------------------
@main.group()
def admin() -> None:
    """Staff accounts of the admin console (/admin)."""


@admin.command("create-user")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["owner", "marketer", "moderator"]), default="owner", show_default=True)
@click.option("--name", "display_name", default="", help="Name shown in the console (default: from the e-mail).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
def admin_create_user(email: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create a staff account (the first one is an owner, who then adds the others in the console)."""
    from linecomm.audit import service as audit
    from linecomm.db import make_engine, make_session_factory, transaction
    from linecomm.staff import service as staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(_settings().database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            user = staff.create_user(session, email, display_name, role, password)
            audit.record(session, audit.CLI, "staff.create", "staff", user.id,
                         after={"email": user.email, "role": user.role})
            created = f"{user.email} ({user.role})"
    except staff.StaffError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(f"created staff account {created}")


# ---- moderation ---------------------------------------------------------------------------------------
@main.group()
def moderation() -> None:
    """The NG-word list."""


@moderation.command("import-ng-words")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"), required=False)
@click.option("--defaults", is_flag=True, help="Add the shipped default list (entries present are kept).")
def moderation_import(csv_file: object, defaults: bool) -> None:
    """Import NG words from CSV_FILE (header: term,action,note[,readings]) or the shipped default list."""
    from linecomm.audit import service as audit
    from linecomm.db import make_engine, make_session_factory, transaction
    from linecomm.moderation import ngwords

    if bool(csv_file) == defaults:
        raise click.UsageError("give either CSV_FILE or --defaults")
    engine = make_engine(_settings().database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            if defaults:
                result = ngwords.load_defaults(session, created_by="cli")
            else:
                result = ngwords.import_csv(session, csv_file.read(), created_by="cli")  # type: ignore[attr-defined]
            audit.record(session, audit.CLI, "ngword.import", "ng_word", None, after={
                "source": "defaults" if defaults else "file", "added": result.added, "updated": result.updated})
    except ngwords.NgWordError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    for error in result.errors:
        click.echo(error, err=True)
    click.echo(f"added {result.added}, updated {result.updated}, unchanged {result.unchanged}, "
               f"errors {len(result.errors)}")


# ---- inbox --------------------------------------------------------------------------------------------
@main.group()
def inbox() -> None:
    """The webhook inbox."""


@inbox.command("replay")
@click.option("--include-failed", is_flag=True, help="Also retry events that gave up after errors.")
@click.option("--grace", type=float, default=0.0, show_default=True, help="Skip rows younger than this (s).")
def inbox_replay(include_failed: bool, grace: float) -> None:
    """Re-enqueue inbox events and outgoing messages left unhandled (after a crash or a Redis outage)."""
    from linecomm.queue import EmbeddedJobQueue
    from linecomm.runtime import Runtime
    from linecomm.sweeper import sweep

    rt = Runtime.build(_settings())
    try:
        result = sweep(rt, grace_seconds=grace, include_failed=include_failed)
        if isinstance(rt.queue, EmbeddedJobQueue):  # no worker elsewhere: handle them here and now
            rt.queue.wait_idle(timeout=600)
    finally:
        rt.close()
    click.echo(f"re-enqueued {result.events} event(s) and {result.messages} message(s)")


@inbox.command("status")
def inbox_status() -> None:
    """Count inbox rows by status."""
    from sqlalchemy import func, select

    from linecomm.db import make_engine
    from linecomm.webhooks.models import WebhookEvent

    engine = make_engine(_settings().database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)).all()
    engine.dispose()
    for status, count in rows:
        click.echo(f"{status:<8} {count}")


# ---- processes ----------------------------------------------------------------------------------------
@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker (with the scheduler and the sweeper) on REDIS_URL."""
    from linecomm.worker import run_worker

    try:
        run_worker(_settings(), burst=burst)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Run the web app with a development server (production: gunicorn "linecomm:create_app()")."""
    from linecomm import create_app

    try:
        app = create_app(_settings().served_at(host, port))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command("fake-line")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True)
@click.option("--multicast-rate-limit", type=int, default=None, help="Multicast requests per second.")
@click.option("--monthly-quota", type=int, default=None, help="Messages per month.")
@click.option("--open-audience", is_flag=True, help="Treat every well-formed user ID as a friend (load tests).")
@click.option("--lean", is_flag=True, help="Keep counters (GET /_fake/stats), not every request (load tests).")
def fake_line(host: str, port: int, multicast_rate_limit: int | None, monthly_quota: int | None,
              open_audience: bool, lean: bool) -> None:
    """Serve the fake LINE platform on loopback (tests and the demo only; never production)."""
    from linecomm.line.fake import serve as serve_fake

    settings = _settings()
    serve_fake(
        host,
        port,
        channel_access_token=settings.line_channel_access_token or "demo-access-token",
        login_channel_id=settings.line_login_channel_id or "1234567890",
        multicast_rate_limit=multicast_rate_limit,
        monthly_quota=monthly_quota,
        open_audience=open_audience,
        lean=lean,
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--fake-port", default=8081, show_default=True)
def demo(host: str, port: int, fake_port: int) -> None:
    """Run everything on this machine: SQLite, the embedded queue, the fake LINE platform, demo data."""
    from linecomm.demo.run import run_demo

    run_demo(host, port, fake_port)


@main.command()
@click.argument("action", type=click.Choice(["follow", "unfollow", "text", "postback"]))
@click.argument("value", required=False, default="")
@click.option("--user", "user_id", default="Ude000000000000000000000000000001", show_default=True)
@click.option("--url", default="http://127.0.0.1:8000/webhooks/line", show_default=True, help="Webhook URL.")
@click.option("--fake-line", "fake_url", default=None, help="Fake LINE platform URL (registers reply tokens).")
def simulate(action: str, value: str, user_id: str, url: str, fake_url: str | None) -> None:
    """Send one signed webhook event to a running app: follow, unfollow, text TEXT or postback DATA."""
    from linecomm.line.simulator import SimulatedUser

    settings = _settings()
    secret = settings.line_channel_secret or "demo-channel-secret"
    if fake_url is None and settings.uses_fake_line:
        fake_url = settings.line_api_base_url
    try:
        user = SimulatedUser(user_id, url, secret, fake_url=fake_url)
        delivery = {
            "follow": lambda: user.follow(),
            "unfollow": lambda: user.unfollow(),
            "text": lambda: user.say(value),
            "postback": lambda: user.tap(value),
        }[action]()
    except OSError as exc:
        raise click.ClickException(f"could not reach {url}: {exc}") from None
    click.echo(f"{delivery.status} {delivery.body.strip()}")
    if delivery.status != 200:
        sys.exit(1)


from linecomm.pushes.cli import push  # noqa: E402  (commands are registered after main exists)
from linecomm.themes.cli import commands as post_commands  # noqa: E402

for _command in post_commands:  # theme posts are delivered as pushes: `linecomm push create|schedule|...`
    push.add_command(_command)
main.add_command(push)

from linecomm.richmenu.cli import richmenu  # noqa: E402

main.add_command(richmenu)

from linecomm.kpis.cli import kpi  # noqa: E402

main.add_command(kpi)

if __name__ == "__main__":
    main()
