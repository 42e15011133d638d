"""The demo's local newsroom: fictional feeds and article pages served on 127.0.0.1."""

from __future__ import annotations

from newswatch.newsroom.server import Newsroom

__all__ = ["Newsroom"]
