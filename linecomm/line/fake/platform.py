"""`FakeLinePlatform`: the parts of LINE linecomm talks to, served on loopback for tests and demos.

    fake = FakeLinePlatform(channel_access_token="test-token", login_channel_id="1234567890")
    base_url = fake.start()            # "http://127.0.0.1:PORT"; point the LINE SDK's host at it
    fake.add_user("U" + "0" * 32, "山田 花子")
    token = fake.issue_reply_token("U" + "0" * 32)
    ...
    fake.stop()

The Python methods and the `/_fake/` HTTP endpoints drive the same state, so a test in another
process sees what this one does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from linecomm.line.fake import login
from linecomm.line.fake.control import control_routes
from linecomm.line.fake.records import Fault, RecordedRequest
from linecomm.line.fake.server import FakeLineApp
from linecomm.line.fake.serving import FakeLineServer, make_fake_server
from linecomm.line.fake.state import REPLY_TOKEN_TTL, ChannelState

DEFAULT_LOGIN_CHANNEL_SECRET = "fake-line-login-channel-secret"


class FakeLinePlatform:
    """One fake LINE channel (Messaging API + LINE Login), thread-safe, with a test-facing API.

    `clock` (seconds since the epoch) drives token expiry, retry-key memory, the multicast rate window
    and the billing month; pass a controllable clock to test expiry without sleeping.
    """

    def __init__(self, channel_access_token: str = "test-token", login_channel_id: str = "1234567890",
                 multicast_rate_limit: int | None = None, monthly_quota: int | None = None, *,
                 login_channel_secret: str = DEFAULT_LOGIN_CHANNEL_SECRET,
                 reply_token_ttl: float = REPLY_TOKEN_TTL,
                 clock: Callable[[], float] = time.time,
                 open_audience: bool = False, lean: bool = False) -> None:
        self._state = ChannelState(
            channel_access_token=channel_access_token, login_channel_id=login_channel_id,
            login_channel_secret=login_channel_secret, multicast_rate_limit=multicast_rate_limit,
            monthly_quota=monthly_quota, reply_token_ttl=reply_token_ttl, clock=clock)
        self._state.open_audience, self._state.lean = open_audience, lean
        self._app = FakeLineApp(self._state, control_routes(self))
        self._server: FakeLineServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    # --- serving ----------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a daemon thread (HTTP/1.1 keep-alive, a thread per connection); return the base URL,
        e.g. `http://127.0.0.1:PORT`."""
        if self._server is not None:
            raise RuntimeError("the fake LINE platform is already running")
        self._server = make_fake_server(self._app, host, port)
        self._url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-line",
                                        kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self._url

    def serve_forever(self, host: str = "127.0.0.1", port: int = 8765,
                      on_ready: Callable[[str], None] | None = None) -> None:
        """Serve in the calling thread until interrupted; `on_ready` gets the base URL once bound."""
        if self._server is not None:
            raise RuntimeError("the fake LINE platform is already running")
        server = self._server = make_fake_server(self._app, host, port)
        self._url = f"http://{host}:{server.server_port}"
        if on_ready is not None:
            on_ready(self._url)
        try:
            server.serve_forever()
        finally:
            self._server = None
            server.server_close()

    def stop(self) -> None:
        """Stop serving, release the port and end open connections (kept-alive clients reconnect and are
        refused); safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def url(self) -> str:
        """The base URL the fake serves on (after start())."""
        if self._url is None:
            raise RuntimeError("the fake LINE platform is not running; call start() first")
        return self._url

    @property
    def wsgi_app(self) -> FakeLineApp:
        """The WSGI application, for mounting the fake without a socket."""
        return self._app

    # --- what LINE saw and delivered ----------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every LINE API request received (not `/_fake/` ones), oldest first."""
        with self._state.lock:
            return list(self._state.requests)

    def conversation(self, user_id: str) -> list[dict[str, Any]]:
        """The chat with this user (or group/room), oldest first: `{"direction": "in"|"out", "via":
        "reply"|"push"|"multicast"|"broadcast"|"narrowcast"|"user", "messages": [...] or "event": {...},
        "at": ISO 8601}`."""
        return self._state.conversation(user_id)

    def stats(self) -> dict[str, Any]:
        """Counters that stay cheap at a million recipients: requests by method, path and status,
        deliveries (`recipients.deliveries` above `recipients.distinct` means someone got one twice),
        and the TCP connections clients opened since start() (kept alive, about one per client thread;
        one per request when a client closes each)."""
        server = self._server
        with self._state.lock:
            answered: dict[str, dict[str, int]] = {}
            for (method, path, status), n in sorted(self._state.answered.items()):
                answered.setdefault(f"{method} {path}", {})[str(status)] = n
            delivered = dict(self._state.delivered)
            return {"requests": answered, "delivered": delivered,
                    "recipients": {"deliveries": sum(delivered.values()),
                                   "distinct": len(self._state.recipients_seen)},
                    "connections": server.connections_opened if server is not None else 0}

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        """Every message object delivered to this user (reply, push, multicast, ...), in order."""
        return self._state.messages_to(user_id)

    def rich_menu_shown_to(self, user_id: str) -> dict[str, Any] | None:
        """The rich menu this user sees under the chat (their linked menu, else the default one), with
        `"source": "user" | "default"`; None when they see none."""
        with self._state.lock:
            menu, source = self._state.rich_menus.shown_to(user_id)
        return None if menu is None else {**menu, "source": source}

    def rich_menus(self) -> list[dict[str, Any]]:
        """Every rich menu the channel has, oldest first, each with `"hasImage"`."""
        with self._state.lock:
            store = self._state.rich_menus
            return [{**menu, "hasImage": menu_id in store.images} for menu_id, menu in store.menus.items()]

    def rich_menu_image(self, rich_menu_id: str) -> tuple[bytes, str] | None:
        """A rich menu's image and its content type, if uploaded."""
        with self._state.lock:
            return self._state.rich_menus.images.get(rich_menu_id)

    @property
    def default_rich_menu_id(self) -> str | None:
        with self._state.lock:
            return self._state.rich_menus.default_id

    # --- setting the scene ----------------------------------------------------------------------------

    def add_user(self, user_id: str, display_name: str, picture_url: str | None = None,
                 language: str = "ja", status_message: str | None = None) -> None:
        """Make this user a friend of the channel, with the profile LINE would return for them."""
        self._state.add_user({"userId": user_id, "displayName": display_name, "pictureUrl": picture_url,
                              "language": language, "statusMessage": status_message})

    def issue_reply_token(self, user_id: str) -> str:
        """Issue the reply token LINE would put in a webhook event from this user (or group/room).

        It works once, within `reply_token_ttl` seconds (LINE: one minute) of being issued."""
        return self._state.issue_reply_token(user_id)

    def record_inbound(self, user_id: str, event: dict[str, Any]) -> None:
        """Note in the conversation an event the simulated user caused (a message, a postback)."""
        self._state.record_inbound(user_id, event)

    def add_content(self, message_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        """Store what `GET /v2/bot/message/{message_id}/content` returns."""
        with self._state.lock:
            self._state.contents[message_id] = (bytes(data), content_type)

    def issue_liff_access_token(self, user_id: str, expires_in: int = 2592000,
                                client_id: str | None = None) -> str:
        """Issue a LINE Login access token for a friend, as `liff.getAccessToken()` returns it."""
        return login.issue_access_token(self._state, user_id, expires_in, client_id)

    def issue_id_token(self, user_id: str, nonce: str | None = None, expires_in: int = 3600,
                       audience: str | None = None) -> str:
        """Issue an ID token (JWT, HS256 with the login channel secret) for a friend."""
        return login.issue_id_token(self._state, user_id, nonce, expires_in, audience)

    def issue_liff_id_token(self, user_id: str, nonce: str | None = None, expires_in: int = 3600,
                            audience: str | None = None) -> str:
        """The ID token `liff.getIDToken()` returns for this friend in a LIFF app of this channel
        (`audience`: a LIFF app of another channel)."""
        return login.issue_id_token(self._state, user_id, nonce, expires_in, audience)

    # --- faults and limits ------------------------------------------------------------------------------

    def let_time_pass(self, seconds: float) -> None:
        """Move the platform's clock `seconds` ahead at once: reply tokens issued before expire, as they
        would after that long at LINE."""
        with self._state.lock:
            before = self._state.clock
            self._state.clock = lambda: before() + seconds

    def inject_fault(self, path_prefix: str, status: int | None = 500, times: int = 1, delay: float = 0.0,
                     body: Any = None, method: str | None = None, late: bool = False) -> None:
        """Make the next `times` requests whose path starts with `path_prefix` (and method, if given)
        wait `delay` seconds and then get `status` (with `body`, or a LINE-style one). `status=None`
        only slows them down: they are then handled normally. A faulted request delivers nothing.
        `late=True`: the request is handled at once (a message is delivered, a token used) and only its
        answer is held back `delay` seconds, as when LINE's answer is lost on its way back."""
        if late and (status is not None or delay <= 0):
            raise ValueError("a late answer needs a delay and no status")
        if times < 1:
            raise ValueError("times must be at least 1")
        if status is None and delay <= 0:
            raise ValueError("a fault needs a status, a delay, or both")
        self._state.add_fault(Fault(path_prefix, status, times, delay, body, method, late))

    def set_multicast_rate_limit(self, per_second: int | None) -> None:
        """Allow at most `per_second` multicast requests in any one-second window (None: no limit)."""
        with self._state.lock:
            self._state.multicast_rate_limit = per_second
            self._state.multicast_window.clear()

    def set_monthly_quota(self, messages: int | None) -> None:
        """Set the monthly target limit in billed messages (None: unlimited)."""
        with self._state.lock:
            self._state.monthly_quota = messages

    def reset(self) -> None:
        """Forget requests, conversations, faults, retry keys, tokens and usage; keep users, content and
        configuration."""
        self._state.clear()


def serve(host: str, port: int, channel_access_token: str, login_channel_id: str,
          multicast_rate_limit: int | None = None, monthly_quota: int | None = None,
          open_audience: bool = False, lean: bool = False) -> None:
    """Run a fake LINE platform in the foreground until interrupted (for `linecomm fake-line`)."""
    fake = FakeLinePlatform(channel_access_token=channel_access_token, login_channel_id=login_channel_id,
                            multicast_rate_limit=multicast_rate_limit, monthly_quota=monthly_quota,
                            open_audience=open_audience, lean=lean)

    def announce(url: str) -> None:
        print(f"Fake LINE platform on {url} (control endpoints under {url}/_fake/)", flush=True)

    try:
        fake.serve_forever(host, port, on_ready=announce)
    except KeyboardInterrupt:
        pass
