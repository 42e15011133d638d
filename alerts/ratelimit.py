"""What a rate-limited service asks for: the Retry-After of the HTTP answers seen during one delivery.

Apprise reports a 429 as a failure without its headers. Its HTTP plugins all send through `requests`,
so one observer on requests' transport adapter reads the header, but only inside `watching()` (a
context variable: apprise runs each service in a worker thread with a copy of the caller's context)
and without changing the request or the response.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # requests is imported where it is hooked: a pass that sends nothing never loads it
    import requests
    from requests.adapters import HTTPAdapter

_LIMITED = frozenset({429, 503})  # the statuses for which a Retry-After means "not before"
_seen: ContextVar[list[float] | None] = ContextVar("newswatch_retry_after", default=None)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


@contextmanager
def watching() -> Iterator[list[float]]:
    """Collect the Retry-After delays (in seconds) of rate-limited answers received inside the block."""
    seen: list[float] = []
    token = _seen.set(seen)
    try:
        yield seen
    finally:
        _seen.reset(token)


def _observe(response: requests.Response) -> None:
    seen = _seen.get()
    if seen is None or response.status_code not in _LIMITED:
        return
    delay = parse_retry_after(response.headers.get("Retry-After"))
    if delay is not None:
        seen.append(delay)


def install() -> None:
    """Observe every response of requests' HTTP adapter (idempotent); nothing changes outside `watching()`."""
    from requests.adapters import HTTPAdapter

    original = HTTPAdapter.send
    if getattr(original, "_newswatch_observer", False):
        return

    @functools.wraps(original)
    def send(
        self: HTTPAdapter, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        response = original(self, request, *args, **kwargs)
        with suppress(Exception):  # an observer must never break a delivery
            _observe(response)
        return response

    send._newswatch_observer = True  # type: ignore[attr-defined]
    HTTPAdapter.send = send  # type: ignore[method-assign]
