"""Local endpoints standing in for alert services: an HTTP webhook and an SMTP server, on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

SENTINEL = "Zq9-SENTINEL-s3cret"  # a password or token that must never show up in our output or logs


@dataclass
class Webhook:
    """A local HTTP endpoint standing in for a webhook service: answers `status`, records each POST."""

    port: int = 0
    status: int = 200
    paths: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def running_webhook() -> Iterator[Webhook]:
    """A webhook on 127.0.0.1, on a port the OS picks, stopped when the block ends."""
    state = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state.paths.append(self.path)
            state.bodies.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0")))))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return "250 OK"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"alerts", SENTINEL.encode())
    return AuthResult(success=ok)


class LocalController(Controller):
    """aiosmtpd's Controller on a port the OS picks (by itself it would probe port 0 to see it is up)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@contextmanager
def running_smtp() -> Iterator[tuple[Mailbox, LocalController]]:
    """A plain (no TLS) SMTP server on 127.0.0.1 that wants the user "alerts" and the sentinel password."""
    box = Mailbox()
    server = LocalController(
        box, hostname="127.0.0.1", port=0, authenticator=_authenticate, auth_require_tls=False
    )
    server.start()
    try:
        yield box, server
    finally:
        if not server.loop.is_closed():  # (a test may have stopped it already)
            server.stop()


def mailto(port: int, host: str = "127.0.0.1", extra: str = "") -> str:
    """The mailto URL for a plain local SMTP server."""
    query = f"from=newswatch@example.org&to=analyst@example.org&mode=insecure{extra}"
    return f"mailto://alerts:{SENTINEL}@{host}:{port}?{query}"
