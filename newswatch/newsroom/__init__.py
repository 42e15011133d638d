"""The demo's local newsroom: fictional feeds and article pages served on 127.0.0.1."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newswatch.newsroom.server import Newsroom

__all__ = ["Newsroom"]


def __getattr__(name: str) -> object:
    """Import the server on first use, so `python -m newswatch.newsroom.server` loads it only once."""
    if name == "Newsroom":
        from newswatch.newsroom.server import Newsroom

        return Newsroom
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
