"""`linecomm push create | edit | preview | test | schedule | cancel | list`: theme posts for operators.

Each command is an entry point: it builds the runtime, asks LINE for the quota where the rules need it,
calls the themes service in one transaction, commits, and then wakes the scheduler or the delivery.
Without Redis (the embedded queue) a send that is due now runs inside this command before it returns. The
commands join the `push` group where the CLI is put together (linecomm.cli).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from linecomm.pushes.cli import segment_from_options, with_segment
from linecomm.pushes.cli_runtime import finish_here, jst, run, runtime


def _draft(title: str, text: str, image: str | None, reactions: str | None, poll: str | None,
           answers_from: str | None, answers_until: str | None, segment: Any, answer_mode: str = "multiple") -> Any:
    from linecomm.pushes.schedule import ScheduleError, parse_jst
    from linecomm.themes.content import POLL, REACTIONS, parse_choices
    from linecomm.themes.posts import PostDraft

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


@click.command("create")
@with_post
def create(title: str, text: str, image: str | None, reactions: str | None, poll: str | None,
           answers_from: str | None, answers_until: str | None, answer_mode: str, **segment: Any) -> None:
    """Save a draft post and print its id."""
    from linecomm.pushes import copy
    from linecomm.themes import posts

    draft = _draft(title, text, image, reactions, poll, answers_from, answers_until, segment_from_options(**segment),
                   answer_mode)
    with runtime() as rt:
        post_id = run(rt, lambda s: posts.create_post(s, draft, created_by="cli").id)
    click.echo(post_id)
    if draft.answers_open_at is None:
        click.echo("⚠ " + copy.no_answer_window(), err=True)


@click.command("edit")
@click.argument("post_id", type=int)
@with_post
def edit(post_id: int, title: str, text: str, image: str | None, reactions: str | None, poll: str | None,
         answers_from: str | None, answers_until: str | None, answer_mode: str, **segment: Any) -> None:
    """Replace a draft or scheduled post's content and segment."""
    from linecomm.themes import posts

    draft = _draft(title, text, image, reactions, poll, answers_from, answers_until, segment_from_options(**segment),
                   answer_mode)
    with runtime() as rt:
        run(rt, lambda s: posts.update_post(s, post_id, draft))
    click.echo(f"updated post {post_id}")


@click.command("preview")
@click.argument("post_id", type=int)
def preview(post_id: int) -> None:
    """Show the bubbles, the audience, the cost against the quota, and warnings."""
    import json

    from linecomm.pushes import copy
    from linecomm.themes import posts

    with runtime() as rt:
        quota = rt.line.get_quota()
        p = run(rt, lambda s: posts.preview(s, post_id, quota))
    c = p.cost
    click.echo(f"#{p.post_id} {p.title}")
    click.echo(f"対象: {p.segment}")
    click.echo(f"一致 {copy.n(c.audience.matched)}人 / 上限超えで除外 {copy.n(c.audience.over_cap)}人 / "
               f"配信（課金）{copy.n(c.audience.billable)}通")
    remaining = "無制限" if c.quota_remaining is None else f"{copy.n(c.quota_remaining)}通"
    click.echo(f"今月の残り配信可能数: {remaining}  配信しない時間帯: {p.quiet_hours}  週の上限: {p.weekly_cap}回")
    click.echo(f"開始予定: {jst(p.starts_at)}")
    for message in p.messages:
        click.echo("  " + json.dumps(message, ensure_ascii=False))
    for warning in p.warnings:
        click.echo("⚠ " + warning)


@click.command("test")
@click.argument("post_id", type=int)
def test(post_id: int) -> None:
    """Send the post to the staff test accounts now."""
    from linecomm.themes import posts

    with runtime() as rt:
        delivery_id = run(rt, lambda s: posts.test_send(s, post_id).id)
        finish_here(rt)
    click.echo(f"test delivery {delivery_id}")


@click.command("schedule")
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
    from linecomm.pushes import jobs
    from linecomm.pushes.schedule import ScheduleError, parse_jst, parse_weekday
    from linecomm.themes.scheduling import SendPlan, schedule_post

    chosen = [x for x in (when, at, weekly, monthly) if x]
    if len(chosen) != 1:
        raise click.ClickException("--now / --at / --weekly / --monthly のどれか一つを指定してください。")
    try:
        if when:
            plan = SendPlan("now", allow_partial=allow_partial, batch_size=batch_size)
        elif at:
            plan = SendPlan("once", at=parse_jst(at), allow_partial=allow_partial, batch_size=batch_size)
        elif weekly:
            plan = SendPlan("weekly", weekday=parse_weekday(weekly), time_of_day=time_of_day,
                            allow_partial=allow_partial, batch_size=batch_size)
        else:
            plan = SendPlan("monthly", day_of_month=monthly, time_of_day=time_of_day,
                            allow_partial=allow_partial, batch_size=batch_size)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    with runtime() as rt:
        quota = rt.line.get_quota()
        result = run(rt, lambda s: schedule_post(s, post_id, plan, quota))
        jobs.wake_scheduler(rt, result.starts_at)
        for note in result.notes:
            click.echo("・" + note)
        click.echo(f"post {post_id} scheduled: starts {jst(result.starts_at)} "
                   f"({result.cost.sendable} recipients)")
        if plan.kind == "now" and result.starts_at <= result.requested_at:
            finish_here(rt)


@click.command("cancel")
@click.argument("post_id", type=int)
def cancel(post_id: int) -> None:
    """Cancel a post that has not started (a recurring one: every occurrence to come)."""
    from linecomm.themes import posts

    with runtime() as rt:
        run(rt, lambda s: posts.cancel_post(s, post_id))
    click.echo(f"post {post_id} cancelled")


@click.command("list")
def list_posts() -> None:
    """List posts and their latest delivery."""
    from linecomm.pushes import copy
    from linecomm.themes import overview

    with runtime() as rt:
        found = run(rt, lambda s: [(line.post, line.latest.id if line.latest else None)
                                   for line in overview.posts(s, limit=50)])
    for post, delivery_id in found:
        label = copy.STATUS_LABELS.get(post.status, post.status)
        click.echo(f"#{post.id:<5} {label:<6} next {jst(post.next_send_at):<16} "
                   f"delivery {delivery_id or '-':<6} {post.title}")


commands = [create, edit, preview, test, schedule, cancel, list_posts]
