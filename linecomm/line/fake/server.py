"""The application that answers as LINE does: one request in, status, headers and body out.

Every LINE request goes through the same steps, in order: note its arrival and give it an
`x-line-request-id`; apply an injected fault (slow it down, or answer for it); refuse bodies over 2 MB;
check the channel access token on `/v2/...`; route it to its handler; record request and answer.
Control requests (`/_fake/...`) skip faults, checks and recording.

`FakeLineApp.respond` takes the request as plain values, so the HTTP server (`serving.py`) calls it
without building a WSGI environ or werkzeug request and response objects per call; `FakeLineApp` is
also a WSGI application, for mounting the fake without a socket.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import parse_qsl

from linecomm.line.fake import login, messaging, richmenus
from linecomm.line.fake.records import Call, RecordedRequest, Reply, error_reply
from linecomm.line.fake.state import ChannelState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MAX_BODY_BYTES = 2 * 1024 * 1024
MISSING_TOKEN = login.MISSING_TOKEN
INVALID_TOKEN = "Authentication failed. Confirm that the access token in the authorization header is valid."

Handler = Callable[[ChannelState, Call], Reply]
ControlHandler = Callable[..., Reply]  # (call, **path parameters)
Answer = tuple[int, list[tuple[str, str]], bytes]  # status, headers (no Content-Length), body
H = TypeVar("H")

_LINE_ROUTES: list[tuple[str, str, Handler]] = [
    ("/v2/bot/message/reply", "POST", messaging.reply_message),
    ("/v2/bot/message/push", "POST", messaging.push_message),
    ("/v2/bot/message/multicast", "POST", messaging.multicast),
    ("/v2/bot/message/broadcast", "POST", messaging.broadcast),
    ("/v2/bot/message/narrowcast", "POST", messaging.narrowcast),
    ("/v2/bot/message/validate/<kind>", "POST", messaging.validate),
    ("/v2/bot/message/quota", "GET", messaging.get_quota),
    ("/v2/bot/message/quota/consumption", "GET", messaging.get_consumption),
    ("/v2/bot/message/<messageId>/content", "GET", messaging.get_content),
    ("/v2/bot/profile/<userId>", "GET", messaging.get_profile),
    ("/v2/bot/group/<groupId>/leave", "POST", messaging.leave_chat),
    ("/v2/bot/room/<roomId>/leave", "POST", messaging.leave_chat),
    ("/v2/profile", "GET", login.get_login_profile),
    ("/oauth2/v2.1/verify", "GET", login.verify_access_token),
    ("/oauth2/v2.1/verify", "POST", login.verify_id_token),
    *richmenus.ROUTES,
]
_PARAMETER = re.compile(r"<(\w+)>")
NOT_FOUND, METHOD_NOT_ALLOWED = 404, 405


class Routes(Generic[H]):
    """Path templates (`/v2/bot/profile/<userId>`: a `<name>` is one non-empty path segment) and
    methods mapped to handlers, matched as werkzeug's `Map(strict_slashes=False)` did for the fake: a
    trailing slash is ignored, GET routes answer HEAD too, and a path known for other methods is a 405.
    A dict lookup for fixed paths and a few regular expressions, not werkzeug's router: matching runs
    on every request and werkzeug's costs more than the handler behind it."""

    def __init__(self, routes: Iterable[tuple[str, str, H]]) -> None:
        by_template: dict[str, dict[str, H]] = {}
        for template, method, handler in routes:
            methods = by_template.setdefault(template, {})
            methods[method] = handler
            if method == "GET":
                methods.setdefault("HEAD", handler)
        self._fixed = {t: m for t, m in by_template.items() if "<" not in t}
        self._templated = [(_compile(t), m) for t, m in by_template.items() if "<" in t]

    def match(self, method: str, path: str) -> tuple[H, dict[str, str]] | int:
        """Return (handler, path parameters), or NOT_FOUND / METHOD_NOT_ALLOWED."""
        if len(path) > 1 and path[-1] == "/":
            path = path[:-1]
        methods = self._fixed.get(path)
        if methods is not None:
            handler = methods.get(method)
            return METHOD_NOT_ALLOWED if handler is None else (handler, {})
        found = NOT_FOUND
        for pattern, methods in self._templated:
            matched = pattern.fullmatch(path)
            if matched is not None:
                handler = methods.get(method)
                if handler is not None:
                    return handler, matched.groupdict()
                found = METHOD_NOT_ALLOWED
        return found


def _compile(template: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(template)  # literal, name, literal, name, ..., literal
    return re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)"
                              for i, part in enumerate(parts)))


class FakeLineApp:
    """Answers requests for one fake channel; `control` answers the `/_fake/` endpoints."""

    def __init__(self, state: ChannelState, control: list[tuple[str, str, ControlHandler]]) -> None:
        self.state = state
        self._line_routes: Routes[Handler] = Routes(_LINE_ROUTES)
        self._control_routes: Routes[ControlHandler] = Routes(control)

    def respond(self, method: str, path: str, query_string: str, headers: dict[str, str], body: bytes) -> Answer:
        """Answer one request. `path` is percent-decoded, `headers` has lower-case names (the dict is
        recorded as it is: do not change it afterwards). The caller adds Content-Length, and leaves the
        body out for HEAD."""
        request_id = str(uuid.uuid4())
        query = _query(query_string) if query_string else {}
        if path.startswith("/_fake/"):
            reply = self._control(method, path, query, headers, body, request_id)
        else:
            reply = self._line(method, path, query, headers, body, request_id)
        answer_headers = [("Content-Type", reply.content_type), ("x-line-request-id", request_id)]
        answer_headers.extend(reply.headers.items())
        return reply.status, answer_headers, reply.body_bytes()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """WSGI: the same answers as over the fake's own HTTP server."""
        method = environ["REQUEST_METHOD"]
        status, headers, body = self.respond(method, *_request_of(environ))
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {status_phrase(status)}", headers)
        return [] if method == "HEAD" else [body]

    def _control(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes,
                 request_id: str) -> Reply:
        found = self._control_routes.match(method, path)
        if found == NOT_FOUND:
            return Reply(404, {"error": "no such control endpoint"})
        if found == METHOD_NOT_ALLOWED:
            return Reply(405, {"error": "method not allowed"})
        assert not isinstance(found, int)
        handler, params = found
        call = Call(method=method, path=path, query=query, headers=headers, body=body, form={},
                    request_id=request_id, params=params)
        try:
            return handler(call, **params)
        except (KeyError, TypeError, ValueError) as exc:
            return Reply(400, {"error": str(exc)})

    def _line(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes,
              request_id: str) -> Reply:
        state = self.state
        arrived = state.now()
        late = self._late_answer(method, path)
        reply = None if late else self._apply_fault(method, path)
        if reply is None:
            reply = self._answer(method, path, query, headers, body, request_id)
        # The recorded request parses its body only when someone reads `.json`; lean mode keeps no body.
        state.record(RecordedRequest(
            method=method, path=path, query=query, headers=headers, body=b"" if state.lean else body,
            status=reply.status, response_json=reply.json if reply.data is None else None, at=arrived,
            request_id=request_id))
        if late:  # handled and recorded; only the answer is late
            time.sleep(late)
        return reply

    def _late_answer(self, method: str, path: str) -> float:
        """Seconds a `late` fault holds back the answer of a request already handled (0: none applies)."""
        if not self.state.faults or not any(f.late for f in self.state.faults):
            return 0.0
        fault = self.state.take_fault(method, path, late=True)
        return fault.delay if fault is not None else 0.0

    def _apply_fault(self, method: str, path: str) -> Reply | None:
        if not self.state.faults:  # unlocked peek: the common case takes no lock
            return None
        fault = self.state.take_fault(method, path)
        if fault is None:
            return None
        if fault.delay > 0:
            time.sleep(fault.delay)
        return fault.reply()

    def _answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes,
                request_id: str) -> Reply:
        if len(body) > MAX_BODY_BYTES:
            return error_reply(413, "Request Entity Too Large")
        if path.startswith("/v2/") and path != "/v2/profile":
            refusal = self._check_channel_token(headers.get("authorization"))
            if refusal is not None:
                return refusal
        found = self._line_routes.match(method, path)
        if found == NOT_FOUND:
            return error_reply(404, messaging.NOT_FOUND)
        if found == METHOD_NOT_ALLOWED:
            return error_reply(405, "Method not allowed")
        assert not isinstance(found, int)
        handler, params = found
        form: dict[str, str] = {}
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        call = Call(method=method, path=path, query=query, headers=headers, body=body, form=form,
                    request_id=request_id, params=params)
        return handler(self.state, call)

    def _check_channel_token(self, authorization: str | None) -> Reply | None:
        """LINE's 401s: one for a missing or malformed header, another for a wrong token."""
        if not authorization:
            return error_reply(401, MISSING_TOKEN)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error_reply(401, MISSING_TOKEN)
        if token.strip() != self.state.channel_access_token:
            return error_reply(401, INVALID_TOKEN)
        return None


_PHRASES = {status.value: status.phrase for status in HTTPStatus}


def status_phrase(status: int) -> str:
    """The reason phrase for a status line ("UNKNOWN" for codes HTTP does not name, as werkzeug says)."""
    return _PHRASES.get(status, "UNKNOWN")


def _query(query_string: str) -> dict[str, str]:
    """The query's parameters, the first value of each (as werkzeug's `request.args.to_dict()`)."""
    query: dict[str, str] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(key, value)
    return query


def _request_of(environ: WSGIEnvironment) -> tuple[str, str, dict[str, str], bytes]:
    """(path, query string, lower-case headers, body) of a WSGI request."""
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    headers: dict[str, Any] = {key[5:].replace("_", "-").lower(): value
                               for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    body = stream.read(length) if length else (stream.read() if environ.get("wsgi.input_terminated") else b"")
    return "/" + path.lstrip("/"), environ.get("QUERY_STRING", ""), headers, body
