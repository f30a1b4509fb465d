"""What every `linecomm push ...` command does around its work: build the runtime, call a service in one
transaction (its refusals become a clean error message), run the embedded queue's jobs before returning,
and show times in Japan time."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import click

T = TypeVar("T")


@contextmanager
def runtime() -> Iterator[Any]:
    from linecomm.config import Settings
    from linecomm.runtime import Runtime

    rt = Runtime.build(Settings.from_env())
    try:
        yield rt
    finally:
        rt.close()


def run(rt: Any, work: Callable[[Any], T]) -> T:
    """Call a service in one transaction; its refusals become a clean error message."""
    from linecomm.db import transaction
    from linecomm.pushes.errors import PushError

    try:
        with transaction(rt.sessions) as session:
            return work(session)
    except PushError as exc:
        raise click.ClickException(str(exc)) from None


def finish_here(rt: Any, timeout: float = 3600) -> None:
    """With the embedded queue nobody else will run the jobs: run them here, until they are done."""
    from linecomm.queue import EmbeddedJobQueue

    if isinstance(rt.queue, EmbeddedJobQueue):
        rt.queue.wait_idle(timeout=timeout)


def jst(value: datetime | None) -> str:
    from linecomm.timezones import format_jst

    return format_jst(value) if value else "-"
