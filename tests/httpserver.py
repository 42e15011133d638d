"""A small local HTTP server for tests: canned or computed replies by path, every request recorded.

    with LocalServer() as server:
        server.route("/feed.xml", Reply(body=b"<rss/>", headers={"ETag": '"v1"'}))
        server.route("/slow", Reply(body=b"x" * 10, delay=2.0))
        server.route("/hop", redirect("/feed.xml"))
        server.route("/echo", lambda request: Reply(body=request.path.encode()))
        fetch(server.url("/feed.xml"))
        assert server.paths() == ["/feed.xml"]

It binds 127.0.0.1 (or another loopback address such as 127.0.0.2) on a free port (or a given
one), serves from a daemon thread, and stops itself on leaving the `with` block, cutting off
slow replies.
"""

from __future__ import annotations

import ssl
import sys
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Request:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str  # without the query
    target: str  # as sent: path and query
    headers: Mapping[str, str]
    client: str
    received: float  # time.monotonic()


@dataclass(frozen=True)
class Reply:
    """What to answer: status, headers, body, and how (delay, dripping, compression)."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before the status line
    drip: float = 0.0  # seconds to wait between body chunks of `drip_size` bytes
    drip_size: int = 1
    # "gzip", "deflate" or "raw-deflate" (sent as "deflate"): compress `body`, say so in Content-Encoding
    encoding: str | None = None
    precompressed: bool = False  # `body` is already encoded as `encoding`; send it as it is
    # None: the true Content-Length; -1: none, the body ends when the connection closes; else a claim.
    content_length: int | None = None
    reason: str | None = None  # the status line's reason phrase (None: the standard one)


Handler = Callable[[Request], Reply]


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to `location` (absolute or relative)."""
    return Reply(status=status, headers={"Location": location})


WBITS = {"gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS, "raw-deflate": -zlib.MAX_WBITS}


def compress(body: bytes, encoding: str) -> bytes:
    """`body` as gzip, deflate (zlib-wrapped, as the RFC says) or raw-deflate (as some servers send)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, WBITS[encoding])
    return packer.compress(body) + packer.flush()


def bomb(decoded_size: int, encoding: str = "gzip") -> Reply:
    """A compressed body of `decoded_size` zero bytes, tiny on the wire (built without holding it)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, WBITS[encoding])
    zeros = bytes(1 << 20)
    parts, left = [], decoded_size
    while left > 0:
        parts.append(packer.compress(zeros[: min(left, len(zeros))]))
        left -= len(zeros)
    parts.append(packer.flush())
    return Reply(body=b"".join(parts), encoding=encoding.removeprefix("raw-"), precompressed=True)


class Gauge:
    """Counts requests waiting for their answer (shareable between servers) and remembers the peak.

    A request counts from its arrival until its answer starts, so a client that has the whole
    answer can never overlap its next request with the previous one in the count.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0

    def enter(self) -> None:
        """One more request in flight."""
        with self._lock:
            self.current += 1
            self.peak = max(self.peak, self.current)

    def leave(self) -> None:
        """One request done."""
        with self._lock:
            self.current -= 1


class LocalServer:
    """A threaded HTTP/1.1 server on a loopback address and a free port; unknown paths get 404."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        *,
        port: int = 0,
        gauge: Gauge | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.gauge = gauge or Gauge()
        self.scheme = "https" if tls else "http"
        self.stopping = threading.Event()
        self._routes: dict[str, Reply | Handler] = {}
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer((host, port), _handler_class(self))
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name=f"test-http-{host}", daemon=True
        )

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        """The absolute URL of `path` on this server (optionally naming it by another host name)."""
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def route(self, path: str, reply: Reply | Handler) -> None:
        """Answer requests for `path` (query ignored) with a fixed reply or a function of the request."""
        self._routes[path] = reply

    @property
    def requests(self) -> list[Request]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def paths(self) -> list[str]:
        """The paths of every request received so far."""
        return [r.path for r in self.requests]

    def start(self) -> LocalServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end slow replies and release the port."""
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _record(self, request: Request) -> Reply:
        with self._lock:
            self._requests.append(request)
        route = self._routes.get(request.path)
        if route is None:
            return Reply(status=404, body=b"not found")
        return route if isinstance(route, Reply) else route(request)


class _QuietServer(ThreadingHTTPServer):
    """Daemon threads, no waiting for slow replies on close, no tracebacks when a client hangs up."""

    daemon_threads = True
    block_on_close = False  # a dripping reply must not hold up stop()

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up and failed TLS handshakes are what tests provoke; anything else is a bug.
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def _encode(reply: Reply) -> bytes:
    if reply.encoding is None or reply.precompressed:
        return reply.body
    return compress(reply.body, reply.encoding)


def _handler_class(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to `server` (http.server wants a class, not an instance)."""

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out separately: no 40 ms delayed-ACK stalls

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            headers = {name.lower(): value for name, value in self.headers.items()}
            request = Request(
                self.command, path, self.path, headers, self.client_address[0], time.monotonic()
            )
            server.gauge.enter()
            waiting = True
            try:
                reply = server._record(request)
                if reply.delay and server.stopping.wait(reply.delay):
                    return
                server.gauge.leave()
                waiting = False
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up: fine, that is often the point
            finally:
                if waiting:
                    server.gauge.leave()

        def _send(self, reply: Reply) -> None:
            body = _encode(reply)
            self.send_response(reply.status, reply.reason)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.encoding is not None:
                self.send_header("Content-Encoding", reply.encoding.removeprefix("raw-"))
            if reply.content_length == -1:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                length = len(body) if reply.content_length is None else reply.content_length
                self.send_header("Content-Length", str(length))
            self.end_headers()
            step = reply.drip_size if reply.drip else len(body) or 1
            for start in range(0, len(body), step):
                if start and reply.drip and server.stopping.wait(reply.drip):
                    return
                self.wfile.write(body[start : start + step])
                self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    return _Handler
