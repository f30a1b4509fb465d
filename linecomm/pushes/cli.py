"""`linecomm push ...`: theme posts and deliveries for operators, until the admin console has pages.

Each command is an entry point: it builds the runtime, asks LINE for the quota where the rules need it,
calls the service in one transaction, commits, and then wakes the scheduler or the delivery. Without
Redis (the embedded queue) a send that is due now runs inside this command before it returns.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import click

T = TypeVar("T")


def _settings() -> Any:
    from linecomm.config import Settings

    return Settings.from_env()


@contextmanager
def _runtime() -> Iterator[Any]:
    from linecomm.runtime import Runtime

    rt = Runtime.build(_settings())
    try:
        yield rt
    finally:
        rt.close()


def _run(rt: Any, work: Callable[[Any], T]) -> T:
    """Call a service in one transaction; its refusals become a clean error message."""
    from linecomm.db import transaction
    from linecomm.pushes.errors import PushError

    try:
        with transaction(rt.sessions) as session:
            return work(session)
    except PushError as exc:
        raise click.ClickException(str(exc)) from None


def _finish_here(rt: Any, delivery_id: int | None = None, timeout: float = 3600) -> None:
    """With the embedded queue nobody else will run the jobs: run them here, until they are done."""
    from linecomm.queue import EmbeddedJobQueue

    if isinstance(rt.queue, EmbeddedJobQueue):
        rt.queue.wait_idle(timeout=timeout)


def _jst(value: datetime | None) -> str:
    from linecomm.timezones import format_jst

    return format_jst(value) if value else "-"


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


def _segment(cohorts: tuple[str, ...], tags: tuple[str, ...], exclude_tags: tuple[str, ...],
             joined_from: str | None, joined_to: str | None, active_within: int | None,
             inactive_for: int | None) -> Any:
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


def _draft(title: str, text: str, image: str | None, reactions: str | None, poll: str | None,
           answers_from: str | None, answers_until: str | None, segment: Any, answer_mode: str = "multiple") -> Any:
    from linecomm.pushes.content import POLL, REACTIONS, parse_choices
    from linecomm.pushes.schedule import ScheduleError, parse_jst
    from linecomm.pushes.service import PostDraft

    if reactions and poll:
        raise click.ClickException("リアクションと投票は同時に設定できません。")
    kind = REACTIONS if reactions else POLL if poll else None
    try:
        return PostDraft(
            title=title, text=text.replace("\\n", "\n"), image_url=image, choice_kind=kind,
            choices=tuple(parse_choices(reactions or poll or "")),
            answers_open_at=parse_jst(answers_from) if answers_from else None,
            answers_close_at=parse_jst(answers_until) if answers_until else None, segment=segment,
            answer_mode=answer_mode,
        )
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None


post_options = [
    click.option("--title", required=True),
    click.option("--text", required=True, help="本文（\\n で改行）"),
    click.option("--image", help="画像のURL（https://）"),
    click.option("--reactions", help='リアクション: "like:👍 いいね,love:❤️ すき"'),
    click.option("--poll", help='投票の選択肢: "a:A案,b:B案"'),
    click.option("--answers-from", help="回答受付の開始（日本時間） YYYY-MM-DD HH:MM"),
    click.option("--answers-until", help="回答受付の終了（日本時間） YYYY-MM-DD HH:MM"),
    click.option("--answer-mode", type=click.Choice(["multiple", "single"]), default="multiple", show_default=True,
                 help="multiple: 何度でも回答できる / single: 1人1回まで"),
]


def with_post(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(post_options):
        func = option(func)
    return with_segment(func)


@push.command("create")
@with_post
def create(title: str, text: str, image: str | None, reactions: str | None, poll: str | None,
           answers_from: str | None, answers_until: str | None, answer_mode: str, **segment: Any) -> None:
    """Save a draft post and print its id."""
    from linecomm.pushes import copy, service

    draft = _draft(title, text, image, reactions, poll, answers_from, answers_until, _segment(**segment),
                   answer_mode)
    with _runtime() as rt:
        post_id = _run(rt, lambda s: service.create_post(s, draft, created_by="cli").id)
    click.echo(post_id)
    if draft.answers_open_at is None:
        click.echo("⚠ " + copy.no_answer_window(), err=True)


@push.command("edit")
@click.argument("post_id", type=int)
@with_post
def edit(post_id: int, title: str, text: str, image: str | None, reactions: str | None, poll: str | None,
         answers_from: str | None, answers_until: str | None, answer_mode: str, **segment: Any) -> None:
    """Replace a draft or scheduled post's content and segment."""
    from linecomm.pushes import service

    draft = _draft(title, text, image, reactions, poll, answers_from, answers_until, _segment(**segment),
                   answer_mode)
    with _runtime() as rt:
        _run(rt, lambda s: service.update_post(s, post_id, draft))
    click.echo(f"updated post {post_id}")


@push.command("count")
@with_segment
def count(**segment: Any) -> None:
    """Count the members a segment reaches now."""
    from linecomm.pushes.segments import count_recipients

    seg = _segment(**segment)
    with _runtime() as rt:
        click.echo(_run(rt, lambda s: count_recipients(s, seg)))


@push.command("preview")
@click.argument("post_id", type=int)
def preview(post_id: int) -> None:
    """Show the bubbles, the audience, the cost against the quota, and warnings."""
    import json

    from linecomm.pushes import copy, service

    with _runtime() as rt:
        quota = rt.line.get_quota()
        p = _run(rt, lambda s: service.preview(s, post_id, quota))
    c = p.cost
    click.echo(f"#{p.post_id} {p.title}")
    click.echo(f"対象: {p.segment}")
    click.echo(f"一致 {copy.n(c.audience.matched)}人 / 上限超えで除外 {copy.n(c.audience.over_cap)}人 / "
               f"配信（課金）{copy.n(c.audience.billable)}通")
    remaining = "無制限" if c.quota_remaining is None else f"{copy.n(c.quota_remaining)}通"
    click.echo(f"今月の残り配信可能数: {remaining}  配信しない時間帯: {p.quiet_hours}  週の上限: {p.weekly_cap}回")
    click.echo(f"開始予定: {_jst(p.starts_at)}")
    for message in p.messages:
        click.echo("  " + json.dumps(message, ensure_ascii=False))
    for warning in p.warnings:
        click.echo("⚠ " + warning)


@push.command("test")
@click.argument("post_id", type=int)
def test(post_id: int) -> None:
    """Send the post to the staff test accounts now."""
    from linecomm.pushes import service

    with _runtime() as rt:
        delivery_id = _run(rt, lambda s: service.test_send(s, post_id).id)
        _finish_here(rt)
    click.echo(f"test delivery {delivery_id}")


@push.command("schedule")
@click.argument("post_id", type=int)
@click.option("--now", "when", flag_value="now", help="今すぐ（配信しない時間帯なら明けてから）")
@click.option("--at", "at", help="日時（日本時間） YYYY-MM-DD HH:MM")
@click.option("--weekly", help="毎週この曜日（mon..sun / 月..日）")
@click.option("--monthly", type=click.IntRange(1, 31), help="毎月この日（31 = 月末）")
@click.option("--time", "time_of_day", help="繰り返しの時刻（日本時間） HH:MM")
@click.option("--allow-partial", is_flag=True, help="月間上限を超える場合、上限の範囲で配信する")
@click.option("--batch-size", type=click.IntRange(1, 500), help="1リクエストあたりの人数（既定 500）")
def schedule(post_id: int, when: str | None, at: str | None, weekly: str | None, monthly: int | None,
             time_of_day: str | None, allow_partial: bool, batch_size: int | None) -> None:
    """Schedule a post: now, at a time, weekly or monthly. Refused if it would exceed the quota."""
    from linecomm.pushes import jobs, service
    from linecomm.pushes.schedule import ScheduleError, parse_jst, parse_weekday

    chosen = [x for x in (when, at, weekly, monthly) if x]
    if len(chosen) != 1:
        raise click.ClickException("--now / --at / --weekly / --monthly のどれか一つを指定してください。")
    try:
        if when:
            plan = service.SendPlan("now", allow_partial=allow_partial, batch_size=batch_size)
        elif at:
            plan = service.SendPlan("once", at=parse_jst(at), allow_partial=allow_partial, batch_size=batch_size)
        elif weekly:
            plan = service.SendPlan("weekly", weekday=parse_weekday(weekly), time_of_day=time_of_day,
                                    allow_partial=allow_partial, batch_size=batch_size)
        else:
            plan = service.SendPlan("monthly", day_of_month=monthly, time_of_day=time_of_day,
                                    allow_partial=allow_partial, batch_size=batch_size)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    with _runtime() as rt:
        quota = rt.line.get_quota()
        result = _run(rt, lambda s: service.schedule_post(s, post_id, plan, quota))
        jobs.wake_scheduler(rt, result.starts_at)
        for note in result.notes:
            click.echo("・" + note)
        click.echo(f"post {post_id} scheduled: starts {_jst(result.starts_at)} "
                   f"({result.cost.sendable} recipients)")
        if plan.kind == "now" and result.starts_at <= result.requested_at:
            _finish_here(rt)


@push.command("cancel")
@click.argument("post_id", type=int)
def cancel(post_id: int) -> None:
    """Cancel a post that has not started (a recurring one: every occurrence to come)."""
    from linecomm.pushes import service

    with _runtime() as rt:
        _run(rt, lambda s: service.cancel_post(s, post_id))
    click.echo(f"post {post_id} cancelled")


@push.command("list")
def list_posts() -> None:
    """List posts and their latest delivery."""
    from sqlalchemy import func, select

    from linecomm.pushes import copy
    from linecomm.pushes.models import Delivery, DeliveryKind, ThemePost

    with _runtime() as rt:
        def rows(s: Any) -> list[Any]:
            latest = (select(Delivery.post_id, func.max(Delivery.id).label("delivery_id"))
                      .where(Delivery.kind == DeliveryKind.POST).group_by(Delivery.post_id).subquery())
            stmt = (select(ThemePost, latest.c.delivery_id).outerjoin(latest, latest.c.post_id == ThemePost.id)
                    .order_by(ThemePost.id.desc()).limit(50))
            return list(s.execute(stmt).all())

        found = _run(rt, rows)
    for post, delivery_id in found:
        label = copy.STATUS_LABELS.get(post.status, post.status)
        click.echo(f"#{post.id:<5} {label:<6} next {_jst(post.next_send_at):<16} "
                   f"delivery {delivery_id or '-':<6} {post.title}")


@push.command("progress")
@click.argument("delivery_id", type=int)
def show_progress(delivery_id: int) -> None:
    """Live numbers of a delivery."""
    from linecomm.pushes import copy
    from linecomm.pushes.progress import progress

    with _runtime() as rt:
        p = _run(rt, lambda s: progress(s, delivery_id))
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

    with _runtime() as rt:
        r = _run(rt, lambda s: report(s, delivery_id))
    if r is None:
        raise click.ClickException(f"配信 {delivery_id} は見つかりません。")
    p = r.progress
    click.echo(f"配信 {p.delivery_id}（{copy.STATUS_LABELS.get(p.status, p.status)}）"
               f" 開始 {_jst(p.started_at)} 終了 {_jst(p.finished_at)}"
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

        with _runtime() as rt:
            _run(rt, lambda s: getattr(control, action)(s, delivery_id))
            if action == "resume":
                _finish_here(rt)
        click.echo(f"delivery {delivery_id}: {action}")

    command.__doc__ = {"pause": "Pause a delivery under way.", "resume": "Resume a paused delivery.",
                       "stop": "Cancel the rest of a delivery."}[action]
    return command


for _action in ("pause", "resume", "stop"):
    push.command(_action)(_control(_action))


from linecomm.pushes.cli_setup import policy, staff, step  # noqa: E402  (they use the helpers above)

for _group in (policy, staff, step):
    push.add_command(_group)
