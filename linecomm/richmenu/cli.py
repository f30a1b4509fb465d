"""`linecomm richmenu ...`: deploy the join and community rich menus, link existing members, show status.

Each command is an entry point: it builds the runtime, checks everything it can before calling LINE (an
image LINE would refuse exits with status 2 and says why), and commits after each step.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from linecomm.richmenu import copy


@contextmanager
def _runtime() -> Iterator[Any]:
    from linecomm.config import ConfigError, Settings
    from linecomm.runtime import Runtime

    try:
        rt = Runtime.build(Settings.from_env())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield rt
    finally:
        rt.close()


def _images(values: tuple[str, ...]) -> dict[str, Any]:
    """--image KIND=PATH, each checked against LINE's rules (a refusal is a usage error: exit status 2)."""
    from linecomm.richmenu import images, layout

    chosen: dict[str, Any] = {}
    for value in values:
        kind, sep, path = value.partition("=")
        if not sep or kind not in layout.KINDS or not path:
            raise click.BadParameter(copy.IMAGE_OPTION_FORM, param_hint="--image")
        if kind in chosen:
            raise click.BadParameter(copy.IMAGE_TWICE.format(kind=kind), param_hint="--image")
        try:
            chosen[kind] = images.from_file(Path(path))
        except images.ImageRefused as exc:
            raise click.BadParameter(str(exc), param_hint="--image") from None
    return chosen


@click.group()
def richmenu() -> None:
    """Rich menus: the join menu (followers) and the community menu (members)."""


@richmenu.command("deploy")
@click.option("--image", "image_options", multiple=True, metavar="KIND=PATH",
              help="Your own image for a menu: join=PATH, community=PATH or ranked=PATH (PNG/JPEG, LINE's size rules).")
def deploy(image_options: tuple[str, ...]) -> None:
    """Create the menus on LINE (or keep unchanged ones), upload their images, make the join menu the
    default, link members to the community menu and delete the menus they replace."""
    from linecomm.line.client import LineError
    from linecomm.richmenu import deploy as deploying
    from linecomm.richmenu.layout import KINDS, LayoutError

    custom = _images(image_options)
    with _runtime() as rt:
        try:
            result = deploying.deploy(rt.line, rt.sessions, rt.settings, custom)
        except (LayoutError, LineError) as exc:
            raise click.ClickException(copy.DEPLOY_FAILED.format(reason=exc)) from None
    for kind in KINDS:
        line = copy.created if kind in result.created else copy.kept
        click.echo(line(kind, result.menus[kind]))
    click.echo(copy.default_set(result.menus["join"]))
    if "community" in result.created:
        click.echo(copy.linked(result.linked, result.unlinked))
    click.echo(copy.deleted(len(result.deleted)))


@richmenu.command("backfill")
def backfill() -> None:
    """Link every member to the community menu (bulk, 500 a request) and unlink former members."""
    from linecomm.line.client import LineError
    from linecomm.richmenu import deploy as deploying

    with _runtime() as rt:
        try:
            linked, unlinked = deploying.backfill(rt.line, rt.sessions)
        except LookupError:
            raise click.ClickException(copy.NOT_DEPLOYED) from None
        except LineError as exc:
            raise click.ClickException(copy.BACKFILL_FAILED.format(reason=exc)) from None
    click.echo(copy.linked(linked, unlinked))


@richmenu.command("status")
def status() -> None:
    """Show the current menus and LINE's default menu."""
    from linecomm.db import transaction
    from linecomm.line.client import LineError
    from linecomm.richmenu import service
    from linecomm.richmenu.layout import KINDS

    with _runtime() as rt:
        with transaction(rt.sessions) as session:
            rows = {kind: service.current(session, kind) for kind in KINDS}
            shown = {kind: (r.line_rich_menu_id, r.width, r.height) if r else None for kind, r in rows.items()}
        try:
            default = rt.line.get_default_rich_menu_id()
        except LineError as exc:
            raise click.ClickException(copy.STATUS_FAILED.format(reason=exc)) from None
    for kind, row in shown.items():
        click.echo(f"{copy.KIND_LABELS[kind]}: " + (f"{row[0]} ({row[1]}x{row[2]})" if row else "-"))
    click.echo(copy.default_set(default or "-"))
