"""What no request may carry into a view, checked once for every route but LINE's webhook.

- Control characters (all but tab, LF and CR, which text areas send) in the query string, the form or the
  path: PostgreSQL refuses NUL in text, so such a value would fail deep inside a query as a 500. Here it is
  refused before any view runs, with a 400 and a Japanese message.
- An id greater than an INTEGER column holds, in a path (`<int:...>`): no row has it, and PostgreSQL would
  refuse it as a parameter. The route does not match, so the answer is a 404.

The webhook is left out: its body is JSON that the webhook checks itself, and its request path is the one
that is benchmarked, so it pays nothing for this (the check is attached to the other blueprints).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from linecomm.db import ID_MAX

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacters(BadRequest):
    description = "送信内容に使えない文字（制御文字）が含まれています。入力内容を確かめて、もう一度お試しください。"


class RowId(IntegerConverter):
    """`<int:...>` in every route: a whole number from 0 to ID_MAX, or the route does not match."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = ID_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def refuse_control_characters() -> None:
    """Raise ControlCharacters when a query or form field (name or value) or a path value has one."""
    for fields in (request.args, request.form):
        for name, value in fields.items(multi=True):
            if _CONTROL.search(name) or _CONTROL.search(value):
                raise ControlCharacters()
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and _CONTROL.search(value):
            raise ControlCharacters()


def use_row_ids(app: Flask) -> None:
    """Make `<int:...>` mean RowId. Call before any route is added: a rule binds its converter then."""
    app.url_map.converters["int"] = RowId


def check_requests(app: Flask, *, except_blueprints: Iterable[str]) -> None:
    """Check the requests of every blueprint registered so far but `except_blueprints`, before the
    blueprint's own hooks run (so before sign-in and CSRF checks)."""
    skipped = set(except_blueprints)
    for name in app.blueprints:
        if name not in skipped:
            app.before_request_funcs.setdefault(name, []).insert(0, refuse_control_characters)
