"""`linecomm push ...`: deliveries for operators, until the admin console has pages: who a segment
reaches, a delivery's progress and report, pause, resume and stop; with the rules and fixtures around them
(linecomm.pushes.cli_setup). The features whose messages go out add their own commands to the group
where the CLI is put together (theme posts: linecomm.themes.cli).

Each command is an entry point: it builds the runtime, calls the service in one transaction, commits,
and then wakes the delivery (linecomm.pushes.cli_runtime).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from linecomm.pushes.cli_runtime import finish_here, jst, run, runtime
from linecomm.pushes.cli_setup import policy, staff, step

segment_options = [
    click.option("--cohort", "cohorts", multiple=True, help="期（くり返し指定でいずれか）"),
    click.option("--tag", "tags", multiple=True, help="タグ（くり返し指定でいずれか）"),
    click.option("--exclude-tag", "exclude_tags", multiple=True, help="このタグの人を除く"),
    click.option("--joined-from", help="入会日（日本時間、この日から） YYYY-MM-DD"),
    click.option("--joined-to", help="入会日（日本時間、この日まで） YYYY-MM-DD"),
    click.option("--active-within", type=int, help="N日以内にアクティブ"),
    click.option("--inactive-for", type=int, help="N日以上アクティブでない"),
]


def with_segment(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(segment_options):
        func = option(func)
    return func


def segment_from_options(cohorts: tuple[str, ...], tags: tuple[str, ...], exclude_tags: tuple[str, ...],
                         joined_from: str | None, joined_to: str | None, active_within: int | None,
                         inactive_for: int | None) -> Any:
    """The segment the `with_segment` options describe (a clean error for one that cannot be used)."""
    from linecomm.pushes.schedule import ScheduleError, parse_jst_date
    from linecomm.pushes.segments import Segment, SegmentError

    try:
        return Segment(
            cohorts=cohorts, tags=tags, exclude_tags=exclude_tags,
            joined_from=parse_jst_date(joined_from) if joined_from else None,
            joined_to=parse_jst_date(joined_to) if joined_to else None,
            active_within_days=active_within, inactive_for_days=inactive_for,
        )
    except (ScheduleError, SegmentError) as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def push() -> None:
    """Theme posts and pushes: create, target, preview, test, schedule, watch."""


@push.command("count")
@with_segment
def count(**segment: Any) -> None:
    """Count the members a segment reaches now."""
    from linecomm.pushes.segments import count_recipients

    seg = segment_from_options(**segment)
    with runtime() as rt:
        click.echo(run(rt, lambda s: count_recipients(s, seg)))


@push.command("progress")
@click.argument("delivery_id", type=int)
def show_progress(delivery_id: int) -> None:
    """Live numbers of a delivery."""
    from linecomm.pushes import copy
    from linecomm.pushes.progress import progress

    with runtime() as rt:
        p = run(rt, lambda s: progress(s, delivery_id))
    if p is None:
        raise click.ClickException(f"配信 {delivery_id} は見つかりません。")
    eta = "-" if p.eta_seconds is None else f"{p.eta_seconds:.0f}s"
    click.echo(f"{copy.STATUS_LABELS.get(p.status, p.status)}  recipients {p.recipients}  sent {p.sent}  "
               f"skipped {p.skipped}  over-cap {p.over_cap}  failed {p.failed}  pending {p.pending}  "
               f"rate {p.rate_per_second:.0f}/s  eta {eta}")
    if p.resumes_at is not None:
        click.echo(copy.waiting_for_quiet_hours(p.resumes_at, p.as_of))


@push.command("report")
@click.argument("delivery_id", type=int)
def show_report(delivery_id: int) -> None:
    """The report of a delivery: numbers, duration, why batches failed."""
    from linecomm.pushes import copy
    from linecomm.pushes.progress import report

    with runtime() as rt:
        r = run(rt, lambda s: report(s, delivery_id))
    if r is None:
        raise click.ClickException(f"配信 {delivery_id} は見つかりません。")
    p = r.progress
    click.echo(f"配信 {p.delivery_id}（{copy.STATUS_LABELS.get(p.status, p.status)}）"
               f" 開始 {jst(p.started_at)} 終了 {jst(p.finished_at)}"
               + (f"（{r.duration_seconds:.1f}秒）" if r.duration_seconds is not None else ""))
    click.echo(f"対象 {copy.n(p.matched or 0)}人: 配信 {copy.n(p.sent)} / 週の上限で除外 {copy.n(p.over_cap)} / "
               f"月間上限で除外 {copy.n(p.over_quota)} / 退会・ブロック {copy.n(p.skipped)} / "
               f"失敗 {copy.n(p.failed)} / 取り消し {copy.n(p.cancelled)}")
    if r.uncertain:
        click.echo(f"取り消し前に送信を試みたため届いた可能性がある人数: {copy.n(r.uncertain)}")
    for reason, n in r.failures:
        click.echo(f"  失敗 {copy.n(n)}人: {reason}")
    if p.error:
        click.echo(p.error)


def _control(action: str) -> Callable[..., None]:
    @click.argument("delivery_id", type=int)
    def command(delivery_id: int) -> None:
        from linecomm.pushes import control

        with runtime() as rt:
            run(rt, lambda s: getattr(control, action)(s, delivery_id))
            if action == "resume":
                finish_here(rt)
        click.echo(f"delivery {delivery_id}: {action}")

    command.__doc__ = {"pause": "Pause a delivery under way.", "resume": "Resume a paused delivery.",
                       "stop": "Cancel the rest of a delivery."}[action]
    return command


for _action in ("pause", "resume", "stop"):
    push.command(_action)(_control(_action))

for _group in (policy, staff, step):
    push.add_command(_group)
