"""The fake LINE platform's HTTP/1.1 server: kept-alive connections, one thread per connection.

The SDK's urllib3 pool keeps its connections open, so a connection costs one accept and one thread for
its whole life rather than for every call (werkzeug's development server spoke HTTP/1.0 and closed each
connection: a TCP handshake and a new thread per call were most of the fake's CPU). Requests are parsed
here by hand, not with http.server's email parser, and each answer goes out in one send. A thread per
connection, not an event loop, because injected faults sleep: a slow answer must not hold up the rest.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from urllib.parse import unquote, urlsplit

from linecomm.line.fake.server import Answer, FakeLineApp, status_phrase

MAX_LINE = 65536  # bytes in the request line or one header line (as http.server)
MAX_HEADERS = 100
# An idle connection is closed after this long; urllib3 notices before reusing it and reconnects.
IDLE_TIMEOUT = 300.0
INTERNAL_ERROR = b'{"message":"Internal server error"}'

log = logging.getLogger(__name__)


class _BadRequest(Exception):
    """The bytes on the connection are not a request we can answer and stay in step with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class FakeLineServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Serves a `FakeLineApp` over HTTP/1.1 with keep-alive. `server_close()` also ends every open
    connection, so a stopped fake answers nothing more, and idle connections never keep it alive."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128  # many clients connect at once in bursts (the default backlog is 5)

    def __init__(self, app: FakeLineApp, host: str, port: int) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._closed = False
        self.connections_opened = 0  # kept-alive clients open few; one per request means no reuse
        super().__init__((host, port), _ConnectionHandler)

    @property
    def server_port(self) -> int:
        """The port bound (useful when asked for port 0)."""
        return int(self.server_address[1])

    def track(self, connection: socket.socket) -> bool:
        """Remember an open connection; False if the server is already closed (drop the connection)."""
        with self._connections_lock:
            if self._closed:
                return False
            self._connections.add(connection)
            self.connections_opened += 1
            return True

    def forget(self, connection: socket.socket) -> None:
        """Stop tracking a connection its handler is done with."""
        with self._connections_lock:
            self._connections.discard(connection)

    def server_close(self) -> None:
        """Close the listening socket and end every open connection (their threads see EOF and exit)."""
        super().server_close()
        with self._connections_lock:
            self._closed = True
            connections, self._connections = self._connections, set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)  # not close(): its thread still owns the descriptor
            except OSError:
                pass


class _ConnectionHandler(socketserver.StreamRequestHandler):
    """Answers requests on one connection until the client closes it, asks to, or goes idle."""

    server: FakeLineServer
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self._tracked = self.server.track(self.connection)

    def finish(self) -> None:
        self.server.forget(self.connection)
        super().finish()

    def handle(self) -> None:
        if not self._tracked:
            return
        try:
            while self._exchange():
                pass
        except _BadRequest as bad:
            self._send(bad.status, [("Content-Type", "application/json")],
                       b'{"message":"%s"}' % str(bad).encode("ascii"), keep_alive=False, head_only=False)
        except OSError:  # the client went away, or the server is stopping, or the connection sat idle
            pass

    def _exchange(self) -> bool:
        """Read one request, answer it; return whether the connection stays open for another."""
        line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            return False
        if line in (b"\r\n", b"\n"):  # a stray empty line between requests is allowed (RFC 9112 2.2)
            return True
        if len(line) > MAX_LINE:
            raise _BadRequest(414, "Request-URI Too Long")
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest(400, "Bad request line")
        method, target, version = parts
        headers = self._headers()
        connection = headers.get("connection", "").lower()
        keep_alive = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
        if headers.get("expect", "").lower() == "100-continue" and version != "HTTP/1.0":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self._body(headers)
        path, _, query_string = target.partition("?")
        if not path.startswith("/"):  # absolute form: http://host/path
            split = urlsplit(target)
            path, query_string = split.path or "/", split.query
        if "%" in path:
            path = unquote(path, errors="replace")
        try:
            status, answer_headers, answer = self.server.app.respond(method, path, query_string, headers, body)
        except Exception:
            log.exception("the fake LINE platform failed on %s %s", method, path)
            status, answer_headers, answer = _internal_error()
        if version == "HTTP/1.0" and keep_alive:
            answer_headers.append(("Connection", "keep-alive"))
        self._send(status, answer_headers, answer, keep_alive=keep_alive, head_only=method == "HEAD")
        return keep_alive

    def _headers(self) -> dict[str, str]:
        """The header lines, keyed by lower-case name; repeated headers joined with ", "."""
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(MAX_LINE + 1)
            if line in (b"\r\n", b"\n", b""):
                return headers
            if len(line) > MAX_LINE:
                raise _BadRequest(431, "Request Header Fields Too Large")
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon:
                raise _BadRequest(400, "Bad header line")
            name, value = name.strip().lower(), value.lstrip(" \t").rstrip("\r\n")  # as http.server keeps it
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        raise _BadRequest(431, "Too many headers")

    def _body(self, headers: dict[str, str]) -> bytes:
        """Read the whole body (by Content-Length, or chunked), so the next request starts in step."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._chunked_body()
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise _BadRequest(400, "Bad Content-Length") from None
        if length < 0:
            raise _BadRequest(400, "Bad Content-Length")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise ConnectionResetError("the client closed the connection in the middle of a body")
        return body

    def _chunked_body(self) -> bytes:
        chunks = []
        while True:
            size_line = self.rfile.readline(MAX_LINE + 1)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequest(400, "Bad chunk size") from None
            if size == 0:
                while self.rfile.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return b"".join(chunks)
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise ConnectionResetError("the client closed the connection in the middle of a chunk")
            chunks.append(chunk)
            self.rfile.readline(MAX_LINE + 1)  # the CRLF after the chunk

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, *, keep_alive: bool,
              head_only: bool) -> None:
        """Write the status line, headers (with Content-Length) and body in one send."""
        lines = [f"HTTP/1.1 {status} {status_phrase(status)}"]
        lines.extend(f"{name}: {value}" for name, value in headers)
        lines.append(f"Content-Length: {len(body)}")
        if not keep_alive:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if head_only else head + body)


def _internal_error() -> Answer:
    return 500, [("Content-Type", "application/json")], INTERNAL_ERROR


def make_fake_server(app: FakeLineApp, host: str, port: int) -> FakeLineServer:
    """Bind an HTTP/1.1 keep-alive server for the app; port 0 picks a free port."""
    return FakeLineServer(app, host, port)
