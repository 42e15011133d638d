"""An email's plain-text part written by us, not converted from the HTML by apprise.

Apprise's email plugin makes the plain part itself, from the HTML body. Ours is the text body of the same
message (what the README shows), so one observer on that conversion returns it, but only inside
`text_part()` (a context variable: apprise runs each service in a worker thread with a copy of the
caller's context) and only for the HTML body given there; any other conversion is apprise's own.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_wanted: ContextVar[tuple[str, str] | None] = ContextVar("newswatch_text_part", default=None)


@contextmanager
def text_part(html: str, text: str) -> Iterator[None]:
    """Inside the block, an email whose HTML body is `html` gets `text` as its plain-text part."""
    token = _wanted.set((html.rstrip(), text))
    try:
        yield
    finally:
        _wanted.reset(token)


def install() -> None:
    """Hook apprise's HTML-to-text conversion in its email plugin (idempotent); nothing changes outside
    `text_part()`."""
    from apprise.common import NotifyFormat

    base: Any = importlib.import_module("apprise.plugins.email.base")  # untyped where it is hooked
    original = base.convert_between
    if getattr(original, "_newswatch_text_part", False):
        return

    @functools.wraps(original)
    def convert(
        from_format: Any, to_format: Any, content: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        wanted = _wanted.get()
        if wanted is not None and to_format == NotifyFormat.TEXT and (content or "").rstrip() == wanted[0]:
            return wanted[1]
        return original(from_format, to_format, content, *args, **kwargs)

    convert._newswatch_text_part = True  # type: ignore[attr-defined]
    base.convert_between = convert
