"""Reading HTTP responses: Content-Encoding decoded in bounded steps, and the headers that say when to
come back (Retry-After, Cache-Control)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

DECODE_STEP = 65_536  # at most this many decompressed bytes per zlib call, so a bomb never balloons
MAX_WAIT = 86_400.0  # seconds: a server asking us to wait longer than a day is asking too much
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d{1,9})", re.IGNORECASE)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return min(float(text), MAX_WAIT)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(max(0.0, (moment - (now or datetime.now(UTC))).total_seconds()), MAX_WAIT)


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
