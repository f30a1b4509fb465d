"""`linecomm push policy | staff | step`: the rules and fixtures around pushes (quiet hours and the weekly
cap, the staff accounts that get test sends, step messages for new members)."""
from __future__ import annotations

from typing import Any

import click

from linecomm.pushes.cli_runtime import run, runtime


@click.command("policy")
@click.option("--quiet", help="配信しない時間帯（日本時間） 21:00-09:00、なしは 00:00-00:00")
@click.option("--cap", type=int, help="1人あたり直近7日間の最大配信回数")
def policy(quiet: str | None, cap: int | None) -> None:
    """Show or change quiet hours and the weekly cap."""
    from linecomm.pushes import policy as policies

    start = end = None
    if quiet:
        start, _, end = quiet.partition("-")
    with runtime() as rt:
        def apply(s: Any) -> str:
            row = policies.current(s) if not (quiet or cap) else policies.update(
                s, quiet_start=start, quiet_end=end, weekly_cap=cap, by="cli")
            return f"quiet hours {row.quiet_start}-{row.quiet_end} JST, at most {row.weekly_cap} pushes a week"

        click.echo(run(rt, apply))


@click.group()
def staff() -> None:
    """Staff LINE accounts that receive test sends."""


@staff.command("add")
@click.argument("line_user_id")
@click.option("--label", default="スタッフ")
def staff_add(line_user_id: str, label: str) -> None:
    """Register a staff member's own LINE user id for test sends."""
    from linecomm.pushes import policy as policies

    with runtime() as rt:
        run(rt, lambda s: policies.add_test_recipient(s, line_user_id, label))
    click.echo(f"added {line_user_id}")


@staff.command("remove")
@click.argument("line_user_id")
def staff_remove(line_user_id: str) -> None:
    """Stop sending tests to this LINE user id."""
    from linecomm.pushes import policy as policies

    with runtime() as rt:
        removed = run(rt, lambda s: policies.remove_test_recipient(s, line_user_id))
    click.echo(f"removed {line_user_id}" if removed else f"{line_user_id} was not registered")


@staff.command("list")
def staff_list() -> None:
    """List the staff LINE accounts that get test sends."""
    from linecomm.pushes import policy as policies

    with runtime() as rt:
        rows = run(rt, lambda s: [(r.line_user_id, r.label) for r in policies.test_recipients(s)])
    for line_user_id, label in rows:
        click.echo(f"{line_user_id}  {label}")


@click.group()
def step() -> None:
    """Step messages for new members (N days after joining)."""


@step.command("add")
@click.option("--name", required=True)
@click.option("--days", type=click.IntRange(0, 365), required=True, help="入会からの日数")
@click.option("--time", "time_of_day", required=True, help="時刻（日本時間） HH:MM")
@click.option("--text", required=True)
@click.option("--image")
@click.option("--allow-partial", is_flag=True)
def step_add(name: str, days: int, time_of_day: str, text: str, image: str | None, allow_partial: bool) -> None:
    """Add a step message sent DAYS days after joining, at TIME (Japan time); print its id."""
    from linecomm.pushes import steps

    with runtime() as rt:
        step_id = run(rt, lambda s: steps.create_step(
            s, name=name, days_after_join=days, time_of_day=time_of_day, text=text.replace("\\n", "\n"),
            image_url=image, allow_partial=allow_partial).id)
    click.echo(step_id)


@step.command("list")
def step_list() -> None:
    """List step messages, by day after joining."""
    from sqlalchemy import select

    from linecomm.pushes.models import StepMessage

    with runtime() as rt:
        rows = run(rt, lambda s: [(x.id, x.active, x.days_after_join, x.time_of_day, x.name)
                                   for x in s.scalars(select(StepMessage).order_by(StepMessage.days_after_join))])
    for step_id, active, days, at, name in rows:
        click.echo(f"#{step_id:<4} {'on ' if active else 'off'} day {days:<3} {at}  {name}")


@step.command("disable")
@click.argument("step_id", type=int)
def step_disable(step_id: int) -> None:
    """Switch a step message off (switching it on again enrolls only new members)."""
    from linecomm.pushes import steps

    with runtime() as rt:
        run(rt, lambda s: steps.set_active(s, step_id, False))
    click.echo(f"step {step_id} disabled")
