"""The fetcher against real local servers: caps, timeouts, redirects, the guard on every hop, politeness."""

from __future__ import annotations

import socket
import ssl
import threading
import time
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from httpserver import Gauge, LocalServer, Reply, Request, bomb, compress, redirect

from newswatch.fetcher import Fetcher, FetchResult
from newswatch.guard import AddressGuard
from newswatch.responses import retry_after_seconds
from newswatch.settings import Settings

CAP = 100_000


def settings(**overrides: object) -> Settings:
    """Small limits so that every limit is reached within a second or two."""
    values: dict[str, object] = {
        "allowed_networks": "127.0.0.1/32",
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
        "request_deadline": 1.5,
        "max_response_bytes": CAP,
        "max_redirects": 3,
        "max_concurrency": 8,
        "max_per_host": 2,
        "user_agent": "newswatch-test/1 (+https://example.invalid/bot)",
        "database_url": "sqlite://",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type,call-arg]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer("127.0.0.1") as running:
        yield running


@pytest.fixture
def canary() -> Iterator[LocalServer]:
    """A server on 127.0.0.2 that no test may ever reach."""
    with LocalServer("127.0.0.2") as running:
        yield running
    assert running.requests == [], "the canary on 127.0.0.2 received a request"


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(settings()) as running:
        yield running


def test_conditional_get_turns_into_not_modified(server: LocalServer, fetcher: Fetcher) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Mon, 04 Nov 2024 10:00:00 GMT"}

    def feed(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304)  # a bare 304: validators not repeated
        return Reply(body=b"<rss/>", headers={**validators, "Content-Type": "application/rss+xml"})

    server.route("/feed.xml", feed)
    first = fetcher.fetch(server.url("/feed.xml"))
    assert (first.ok, first.status, first.content, first.not_modified) == (True, 200, b"<rss/>", False)
    assert (first.etag, first.last_modified) == ('"v1"', "Mon, 04 Nov 2024 10:00:00 GMT")
    assert first.content_type == "application/rss+xml"

    second = fetcher.fetch(server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified)
    assert (second.ok, second.status, second.content, second.not_modified) == (True, 304, b"", True)
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    sent = server.requests[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 04 Nov 2024 10:00:00 GMT"
    assert "if-none-match" not in server.requests[0].headers
    assert sent["user-agent"] == "newswatch-test/1 (+https://example.invalid/bot)"


def test_a_silent_server_times_out(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/slow", Reply(body=b"late", delay=3.0))
    result = fetcher.fetch(server.url("/slow"))
    assert (result.error, result.status, result.content) == ("timeout", None, b"")
    assert result.retryable
    assert 0.45 < result.elapsed < 1.2  # the 0.5 s read timeout, not the 3 s the server wanted


def test_a_dripping_body_is_cut_off_at_the_deadline(server: LocalServer, fetcher: Fetcher) -> None:
    # 100 bytes, one every 50 ms: each read is quick, so only the 1.5 s total deadline can stop it.
    server.route("/drip", Reply(body=b"x" * 100, drip=0.05))
    result = fetcher.fetch(server.url("/drip"))
    assert result.error == "timeout"
    assert "deadline" in (result.detail or "")
    assert 1.4 < result.elapsed < 2.0


def test_a_drip_just_under_the_read_timeout_is_cut_at_the_deadline(server: LocalServer) -> None:
    # A byte every 0.9 s never trips the 1 s read timeout; the deadline (1.5 s) ends it, not the
    # byte due at 1.8 s: every socket read is shortened to what is left of the deadline.
    server.route("/drip", Reply(body=b"x" * 5, drip=0.9))
    with Fetcher(settings(read_timeout=1.0)) as fetcher:
        result = fetcher.fetch(server.url("/drip"))
    assert result.error == "timeout"
    assert 1.45 < result.elapsed < 1.7


def test_a_declared_length_over_the_cap_is_refused_up_front(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/big", Reply(body=b"x" * (CAP + 1)))
    result = fetcher.fetch(server.url("/big"))
    assert (result.error, result.status, result.content) == ("too_large", 200, b"")
    assert not result.retryable


def test_an_undeclared_length_is_counted_while_streaming(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/big", Reply(body=b"x" * (CAP * 3), content_length=-1))
    server.route("/fits", Reply(body=b"y" * CAP, content_length=-1))
    assert fetcher.fetch(server.url("/big")).error == "too_large"
    assert fetcher.fetch(server.url("/fits")).content == b"y" * CAP


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compression_bombs_stop_at_the_cap_in_bounded_memory(
    server: LocalServer, fetcher: Fetcher, encoding: str
) -> None:
    reply = bomb(20_000_000, encoding)  # 20 MB of zeros in ~20 kB: one network read holds it all
    assert len(reply.body) < CAP * 3
    server.route("/bomb", reply)
    tracemalloc.start()
    try:
        result = fetcher.fetch(server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "too_large"
    assert peak < 5_000_000


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded(server: LocalServer, fetcher: Fetcher, encoding: str) -> None:
    text = b"Around 3,000 troops, the spy agency said. " * 500
    server.route("/page", Reply(body=compress(text, encoding), encoding=encoding, precompressed=True))
    result = fetcher.fetch(server.url("/page"))
    assert result.content == text
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_redirects_are_followed_up_to_the_cap(server: LocalServer, fetcher: Fetcher) -> None:
    for n in range(4):
        server.route(f"/r{n}", redirect(f"/r{n + 1}"))  # relative locations
    server.route("/r4", redirect(server.url("/end"), status=301))
    server.route("/end", Reply(body=b"done"))

    within = fetcher.fetch(server.url("/r2"))  # r2 -> r3 -> r4 -> end: 3 redirects, the cap
    assert (within.ok, within.content) == (True, b"done")
    assert (within.url, within.final_url) == (server.url("/r2"), server.url("/end"))

    server_before = len(server.requests)
    beyond = fetcher.fetch(server.url("/r0"))  # 5 redirects
    assert beyond.error == "too_many_redirects"
    assert server.paths()[server_before:] == ["/r0", "/r1", "/r2", "/r3"]  # the 4th hop is never asked


def test_a_redirect_loop_ends(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a?again=1"))
    server.route("/c", redirect("/c"))
    loop = fetcher.fetch(server.url("/a"))
    assert loop.error == "too_many_redirects"
    assert fetcher.fetch(server.url("/c")).error == "too_many_redirects"
    assert "loop" in (fetcher.fetch(server.url("/c")).detail or "")
    assert len(server.requests) < 10


@pytest.mark.parametrize(("status", "retryable"), [(404, False), (410, False), (500, False), (503, True)])
def test_error_statuses(server: LocalServer, fetcher: Fetcher, status: int, retryable: bool) -> None:
    server.route("/x", Reply(status=status, body=b"oops"))
    result = fetcher.fetch(server.url("/x"))
    assert (result.error, result.status, result.content, result.retryable) == (
        "http_status",
        status,
        b"",
        retryable,
    )
    assert str(status) in (result.detail or "")


def test_retry_after_and_cache_control_are_read(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/busy", Reply(status=503, headers={"Retry-After": "120"}))
    server.route("/slow-down", Reply(status=429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}))
    server.route("/gone", Reply(status=500, headers={"Retry-After": "120"}))  # only 429/503 ask us to wait
    server.route("/fresh", Reply(body=b"<rss/>", headers={"Cache-Control": "public, max-age=600"}))
    server.route("/no-cache", Reply(body=b"<rss/>", headers={"Cache-Control": "no-cache, max-age=600"}))
    assert fetcher.fetch(server.url("/busy")).retry_after == 120
    assert fetcher.fetch(server.url("/slow-down")).retry_after == 86_400  # a day at most
    assert fetcher.fetch(server.url("/gone")).retry_after is None
    assert fetcher.fetch(server.url("/fresh")).max_age == 600
    assert fetcher.fetch(server.url("/no-cache")).max_age is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("0", 0.0), ("30", 30.0), ("Mon, 04 Nov 2024 10:01:00 GMT", 60.0), ("Mon, 04 Nov 2024 09:00:00 GMT", 0.0),
     ("soon", None), ("", None), (None, None), ("-5", None)],
)  # fmt: skip
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    now = datetime(2024, 11, 4, 10, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now=now) == seconds


def test_answers_without_a_body_leave_the_connection_open_for_the_next_request(fetcher: Fetcher) -> None:
    connections: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            connections.append(1)

        def do_GET(self) -> None:
            status = {"/same": 304, "/gone": 404, "/moved": 301}.get(self.path, 200)
            body = b"" if status == 304 else b"x" * 20
            self.send_response(status)
            if status == 301:
                self.send_header("Location", "/same")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as httpd:
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        results = [
            fetcher.fetch(f"{base}{path}", etag='"v"')
            for path in ("/same", "/gone", "/moved", "/same", "/ok")
        ]
        httpd.shutdown()
    assert [r.status for r in results] == [304, 404, 304, 304, 200]
    assert len(connections) == 1  # one connection carried all six requests


def test_connection_refused_is_a_transport_error(fetcher: Fetcher) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetcher.fetch(f"http://127.0.0.1:{port}/feed")
    assert (result.error, result.status, result.retryable) == ("transport", None, True)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed", "file:///etc/passwd", "not a url", "http:///feed"])
def test_bad_urls_are_results_not_exceptions(fetcher: Fetcher, url: str) -> None:
    result = fetcher.fetch(url)
    assert (result.error, result.ok, result.retryable) == ("bad_url", False, False)


def test_no_cookie_survives_between_requests(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/set", Reply(body=b"hi", headers={"Set-Cookie": "track=me; Path=/"}))
    server.route("/next", Reply(body=b"ok"))
    fetcher.fetch(server.url("/set"))
    fetcher.fetch(server.url("/next"))
    assert "cookie" not in server.requests[1].headers


def test_hostile_stored_validators_are_not_sent(server: LocalServer, fetcher: Fetcher) -> None:
    # An ETag stored from a stranger's server must not smuggle a header or crash the encoder.
    server.route("/feed.xml", Reply(body=b"<rss/>"))
    result = fetcher.fetch(server.url("/feed.xml"), etag='"a"\r\nX-Injected: 1', last_modified="lundi €")
    assert result.content == b"<rss/>"
    sent = server.requests[0].headers
    assert "x-injected" not in sent
    assert "if-none-match" not in sent
    assert "if-modified-since" not in sent


def test_per_host_limit_holds_under_parallel_fetches(server: LocalServer) -> None:
    server.route("/slow", Reply(body=b"ok", delay=0.25))
    with Fetcher(settings(max_per_host=2, max_concurrency=8)) as fetcher, ThreadPoolExecutor(6) as pool:
        results = list(pool.map(fetcher.fetch, [server.url(f"/slow?n={n}") for n in range(6)]))
    assert all(r.ok for r in results)
    assert fetcher._host_slots == {}  # per-host slots go away with their last user
    assert server.gauge.peak == 2  # reached, never exceeded


def test_overall_limit_holds_across_hosts() -> None:
    gauge = Gauge()
    with (
        LocalServer("127.0.0.1", gauge=gauge) as one,
        LocalServer("127.0.0.3", gauge=gauge) as three,
        Fetcher(settings(allowed_networks="127.0.0.1/32, 127.0.0.3/32", max_concurrency=2)) as fetcher,
        ThreadPoolExecutor(6) as pool,
    ):
        urls = []
        for srv in (one, three):
            srv.route("/slow", Reply(body=b"ok", delay=0.25))
            urls += [srv.url(f"/slow?n={n}") for n in range(3)]
        results = list(pool.map(fetcher.fetch, urls))
    assert all(r.ok for r in results)
    assert gauge.peak == 2  # two per host would allow four; the overall limit says two


def test_one_client_is_safe_to_share_between_threads(server: LocalServer, fetcher: Fetcher) -> None:
    server.route("/echo", lambda request: Reply(body=request.target.encode()))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetcher.fetch, [server.url(f"/echo?n={n}") for n in range(40)]))
    assert [r.content for r in results] == [f"/echo?n={n}".encode() for n in range(40)]


def test_result_flags() -> None:
    base = FetchResult("u", "u", 304, b"", None, None, None, True, None, None, 0.0)
    assert base.ok
    assert not base.retryable
    assert FetchResult("u", "u", 429, b"", None, None, None, False, "http_status", "x", 0.0).retryable
    assert not FetchResult("u", "u", None, b"", None, None, None, False, "too_large", "x", 0.0).retryable


def test_fetches_from_threads_do_not_share_deadlines(server: LocalServer, fetcher: Fetcher) -> None:
    # A slow fetch in one thread must not shorten or lengthen a quick one in another.
    server.route("/drip", Reply(body=b"x" * 100, drip=0.05))
    server.route("/quick", Reply(body=b"q"))
    done: list[FetchResult] = []
    slow = threading.Thread(target=lambda: done.append(fetcher.fetch(server.url("/drip"))))
    slow.start()
    time.sleep(0.2)
    quick = fetcher.fetch(server.url("/quick"))
    slow.join()
    assert quick.content == b"q"
    assert done[0].error == "timeout"


# --- the address guard on every hop: a canary on 127.0.0.2 must never hear a thing ---


def test_nothing_allowed_means_no_request_leaves(server: LocalServer) -> None:
    server.route("/feed.xml", Reply(body=b"<rss/>"))
    with Fetcher(settings(allowed_networks="")) as fetcher:
        for url in (server.url("/feed.xml"), server.url("/feed.xml", host="localhost")):
            result = fetcher.fetch(url)
            assert (result.error, result.retryable) == ("refused_address", False)
            assert "loopback" in (result.detail or "")
    assert server.requests == []


def test_the_canary_is_reachable_when_allowed(canary: LocalServer) -> None:
    """Control: the canary tests below are meaningful because the canary does answer when allowed."""
    canary.route("/x", Reply(body=b"tweet"))
    with Fetcher(settings(allowed_networks="127.0.0.0/8")) as fetcher:
        assert fetcher.fetch(canary.url("/x")).content == b"tweet"
    assert canary.paths() == ["/x"]
    canary._requests.clear()  # the fixture's own check is for the other tests


def tricks(server: LocalServer, canary: LocalServer) -> list[str]:
    """Spellings of the canary's address (or of a request that would land on it)."""
    port = canary.port
    return [
        canary.url("/x"),
        f"http://2130706434:{port}/x",  # decimal 127.0.0.2
        f"http://0x7f000002:{port}/x",  # hex
        f"http://0x7f.0.0.2:{port}/x",
        f"http://127.0.2:{port}/x",  # inet_aton short form
        f"http://0177.0.0.02:{port}/x",  # octal
        f"http://127.0.0.2.:{port}/x",  # trailing dot
        f"http://[::ffff:127.0.0.2]:{port}/x",  # IPv4-mapped IPv6
        f"http://[::ffff:7f00:2]:{port}/x",
        f"http://127.0.0.1:{server.port}@127.0.0.2:{port}/x",  # userinfo: the host is the canary
        f"http://127.0.0.1:{server.port}\\@127.0.0.2:{port}/x",  # backslash confusion
        f"http://user:SECRET@127.0.0.2:{port}/x",
        f"gopher://127.0.0.2:{port}/x",
    ]


def test_every_trick_is_refused_directly(server: LocalServer, canary: LocalServer, fetcher: Fetcher) -> None:
    for url in tricks(server, canary):
        result = fetcher.fetch(url)
        assert result.error in ("refused_address", "bad_url"), url
        assert "SECRET" not in (result.detail or "")
    assert server.requests == []  # refused before any socket, even where 127.0.0.1 appears


def test_every_trick_is_refused_as_a_redirect_target(
    server: LocalServer, canary: LocalServer, fetcher: Fetcher
) -> None:
    targets = tricks(server, canary)
    for n, target in enumerate(targets):
        server.route(f"/go{n}", redirect(target, status=301 + n % 2 * 6))  # 301 and 307
        result = fetcher.fetch(server.url(f"/go{n}"))
        assert result.error in ("refused_address", "bad_url"), target
        assert "SECRET" not in (result.detail or "")
    assert len(server.requests) == len(targets)


def test_a_redirect_query_with_a_token_stays_out_of_the_detail(
    server: LocalServer, canary: LocalServer, fetcher: Fetcher
) -> None:
    server.route("/go", redirect(canary.url("/x?token=SECRET")))
    result = fetcher.fetch(server.url("/go"))
    assert result.error == "refused_address"
    assert "127.0.0.2" in (result.detail or "")
    assert "SECRET" not in (result.detail or "")


def fake_dns(answers: list[list[str]]) -> tuple[AddressGuard, list[str]]:
    """A guard allowing 127.0.0.1 whose resolver gives `answers` in turn (the last one repeats)."""
    asked: list[str] = []

    def resolve(host: str) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), len(answers)) - 1]

    return AddressGuard.from_setting("127.0.0.1/32", resolver=resolve), asked


def test_names_are_resolved_once_and_the_checked_address_is_used(server: LocalServer) -> None:
    # DNS rebinding: the first answer is allowed, every later one points at the canary, which
    # listens on the same port. A guard that checks, then lets the client resolve again, would
    # send this request to the canary.
    with LocalServer("127.0.0.2", port=server.port) as canary:
        server.route("/feed.xml", Reply(body=b"<rss/>"))
        guard, asked = fake_dns([["127.0.0.1"], ["127.0.0.2"]])
        with Fetcher(settings(), guard=guard) as fetcher:
            result = fetcher.fetch(f"http://news.test:{server.port}/feed.xml")
        assert result.content == b"<rss/>"
        assert asked == ["news.test"]
        assert server.requests[0].headers["host"] == f"news.test:{server.port}"
        assert canary.requests == []


@pytest.mark.parametrize("answer", [["127.0.0.2"], ["127.0.0.1", "127.0.0.2"], ["10.0.0.1"], []])
def test_a_name_resolving_to_any_refused_address_is_refused_at_connect(
    server: LocalServer, answer: list[str]
) -> None:
    with LocalServer("127.0.0.2", port=server.port) as canary:
        guard, asked = fake_dns([answer])
        with Fetcher(settings(), guard=guard) as fetcher:
            result = fetcher.fetch(f"http://news.test:{server.port}/")
        assert result.error == "refused_address"
        assert "news.test" in (result.detail or "")
        assert asked == ["news.test"]
        assert server.requests == canary.requests == []


def test_a_redirect_to_a_name_is_checked_at_connect(server: LocalServer) -> None:
    with LocalServer("127.0.0.2", port=server.port) as canary:
        server.route("/go", redirect(f"http://internal.test:{server.port}/x"))
        guard, _ = fake_dns([["127.0.0.2"]])
        with Fetcher(settings(), guard=guard) as fetcher:
            result = fetcher.fetch(server.url("/go"))
        assert result.error == "refused_address"
        assert (result.detail or "").startswith("redirect to http://internal.test")
        assert canary.requests == []


def test_tls_goes_to_the_checked_address_but_verifies_the_host_name(tmp_path: Path) -> None:
    crypto = pytest.importorskip("cryptography.x509")
    context, seen = tls_server_context(crypto, tmp_path, "news.test")
    with LocalServer("127.0.0.1", tls=context) as server:
        server.route("/", Reply(body=b"secret page"))
        guard, asked = fake_dns([["127.0.0.1"]])
        with Fetcher(settings(), guard=guard) as fetcher:
            result = fetcher.fetch(server.url("/", host="news.test"))
    assert asked == ["news.test"]
    assert seen == ["news.test"]  # SNI carried the name although the socket went to 127.0.0.1
    # A self-signed certificate is not trusted: verification is on, and it is a transport error.
    assert result.error == "transport"
    assert "CERTIFICATE_VERIFY_FAILED" in (result.detail or "")
    assert server.requests == []


def tls_server_context(crypto: Any, tmp_path: Path, name: str) -> tuple[ssl.SSLContext, list[str]]:
    """A server TLS context with a fresh self-signed certificate for `name`, recording SNI names."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    subject = crypto.Name([crypto.NameAttribute(crypto.oid.NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        crypto.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(crypto.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(crypto.SubjectAlternativeName([crypto.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    seen: list[str] = []
    context.sni_callback = lambda _sock, server_name, _ctx: seen.append(server_name or "")
    return context, seen


def test_an_address_allowed_on_one_port_is_refused_on_the_others(server: LocalServer) -> None:
    """Allowing one internal feed host:port lets no feed's links reach the host's other ports."""
    with LocalServer("127.0.0.1") as other:
        server.route("/feed.xml", Reply(body=b"<rss/>"))
        other.route("/admin", Reply(body=b"secret"))
        with Fetcher(settings(allowed_networks=f"127.0.0.1:{server.port}")) as fetcher:
            allowed = fetcher.fetch(server.url("/feed.xml"))
            refused = fetcher.fetch(other.url("/admin"))
            server.route("/hop", redirect(other.url("/admin")))
            redirected = fetcher.fetch(server.url("/hop"))
    assert allowed.content == b"<rss/>"
    assert (refused.error, redirected.error) == ("refused_address", "refused_address")
    assert f"on port {other.port}" in (refused.detail or "")
    assert other.requests == []
