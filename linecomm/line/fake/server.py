"""The WSGI application that answers as LINE does, and the threaded server that runs it.

Every LINE request goes through the same steps, in order: note its arrival and give it an
`x-line-request-id`; apply an injected fault (slow it down, or answer for it); refuse bodies over 2 MB;
check the channel access token on `/v2/...`; route it to its handler; record request and answer.
Control requests (`/_fake/...`) skip faults, checks and recording.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from linecomm.line.fake import login, messaging
from linecomm.line.fake.records import Call, RecordedRequest, Reply, error_reply
from linecomm.line.fake.state import ChannelState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MAX_BODY_BYTES = 2 * 1024 * 1024
MISSING_TOKEN = login.MISSING_TOKEN
INVALID_TOKEN = "Authentication failed. Confirm that the access token in the authorization header is valid."

Handler = Callable[[ChannelState, Call], Reply]
ControlHandler = Callable[[Request], Reply]

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
]


def _routes(routes: Iterable[tuple[str, str, Any]]) -> tuple[Map, dict[str, Any]]:
    handlers: dict[str, Any] = {}
    rules = []
    for i, (path, method, handler) in enumerate(routes):
        endpoint = f"r{i}"
        handlers[endpoint] = handler
        rules.append(Rule(path, methods=[method], endpoint=endpoint))
    return Map(rules, strict_slashes=False), handlers


class FakeLineApp:
    """A WSGI application serving one fake channel; `control` answers the `/_fake/` endpoints."""

    def __init__(self, state: ChannelState, control: list[tuple[str, str, ControlHandler]]) -> None:
        self.state = state
        self._line_map, self._line_handlers = _routes(_LINE_ROUTES)
        self._control_map, self._control_handlers = _routes(control)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        request_id = str(uuid.uuid4())
        if request.path.startswith("/_fake/"):
            reply = self._control(request)
        else:
            reply = self._line(request, request_id)
        return self._response(reply, request_id)(environ, start_response)

    def _control(self, request: Request) -> Reply:
        adapter = self._control_map.bind_to_environ(request.environ)
        try:
            endpoint, params = adapter.match()
        except NotFound:
            return Reply(404, {"error": "no such control endpoint"})
        except MethodNotAllowed:
            return Reply(405, {"error": "method not allowed"})
        try:
            return self._control_handlers[endpoint](request, **params)
        except (KeyError, TypeError, ValueError) as exc:
            return Reply(400, {"error": str(exc)})

    def _line(self, request: Request, request_id: str) -> Reply:
        state = self.state
        arrived = state.now()
        body = request.get_data(cache=True)
        headers = {key.lower(): value for key, value in request.headers.items()}
        query = request.args.to_dict()
        reply = self._apply_fault(request.method, request.path)
        if reply is None:
            reply = self._answer(request, request_id, body, headers, query)
        lean = state.lean  # counting only: skip parsing the body a second time
        state.record(RecordedRequest(
            method=request.method, path=request.path, query=query, headers=headers, body=b"" if lean else body,
            json=None if lean else _maybe_json(body), status=reply.status,
            response_json=reply.json if reply.data is None else None, at=arrived, request_id=request_id))
        return reply

    def _apply_fault(self, method: str, path: str) -> Reply | None:
        fault = self.state.take_fault(method, path)
        if fault is None:
            return None
        if fault.delay > 0:
            time.sleep(fault.delay)
        return fault.reply()

    def _answer(self, request: Request, request_id: str, body: bytes, headers: dict[str, str],
                query: dict[str, str]) -> Reply:
        if len(body) > MAX_BODY_BYTES:
            return error_reply(413, "Request Entity Too Large")
        path = request.path
        if path.startswith("/v2/") and path != "/v2/profile":
            refusal = self._check_channel_token(headers.get("authorization"))
            if refusal is not None:
                return refusal
        adapter = self._line_map.bind_to_environ(request.environ)
        try:
            endpoint, params = adapter.match()
        except NotFound:
            return error_reply(404, messaging.NOT_FOUND)
        except MethodNotAllowed:
            return error_reply(405, "Method not allowed")
        form: dict[str, str] = {}
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        call = Call(method=request.method, path=path, query=query, headers=headers, body=body, form=form,
                    request_id=request_id, params=params)
        return self._line_handlers[endpoint](self.state, call)

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

    @staticmethod
    def _response(reply: Reply, request_id: str) -> Response:
        response = Response(reply.body_bytes(), status=reply.status, content_type=reply.content_type)
        response.headers["x-line-request-id"] = request_id
        for key, value in reply.headers.items():
            response.headers[key] = value
        return response


def _maybe_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request access log (hundreds of lines a second in tests)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def make_fake_server(app: FakeLineApp, host: str, port: int) -> BaseWSGIServer:
    """Bind a threaded HTTP server for the app; port 0 picks a free port."""
    return make_server(host, port, app, threaded=True, request_handler=_QuietRequestHandler)
