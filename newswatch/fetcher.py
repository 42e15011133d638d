"""Fetching: one guarded, bounded httpx client for every request of the process."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.cookiejar import CookieJar
from types import TracebackType
from typing import Any

import httpcore
import httpx

from extractors.untrusted import DETAIL_CHARS, clean_line
from newswatch.connection import REQUEST_DEADLINE, GuardedBackend
from newswatch.guard import AddressGuard, AddressRefusedError, UrlRefusal
from newswatch.responses import Decoder, max_age_seconds, retry_after_seconds
from newswatch.settings import Settings

REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class FetchResult:
    """What one GET produced: the body, or an error class and one human sentence."""

    url: str
    final_url: str
    status: int | None
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    error: str | None
    detail: str | None
    elapsed: float
    retry_after: float | None = None  # seconds the server asked us to wait (Retry-After, on 429/503)
    max_age: float | None = None  # seconds the answer stays fresh (Cache-Control: max-age)

    @property
    def retryable(self) -> bool:
        """True for failures worth retrying later: timeouts, transport errors, 429/502/503/504."""
        if self.error in ("timeout", "transport"):
            return True
        return self.error == "http_status" and self.status in RETRYABLE_STATUSES

    @property
    def ok(self) -> bool:
        """True when the fetch succeeded (a 304 to a conditional GET included)."""
        return self.error is None


class _FailureError(Exception):
    """Internal: ends a fetch with an error class; turned into a FetchResult at the boundary."""

    def __init__(
        self, error: str, detail: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(detail)
        self.error, self.detail, self.status, self.retry_after = error, detail, status, retry_after


def _shown(url: str | httpx.URL) -> str:
    """A URL fit for messages: no user info, query or fragment (where tokens hide)."""
    try:
        return str(httpx.URL(url).copy_with(userinfo=b"", query=None, fragment=None))
    except httpx.InvalidURL:
        return "an unparseable URL"


class _NoCookies(CookieJar):
    """A jar that keeps nothing and reads no Set-Cookie header: httpx hands every response to its jar, and
    a jar whose policy refused every cookie still read the headers, a tenth of a millisecond a request."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        """Keep nothing."""

    def add_cookie_header(self, request: Any) -> None:
        """Send nothing."""


def _drain(response: httpx.Response, limit: int = 65_536) -> None:
    """Read what little body a 304, redirect or error answer has, so that its connection can be used again
    (httpx drops a connection whose answer was left unread: a thousand 304s were a thousand connects).
    A larger body is left unread and the connection is dropped."""
    with contextlib.suppress(httpx.HTTPError, AddressRefusedError):
        declared = response.headers.get("content-length", "")
        if response.status_code == 304 or (declared.isdigit() and int(declared) <= limit):
            for _chunk in response.iter_raw():
                pass


def _validator(value: str | None) -> str | None:
    """An ETag or Last-Modified header as stored: one clean line of reasonable length, else None."""
    if value is None:
        return None
    return clean_line(value, DETAIL_CHARS) or None


def _transport(backend: GuardedBackend, settings: Settings) -> httpx.HTTPTransport:
    """An httpx transport whose connection pool connects through the guarded backend."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no parameter for the network backend, so its pool is replaced by one built with ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        # The fetcher's semaphores bound the requests; a pool limit would only add PoolTimeouts.
        max_connections=None,
        max_keepalive_connections=settings.max_concurrency,
        keepalive_expiry=5.0,
        network_backend=backend,
    )
    return transport


class Fetcher:
    """One httpx client for every request: guarded addresses, bounded time and size, polite concurrency."""

    def __init__(self, settings: Settings, *, guard: AddressGuard | None = None) -> None:
        self._settings = settings
        self._guard = guard if guard is not None else AddressGuard.from_setting(settings.allowed_networks)
        self._backend = GuardedBackend(self._guard)
        self._client = httpx.Client(
            transport=_transport(self._backend, settings),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=False,
            trust_env=False,
            # No cookies kept: feeds must not share state, and a cookie jar is a tracker.
            cookies=_NoCookies(),
        )
        self._slots = threading.BoundedSemaphore(settings.max_concurrency)
        self._host_slots: dict[str, tuple[threading.Semaphore, int]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection and the resolver threads."""
        self._client.close()
        self._backend.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET `url` (conditionally when validators are given); never raises for network trouble."""
        started = time.monotonic()
        headers = {"If-None-Match": etag, "If-Modified-Since": last_modified, "Accept": accept}
        # Stored validators come from strangers' servers: only plain ASCII goes back out.
        sent = {k: v for k, v in headers.items() if v and v.isascii() and v.isprintable()}
        current = url
        token = REQUEST_DEADLINE.set(None)
        try:
            with self._slots:
                seen = {url}
                for hop in range(self._settings.max_redirects + 1):
                    outcome = self._hop(current, sent, hop)
                    if isinstance(outcome, FetchResult):
                        return replace(outcome, url=url, elapsed=time.monotonic() - started)
                    if outcome in seen:
                        raise _FailureError("too_many_redirects", f"redirect loop: {_shown(outcome)} again")
                    seen.add(outcome)
                    current = outcome
                raise _FailureError("too_many_redirects", f"more than {hop} redirects")
        except _FailureError as failure:
            # A server's words (its reason phrase, a broken header) end up in logs, terminals and the UI.
            detail = clean_line(failure.detail, DETAIL_CHARS * 2)
            return FetchResult(
                url, current, failure.status, b"", None, None, None, False,
                failure.error, detail, time.monotonic() - started, failure.retry_after,
            )  # fmt: skip
        finally:
            REQUEST_DEADLINE.reset(token)

    def _hop(self, url: str, headers: dict[str, str], hop: int) -> FetchResult | str:
        """One request: a result, or the next URL to follow when the answer is a redirect."""
        checked = self._guard.parse(url, resolve=False)  # names are checked when connecting
        if isinstance(checked, UrlRefusal):
            prefix = f"redirect to {_shown(url)} refused: " if hop else ""
            raise _FailureError(checked.error, prefix + checked.reason)
        with self._host_slot(checked.host):
            if REQUEST_DEADLINE.get() is None:  # the clock starts once the first request may go out
                REQUEST_DEADLINE.set(time.monotonic() + self._settings.request_deadline)
            try:
                with self._client.stream("GET", checked, headers=headers) as response:
                    return self._answer(url, response, headers)
            except AddressRefusedError as exc:
                prefix = f"redirect to {_shown(url)} refused: " if hop else ""
                raise _FailureError("refused_address", prefix + exc.reason) from None
            except httpx.TimeoutException as exc:
                raise _FailureError("timeout", self._timeout_detail(exc)) from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise _FailureError("bad_url", f"URL rejected by the client ({exc})") from None
            except httpx.HTTPError as exc:
                if str(exc).startswith("Invalid URL in location header"):  # httpx parses Location itself
                    raise _FailureError("bad_url", "redirect to an unparseable location") from None
                raise _FailureError("transport", f"{type(exc).__name__}: {exc}"[:300]) from None

    def _answer(self, url: str, response: httpx.Response, headers: dict[str, str]) -> FetchResult | str:
        """Read one response: follow, not modified, error status, or a body within the caps."""
        status = response.status_code
        location = response.headers.get("location")
        if not 200 <= status < 300:
            _drain(response)
        if status in REDIRECTS and location:
            try:
                return str(response.url.join(location).copy_with(fragment=None))
            except httpx.InvalidURL:
                raise _FailureError("bad_url", f"HTTP {status} to an unparseable location", status) from None
        etag = _validator(response.headers.get("etag"))
        modified = _validator(response.headers.get("last-modified"))
        kind = response.headers.get("content-type")
        if status == 304 and ("If-None-Match" in headers or "If-Modified-Since" in headers):
            # A 304 need not repeat the validators; the ones sent are still the current ones.
            etag, modified = (
                etag or headers.get("If-None-Match"),
                modified or headers.get("If-Modified-Since"),
            )
            fresh = max_age_seconds(response.headers.get("cache-control"))
            return FetchResult(
                url, url, status, b"", kind, etag, modified, True, None, None, 0.0, None, fresh
            )
        if not 200 <= status < 300:
            raise _FailureError(
                "http_status",
                f"the server answered HTTP {status} {clean_line(response.reason_phrase, DETAIL_CHARS)}",
                status,
                retry_after_seconds(response.headers.get("retry-after")) if status in (429, 503) else None,
            )
        content = self._body(response)
        fresh = max_age_seconds(response.headers.get("cache-control"))
        return FetchResult(
            url, str(response.url), status, content, kind, etag, modified, False, None, None, 0.0, None, fresh
        )

    def _body(self, response: httpx.Response) -> bytes:
        """The decoded body, cut off with "too_large" past the cap or "timeout" past the deadline."""
        cap, status = self._settings.max_response_bytes, response.status_code
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _FailureError("too_large", f"the body is {declared} bytes, over the {cap}-byte cap", status)
        parts: list[bytes] = []
        raw = size = 0
        try:  # the decoder raises ValueError on an unknown coding or a corrupt body
            decoder = Decoder(response.headers.get("content-encoding", ""))
            for chunk in response.iter_raw():
                raw += len(chunk)
                for piece in decoder.decode(chunk):
                    size += len(piece)
                    if size > cap or raw > cap:
                        raise _FailureError("too_large", f"the body grows past the {cap}-byte cap", status)
                    parts.append(piece)
                deadline = REQUEST_DEADLINE.get()
                if deadline is not None and time.monotonic() > deadline:
                    raise _FailureError("timeout", self._deadline_detail(), status)
        except ValueError as exc:
            raise _FailureError("transport", str(exc), status) from None
        return b"".join(parts)

    @contextmanager
    def _host_slot(self, host: str) -> Iterator[None]:
        """Hold one of the host's max_per_host slots (waiting for one never outlasts the deadline)."""
        with self._lock:  # slots are counted by users and dropped when unused, so hosts don't pile up
            slot, users = self._host_slots.get(host, (threading.Semaphore(self._settings.max_per_host), 0))
            self._host_slots[host] = (slot, users + 1)
        try:
            deadline = REQUEST_DEADLINE.get()
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not slot.acquire(timeout=wait):
                raise _FailureError("timeout", f"no free connection slot for {host} before the deadline")
            try:
                yield
            finally:
                slot.release()
        finally:
            with self._lock:
                users = self._host_slots[host][1] - 1
                if users:
                    self._host_slots[host] = (slot, users)
                else:
                    del self._host_slots[host]

    def _timeout_detail(self, exc: httpx.TimeoutException) -> str:
        """Which limit a timeout hit, as one sentence."""
        deadline = REQUEST_DEADLINE.get()
        if deadline is not None and time.monotonic() >= deadline - 0.01:
            return self._deadline_detail()
        if isinstance(exc, httpx.ConnectTimeout):
            return f"no connection within {self._settings.connect_timeout:g} s"
        return f"the server sent nothing for {self._settings.read_timeout:g} s"

    def _deadline_detail(self) -> str:
        return f"the response took longer than the {self._settings.request_deadline:g} s deadline"
