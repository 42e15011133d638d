"""A tiny local newsroom: the demo's fictional feeds and article pages, served on 127.0.0.1."""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import TracebackType
from typing import cast
from urllib.parse import urlsplit

PLACEHOLDER = "{base}"
CONTENT_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
# Used only when a file names no date of its own; a constant keeps Last-Modified stable across clones.
FALLBACK_DATE = datetime(2024, 10, 1, tzinfo=UTC)
_META_DATE = re.compile(r'<meta property="article:(?:modified|published)_time" content="([^"]+)"')
_ATOM_UPDATED = re.compile(r"<updated>([^<]+)</updated>")
_RSS_DATE = re.compile(r"<(?:lastBuildDate|pubDate)>([^<]+)</(?:lastBuildDate|pubDate)>")


@dataclass(frozen=True)
class Page:
    """One servable file: its bytes (placeholder filled in) and the validators that go with them."""

    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


def fixed_date(text: str) -> datetime:
    """The date a file declares for itself (article time, feed update), in UTC to the second."""
    found: datetime | None = None
    if (match := _META_DATE.search(text)) or (match := _ATOM_UPDATED.search(text)):
        found = datetime.fromisoformat(match.group(1))
    elif match := _RSS_DATE.search(text):
        found = parsedate_to_datetime(match.group(1))
    if found is None or found.tzinfo is None:
        return FALLBACK_DATE
    return found.astimezone(UTC).replace(microsecond=0)


def _walk(node: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    """Every file under node with its URL path; works for installed and zipped packages alike."""
    found: list[tuple[str, Traversable]] = []
    for child in node.iterdir():
        path = f"{prefix}/{child.name}"
        if child.is_dir():
            found.extend(_walk(child, path))
        elif child.is_file():
            found.append((path, child))
    return found


def load_site(base_url: str) -> dict[str, Page]:
    """All feeds and pages of the bundled site, keyed by URL path, with `{base}` replaced by base_url."""
    pages: dict[str, Page] = {}
    for path, node in _walk(files(__package__ or "newswatch.newsroom") / "site", ""):
        suffix = path[path.rfind(".") :]
        if suffix not in CONTENT_TYPES:
            continue  # README.md and the like are for people reading the source, not for the demo
        text = node.read_text(encoding="utf-8")
        body = text.replace(PLACEHOLDER, base_url).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        pages[path] = Page(body, CONTENT_TYPES[suffix], etag, fixed_date(text))
    return pages


def is_not_modified(page: Page, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 conditional GET: If-None-Match decides when present, else If-Modified-Since."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or page.etag in tags
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return page.last_modified <= since


class _Server(ThreadingHTTPServer):
    """The HTTP server with the newsroom's state attached, so handlers can reach it."""

    daemon_threads = True
    newsroom: Newsroom

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet when a client hangs up mid-response; the demo's terminal is for alerts."""


class _Handler(BaseHTTPRequestHandler):
    """Serves GET and HEAD from the loaded pages; everything else under the site is a 404."""

    server_version = "newswatch-newsroom/1.0"
    sys_version = ""

    def do_GET(self) -> None:
        """Answer a GET with the page, a 304 or a 404."""
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        """Answer a HEAD like a GET, without the body."""
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Keep quiet: requests are recorded in Newsroom.requests instead of printed."""

    def _answer(self, *, with_body: bool) -> None:
        newsroom = cast(_Server, self.server).newsroom
        if newsroom.latency > 0:
            time.sleep(newsroom.latency)
        # Feeds may carry tracking parameters on their links; the page is the same without them.
        page = newsroom.pages.get(urlsplit(self.path).path)
        if page is None:
            status, body, headers = HTTPStatus.NOT_FOUND, b"Not found\n", {"Content-Type": "text/plain"}
        else:
            headers = {"ETag": page.etag, "Last-Modified": format_datetime(page.last_modified, usegmt=True)}
            if is_not_modified(
                page, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            ):
                status, body = HTTPStatus.NOT_MODIFIED, b""
            else:
                status, body = HTTPStatus.OK, page.body
                headers["Content-Type"] = page.content_type
        # Recorded before answering, so a client that has its answer also sees it in the log.
        newsroom.record(self.command, self.path, int(status))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body and body:
            self.wfile.write(body)


class Newsroom:
    """The demo's local newsroom: three fictional outlets' feeds and articles on a free local port."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0) -> None:
        self.host = host
        self.port = port
        self.latency = latency
        self.pages: dict[str, Page] = {}
        self._server: _Server | None = None
        self._base_url: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests: list[tuple[str, str, int]] = []

    @property
    def base_url(self) -> str:
        """The newsroom's root URL, e.g. http://127.0.0.1:8123 (once started; kept after stop)."""
        if self._base_url is None:
            raise RuntimeError("the newsroom is not started")
        return self._base_url

    @property
    def feed_urls(self) -> list[str]:
        """The URLs of the feeds it serves, one per outlet."""
        return [self.base_url + path for path in sorted(self.pages) if path.startswith("/feeds/")]

    @property
    def article_urls(self) -> list[str]:
        """The URLs of every article page it serves."""
        return [self.base_url + path for path in sorted(self.pages) if path.endswith(".html")]

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """A snapshot of the (method, path, status) of every request answered so far."""
        with self._lock:
            return list(self._requests)

    def record(self, method: str, path: str, status: int) -> None:
        """Log one answered request (called from the server's threads)."""
        with self._lock:
            self._requests.append((method, path, status))

    def start(self) -> Newsroom:
        """Bind, load the site for this address and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.newsroom = self
        self._server = server
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._base_url = f"http://{host}:{server.server_address[1]}"
        self.pages = load_site(self._base_url)
        self._thread = threading.Thread(target=server.serve_forever, name="newsroom", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> Newsroom:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve the newsroom until Ctrl-C, to browse it: python -m newswatch.newsroom.server [PORT]."""
    args = sys.argv[1:] if argv is None else argv
    with Newsroom(port=int(args[0]) if args else 0) as newsroom:
        print(f"Newsroom at {newsroom.base_url}", *newsroom.feed_urls, sep="\n")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
