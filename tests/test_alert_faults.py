"""Alerts under faults, with real parts: an SMTP server down then up (through the real flow), a webhook
answering 500, 429 and 200, overlapping senders (threads and processes), a sender killed mid-send.
Each fault test prints what it expected, delivered, duplicated and lost; the secret in the URLs must
show up in no log, artifact, Prefect database row or newswatch database row."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession
from sqlmodel import select

import alerts.channels  # noqa: F401  (loads apprise's plugins once, without imghdr's warning)
from alerts.urls import channel_id
from extractors.findings import Figure
from newswatch.channels import Channel
from newswatch.delivery import send_due
from newswatch.settings import Settings
from storage.db import session_scope
from storage.ledger import Target, enqueue
from storage.models import AlertDelivery, utcnow

SENTINEL = "Flt-SENTINEL-9xq"
ARTICLE = re.compile(r"/a/(\d+)")


# --- real endpoints --------------------------------------------------------------------------------


@dataclass
class Hook:
    """A webhook on 127.0.0.1: answers from `script` (then 200), records the article of each message."""

    port: int = 0
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[int] = field(default_factory=list)  # article numbers, in arrival order
    answered: list[int] = field(default_factory=list)  # statuses sent back
    hold_at: int | None = None  # the n-th message (1-based) waits for `release` before its answer
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}/{SENTINEL}"


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            with state.lock:
                state.received += [int(n) for n in ARTICLE.findall(body["message"])]
                count = len(state.received)
                status, headers = state.script.pop(0) if state.script else (200, {})
                state.answered.append(status)
            if count == state.hold_at:
                state.held.set()
                state.release.wait(10)
            time.sleep(state.delay)
            self.send_response(status)
            for name, value in {**headers, "Content-Length": "0"}.items():
                self.send_header(name, value)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler keeping every message, and the logins it accepted."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.logins = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(
            email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        )  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"alerts", SENTINEL.encode())
        self.logins += ok
        return AuthResult(success=ok)


# --- the ledger, filled directly -------------------------------------------------------------------


def queue(engine: Engine, channel: str, count: int) -> None:
    """One new figure from each of `count` articles, queued for `channel` (one message per article)."""
    with session_scope(engine) as s:
        for n in range(count):
            f = Figure(1000 + n, 1000 + n, 1000 + n, False, "around", "soldiers", "troops", "NIS", "nis",
                       "claimed", f"NIS said around {1000 + n:,} soldiers.", 0, 1)  # fmt: skip
            data = {"type": "finding", "topic": "nk", "topic_title": "NK", "change": "new_figure",
                    "finding": f.to_dict(), "previous": [], "article_title": f"Article {n}", "outlet": "Wire",
                    "published": None, "url": f"https://news.example.org/a/{n}"}  # fmt: skip
            enqueue(
                s, subject=f"claim:{n}", targets=[Target(channel, "instant")], group_key=f"a{n}", payload=data
            )


def hook_channel(hook: Hook) -> Channel:
    url = hook.url()
    return Channel(id=channel_id(url) + ":instant", url=url, mode="instant", topics=("nk",))


def settings(**changes: Any) -> Settings:
    return Settings(_env_file=None, apprise_urls="", **changes)  # type: ignore[call-arg]


def tally(name: str, expected: set[int], received: list[int]) -> dict[str, int]:
    """Expected, delivered, duplicated and lost messages; printed for the report (pytest -s or -rA)."""
    counts = Counter(received)
    result = {
        "expected": len(expected),
        "delivered": len(set(counts) & expected),
        "duplicated": sum(n - 1 for n in counts.values()),
        "lost": len(expected - set(counts)),
    }
    print(f"\n[{name}] " + ", ".join(f"{k} {v}" for k, v in result.items()))
    return result


def statuses(engine: Engine) -> Counter[str]:
    with DbSession(engine) as s:
        return Counter(s.exec(select(AlertDelivery.status)).all())


def texts(engine: Engine) -> str:
    """Every row of every table of a database, as text."""
    out = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            out += [repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]  # noqa: S608
    return "\n".join(out)


# --- a webhook answering 500, then 429 with Retry-After, then 200 --------------------------------


def test_webhook_500_then_429_with_retry_after_then_200_delivers_once(
    engine: Engine, hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel = hook_channel(hook)
    queue(engine, channel.id, 1)
    hook.script = [(500, {}), (429, {"Retry-After": "900"})]
    t0 = utcnow()
    assert send_due(engine, [channel], settings(), now=t0).failed == 1
    with DbSession(engine) as s:
        row = s.exec(select(AlertDelivery)).one()
    assert row.status == "pending" and row.next_attempt_at == t0 + timedelta(seconds=60)  # the backoff
    assert row.last_error and "500" in row.last_error
    t1 = t0 + timedelta(seconds=61)
    assert send_due(engine, [channel], settings(), now=t1).failed == 1
    with DbSession(engine) as s:
        row = s.exec(select(AlertDelivery)).one()
    # The service's 15 minutes, not the 2 minutes of the backoff after two failures.
    assert row.next_attempt_at == t1 + timedelta(seconds=900)
    assert row.last_error and "429" in row.last_error and "asks to wait 900 s" in row.last_error
    assert send_due(engine, [channel], settings(), now=t1 + timedelta(seconds=899)).sent == 0
    assert send_due(engine, [channel], settings(), now=t1 + timedelta(seconds=901)).sent == 1
    assert send_due(engine, [channel], settings(), now=t1 + timedelta(days=1)).sent == 0
    assert hook.answered == [500, 429, 200]
    assert tally("webhook 500/429/200", {0}, [n for n, s in zip(hook.received, hook.answered, strict=True) if s == 200]) == {
        "expected": 1, "delivered": 1, "duplicated": 0, "lost": 0,
    }  # fmt: skip
    assert statuses(engine) == {"sent": 1}
    assert SENTINEL not in caplog.text and SENTINEL not in texts(engine)
    assert any(f"127.0.0.1:{hook.port}/***/***" in r.getMessage() for r in caplog.records)  # logged, masked


# --- overlapping senders ---------------------------------------------------------------------------


def test_overlapping_threads_send_every_row_exactly_once(engine: Engine, hook: Hook) -> None:
    channel = hook_channel(hook)
    queue(engine, channel.id, 40)
    hook.delay = 0.005
    barrier = threading.Barrier(4)
    sent: list[int] = []

    def sender() -> None:
        barrier.wait()
        sent.append(send_due(engine, [channel], settings(), batch=3).sent)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    counts = tally(f"4 threads, {engine.dialect.name}", set(range(40)), hook.received)
    assert counts == {"expected": 40, "delivered": 40, "duplicated": 0, "lost": 0}
    assert sum(sent) == 40 and statuses(engine) == {"sent": 40}
    assert sum(1 for n in sent if n) >= 2, sent  # the senders really overlapped


CHILD = """
import json, os, sys, time
from pathlib import Path
import alerts.channels
from newswatch.channels import Channel
from newswatch.delivery import send_due
from newswatch.settings import Settings
from storage.db import create_db_engine

url = os.environ["NW_HOOK"]
channel = Channel(id=os.environ["NW_CHANNEL"], url=url, mode="instant", topics=("nk",))
engine = create_db_engine(os.environ["NW_DB"])
go = Path(sys.argv[1])
Path(f"{go}.{os.getpid()}.ready").touch()
while not go.exists():
    time.sleep(0.005)
report = send_due(engine, [channel], Settings(_env_file=None), batch=3)
print(json.dumps({"sent": report.sent, "failed": report.failed}))
"""


def start_senders(n: int, tmp_path: Path, db_url: str, channel: Channel) -> list[subprocess.Popen[str]]:
    """`n` sender processes, all waiting (imports done) for the go file."""
    go = tmp_path / "go"
    env = {
        **os.environ,
        "NW_HOOK": channel.url or "",
        "NW_CHANNEL": channel.id,
        "NW_DB": db_url,
        "NEWSWATCH_ALERT_LEASE_SECONDS": "1",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(go)], env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True
        )
        for _ in range(n)
    ]
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("go.*.ready"))) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    go.touch()
    return procs


def test_overlapping_processes_send_every_row_exactly_once(
    engine: Engine, db_url: str, hook: Hook, tmp_path: Path
) -> None:
    channel = hook_channel(hook)
    queue(engine, channel.id, 24)
    hook.delay = 0.005
    procs = start_senders(3, tmp_path, db_url, channel)
    sent = [json.loads(p.communicate(timeout=60)[0])["sent"] for p in procs]
    counts = tally(f"3 processes, {engine.dialect.name}", set(range(24)), hook.received)
    assert counts == {"expected": 24, "delivered": 24, "duplicated": 0, "lost": 0}
    assert sum(sent) == 24 and statuses(engine) == {"sent": 24}
    assert sum(1 for n in sent if n) >= 2, sent


def test_a_sender_killed_mid_send_loses_nothing_and_repeats_at_most_the_message_in_flight(
    engine: Engine, db_url: str, hook: Hook, tmp_path: Path
) -> None:
    channel = hook_channel(hook)
    queue(engine, channel.id, 30)
    hook.hold_at = 10  # the 10th message reaches the service, then its sender dies before hearing back
    (proc,) = start_senders(1, tmp_path, db_url, channel)
    assert hook.held.wait(30)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    hook.release.set()
    assert statuses(engine)["sending"] >= 1  # the dead sender's claim, to be taken over after its lease
    time.sleep(1.1)  # the lease (1 s here)
    report = send_due(engine, [channel], settings(alert_lease_seconds=1))
    counts = tally(f"sender killed, {engine.dialect.name}", set(range(30)), hook.received)
    assert counts["lost"] == 0 and counts["delivered"] == 30
    assert counts["duplicated"] <= 1
    assert [n for n, c in Counter(hook.received).items() if c > 1] in ([], [hook.received[9]])
    assert report.sent == 30 - 9 and statuses(engine) == {"sent": 30}


# --- email through the real flow: the mail server down, then up, then nothing new -----------------


@pytest.mark.slow
def test_email_down_then_up_then_again_through_the_flow_each_message_once_and_no_secret_anywhere(
    prefect_harness: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from prefect.blocks.system import Secret
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogHandler
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    from flows.monitor import monitor
    from newswatch.newsroom import Newsroom
    from storage.db import get_engine

    caplog.set_level(logging.DEBUG)
    port = free_port()
    url = f"mailto://alerts:{SENTINEL}@127.0.0.1:{port}?from=newswatch@example.org&to=desk@example.org&mode=insecure"
    Secret(value=url).save("newswatch-fault-test", overwrite=True)
    db = f"sqlite:///{tmp_path / 'faults.db'}"
    for name, value in {
        "DATABASE_URL": db, "ALLOWED_NETWORKS": "127.0.0.1/32", "APPRISE_URLS": "",
        "APPRISE_SECRET_BLOCK": "newswatch-fault-test", "ALERT_BACKOFF_SECONDS": "0.01",
        # The newsroom's stories are its feeds' backlog: alerted on purpose, as the demo does.
        "FIRST_POLL_BASELINE": "false", "ALERT_MAX_AGE": "0",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"NEWSWATCH_{name}", value)

    with Newsroom() as room:
        # The mail server is not there yet: the only channel failed, so the run is Failed and says so.
        state = monitor(feeds=room.feed_urls, return_state=True)
        assert state.is_failed() and state.message.startswith("every alert channel failed (mailto://")
        down = state.result(raise_on_failure=False).summary
        engine = get_engine(db)
        with DbSession(engine) as s:
            queued = s.exec(select(AlertDelivery)).all()
        expected = {r.payload["url"] for r in queued}
        assert down.findings_new > 0 and 0 < len(queued) <= down.findings_new + down.findings_revised
        assert (down.alerts_sent, statuses(engine)) == (0, {"pending": len(queued)})
        assert down.alerts_failed == sum(r.attempts for r in queued) > 0  # one message tried, the rest waited

        box = Mailbox()
        server = Controller(  # on the port the URL named while nothing listened there
            box, hostname="127.0.0.1", port=port, authenticator=box.authenticate, auth_require_tls=False
        )
        server.start()
        try:
            time.sleep(0.05)  # the backoff (0.01 s here)
            up = monitor(feeds=room.feed_urls)
            again = monitor(feeds=room.feed_urls)
        finally:
            server.stop()
    urls = []
    for mail in box.messages:
        plain = mail.get_body(preferencelist=("plain",))
        assert plain is not None
        urls += re.findall(r"http://127\.0\.0\.1:\d+/\S+?\.html", plain.get_content())
    counts = tally("email down/up/again", expected, urls)
    assert counts == {"expected": len(expected), "delivered": len(expected), "duplicated": 0, "lost": 0}
    assert len(box.messages) == len(expected) and box.logins == len(expected)  # the secret was really used
    assert (up.findings_new, up.alerts_sent, again.alerts_sent) == (0, len(queued), 0)
    assert statuses(engine) == {"sent": len(queued)}

    APILogHandler().flush()
    EventsWorker.drain_all(timeout=5)
    prefect_db = create_engine(PREFECT_SERVER_DATABASE_CONNECTION_URL.value().replace("+aiosqlite", ""))
    try:
        everything = texts(prefect_db)
        with prefect_db.connect() as conn:  # (the scan is not empty: three runs' logs and artifacts)
            kept = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("log", "artifact")}  # noqa: S608
    finally:
        prefect_db.dispose()
    assert kept["log"] and kept["artifact"] and "newswatch-summary-" in everything, kept
    for where, content in {
        "Prefect database": everything,
        "newswatch database": texts(engine),
        "logs": caplog.text,
    }.items():
        assert SENTINEL not in content, where
