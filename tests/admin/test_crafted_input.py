"""Crafted input gets a clear 4xx with a message on every admin route, never a 500: NUL and other control
characters in the query string, the form or the path (PostgreSQL refuses NUL in text), ids beyond what an
INTEGER column holds, and a CR/LF in the page to return to after sign-in. Every route is walked from the
app's own URL map, so a new route is covered without editing this file."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule

from linecomm.db import ID_MAX
from linecomm.request_checks import refuse_control_characters
from linecomm.staff.models import LoginAttempt
from tests.admin.console import PASSWORD, Console, StaffClient

NUL = "a\x00b"
CONTROL_MESSAGE = "制御文字"
NOT_FOUND = "ページが見つかりません"
BEYOND_INTEGER = ("99999999999999999999", str(ID_MAX + 1))
# Every name an admin view reads from the query string or a form (a few more do no harm).
QUERY_NAMES = ("q", "cohort", "tag", "status", "after", "before", "next", "expired", "text", "state", "reason",
               "action", "staff", "target_type", "target_id", "since", "until", "segment", "title", "body",
               "recheck")
FORM_NAMES = ("email", "password", "next", "display_name", "role", "op", "name", "term", "note", "action",
              "defaults", "cohort", "max_uses", "expires_on", "code", "tag_id", "q", "tag", "status", "reason",
              "confirm", "format", "back", "title", "body", "text", "segment", "days", "time_of_day",
              "image_url", "weekly_cap", "quiet_start", "quiet_end", "line_user_id", "label", "report_hide_threshold",
              "image_posts", "hold_personal_data", "readings", "current_password", "new_password",
              "new_password_confirm", "kind", "starts_at")
# Walked with odd numbers too (no NUL, so the request runs): everything but signing oneself out.
SIGNS_OUT = {("POST", "admin.logout"), ("POST", "admin.account")}
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _admin_routes(console: Console) -> list[tuple[str, Rule]]:
    routes = [(method, rule) for rule in console.community.app.url_map.iter_rules()
              if rule.endpoint.startswith("admin.")
              for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    assert len(routes) > 40, "the URL map lost the admin routes"
    return routes


def _path(rule: Rule, ints: dict[str, str] | None = None, text: str = "x") -> str:
    """The rule's path with every int argument 1 (or as in `ints`) and every other argument `text`."""
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            return (ints or {}).get(name, "1")
        return text
    return _ARGUMENT.sub(value, rule.rule).replace("\x00", "%00")


def _int_arguments(rule: Rule) -> list[str]:
    return [name for converter, name in _ARGUMENT.findall(rule.rule) if converter == "int"]


def _text_arguments(rule: Rule) -> list[str]:
    return [name for converter, name in _ARGUMENT.findall(rule.rule) if converter != "int"]


def _send(client: StaffClient, method: str, path: str, query: dict[str, str] | None = None,
          form: dict[str, str] | None = None) -> Any:
    if method == "GET":
        return client.get(path, query_string=query or {})
    return client.post(path, form or {}, query_string=query or {})


def _assert_refused(response: Any, what: str) -> None:
    assert response.status_code == 400, (what, response.status_code)
    assert CONTROL_MESSAGE in response.get_data(as_text=True), what


def _walk_control_characters(console: Console, client: StaffClient) -> None:
    for method, rule in _admin_routes(console):
        what = f"{method} {rule.rule}"
        path = _path(rule)
        _assert_refused(_send(client, method, path, query={name: NUL for name in QUERY_NAMES}), what + " ?q=NUL")
        _assert_refused(_send(client, method, path, query={NUL: "1"}), what + " ?NUL=1")
        for control in ("\x01", "\x1b", "\x7f"):
            _assert_refused(_send(client, method, path, query={"q": f"a{control}b"}), f"{what} ?q={control!r}")
        if method == "POST":
            _assert_refused(_send(client, method, path, form={name: NUL for name in FORM_NAMES}), what + " form")
        if _text_arguments(rule):
            _assert_refused(_send(client, method, _path(rule, text=NUL)), what + " path")


@pytest.mark.parametrize("who", ["owner", "anonymous"])
def test_control_characters_anywhere_get_a_400_with_a_message_on_every_admin_route(console: Console, who: str) -> None:
    client = console.client("owner") if who == "owner" else console.anonymous()
    before = console.audit_count()
    _walk_control_characters(console, client)
    assert console.audit_count() == before  # nothing was performed
    if who == "owner":
        assert client.get("/admin/").status_code == 200  # a refused logout did not sign the owner out


def test_ids_beyond_an_integer_column_are_not_found_on_every_admin_route(console: Console) -> None:
    client = console.client("owner")
    walked = 0
    for method, rule in _admin_routes(console):
        for name in _int_arguments(rule):
            for huge in BEYOND_INTEGER:
                response = _send(client, method, _path(rule, {name: huge}))
                assert response.status_code == 404, (method, rule.rule, name, huge, response.status_code)
                page = response.get_data(as_text=True)
                assert NOT_FOUND in page, (method, rule.rule)
                assert response.headers["X-Frame-Options"] == "DENY"  # the console's page, with its headers
                walked += 1
            # The largest id there can be is looked up like any other, and is not there.
            response = _send(client, method, _path(rule, {name: str(ID_MAX)}))
            assert response.status_code < 500, (method, rule.rule, name, response.status_code)
    assert walked >= 2 * 20
    assert client.get("/admin/").status_code == 200


def test_odd_numbers_in_queries_and_forms_are_refused_quietly_on_every_admin_route(console: Console) -> None:
    client = console.client("owner")
    for method, rule in _admin_routes(console):
        if (method, rule.endpoint) in SIGNS_OUT:
            continue
        for odd in (*BEYOND_INTEGER, "²", "-1", "1e9", "０"):
            query = {name: odd for name in QUERY_NAMES if name != "next"}
            form = {name: odd for name in FORM_NAMES} if method == "POST" else None
            response = _send(client, method, _path(rule), query=query, form=form)
            assert response.status_code < 500, (method, rule.rule, odd, response.status_code)
    assert client.get("/admin/").status_code == 200


def test_the_issues_examples_one_by_one(console: Console) -> None:
    """The reported cases, each as a staff member would send it."""
    client = console.client("owner")
    for path in ("/admin/members?q=a%00b", "/admin/members?cohort=a%00b", "/admin/posts/count.json?cohort=a%00"):
        _assert_refused(client.get(path), path)
    for path, form in (("/admin/invites", {"cohort": NUL, "max_uses": "5"}), ("/admin/tags", {"name": NUL}),
                       ("/admin/ng-words", {"term": NUL, "action": "hold"}),
                       ("/admin/staff", {"email": "x\x00@example.com", "display_name": "n", "role": "marketer",
                                         "password": PASSWORD})):
        _assert_refused(client.post(path, form), path)
    assert console.audit_count() == 1  # the owner's sign-in: nothing was created
    response = client.get("/admin/members/99999999999999999999")
    assert response.status_code == 404 and NOT_FOUND in response.get_data(as_text=True)


def test_a_nul_in_the_sign_in_form_is_refused_before_anything_is_counted(console: Console) -> None:
    email = console.staff("owner")
    client = console.anonymous()
    _assert_refused(client.post("/admin/login", {"email": "a\x00b@example.com", "password": "x"}), "email")
    _assert_refused(client.post("/admin/login", {"email": email, "password": PASSWORD, "next": "/admin/\x00"}),
                    "next")
    _assert_refused(client.get("/admin/login?next=/admin/%00"), "GET next")
    with console.community.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 0
    assert client.get("/admin/").status_code == 303  # not signed in


@pytest.mark.parametrize("target", ["/admin/\r\nX-Injected: 1", "/admin/members\n", "/admin/\tx", "/admin/\u2028"])
def test_a_return_page_with_a_line_break_leads_home_after_sign_in(console: Console, target: str) -> None:
    email = console.staff("owner")
    client = console.anonymous()
    response = client.post("/admin/login", {"email": email, "password": PASSWORD, "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    assert "X-Injected" not in response.headers
    assert client.get("/admin/").status_code == 200


def test_the_webhook_is_not_checked_on_its_request_path(console: Console) -> None:
    """LINE's webhook validates its own JSON body; the check costs it nothing (it is benchmarked)."""
    app = console.community.app
    hooks = app.before_request_funcs
    assert refuse_control_characters not in hooks.get(None, [])
    assert refuse_control_characters not in hooks.get("webhooks", [])
    assert hooks["admin"][0] is refuse_control_characters  # before the sign-in and CSRF checks
