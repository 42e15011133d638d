"""Reading HTTP responses: Content-Encoding decoded in bounded steps, and the headers that say when to
come back (Retry-After, Cache-Control)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from datetime import datetime

from alerts.ratelimit import parse_retry_after

DECODE_STEP = 65_536  # at most this many decompressed bytes per zlib call, so a bomb never balloons
MAX_WAIT = 86_400.0  # seconds: a server asking us to wait longer than a day is asking too much
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d{1,9})", re.IGNORECASE)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date), at most MAX_WAIT; None when absent
    or unreadable."""
    seconds = parse_retry_after(value, now)  # the parser alert delivery reads 429s with
    return None if seconds is None else min(seconds, MAX_WAIT)


def max_age_seconds(cache_control: str | None) -> float | None:
    """Cache-Control max-age in seconds; None when absent or when the answer must not be reused."""
    text = (cache_control or "").lower()
    if "no-cache" in text or "no-store" in text:
        return None
    match = _MAX_AGE.search(text)
    return min(float(match.group(1)), MAX_WAIT) if match else None


class Decoder:
    """Content-Encoding decoding (gzip, deflate) in bounded steps, so the size cap bites before memory."""

    def __init__(self, encoding: str) -> None:
        codings = [
            c.strip().lower() for c in encoding.split(",") if c.strip().lower() not in ("", "identity")
        ]
        self._deflate = codings == ["deflate"]
        if not codings:
            self._zlib = None
        elif codings in (["gzip"], ["x-gzip"], ["deflate"]):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, detected
        else:
            raise ValueError(f"unsupported content encoding {encoding!r}")
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of `data`, each at most DECODE_STEP bytes."""
        if self._zlib is None:
            yield data
            return
        while data:
            try:
                piece = self._zlib.decompress(data, DECODE_STEP)
            except zlib.error as exc:
                if self._deflate and not self._started:
                    # Some servers send raw deflate without the zlib header the RFC asks for.
                    self._zlib, self._deflate = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise ValueError(f"the compressed body is corrupt ({exc})") from None
            self._started = True
            data = self._zlib.unconsumed_tail
            yield piece
