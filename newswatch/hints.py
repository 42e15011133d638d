"""Hints: for every class of failure a feed or an article can end in, the next step to take.

One table, read by every output (`newswatch feeds`, the run summary), so that the same failure is
explained the same way everywhere. The classes are our own words (see newswatch/fetcher.py, guard.py,
polling.py and pipeline.py); the details they come with may quote a stranger's server, so a hint only
takes from a detail what our own code wrote into it (an address, a status code, a URL we resolved) and the
caller escapes the result for its medium.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

# "loopback address 127.0.0.1 on port 8080", "private address 10.0.0.5": written by AddressGuard.check_ip.
_ADDRESS = re.compile(r"\baddress ([0-9A-Fa-f.:]+)(?: \([^)]*\))?(?: on port (\d+))?")
_STATUS = re.compile(r"\bHTTP (\d{3})\b")
# "this is an HTML page; its feed is at <url>": written by newswatch.discovery.
_FEED_AT = re.compile(r"its feed is at (\S+)")

ALLOWED_NETWORKS = "NEWSWATCH_ALLOWED_NETWORKS"


def _refused(detail: str) -> str:
    """The address refused, and the setting that lets it through."""
    match = _ADDRESS.search(detail)
    if match is None:
        return (
            "write the URL plainly (http(s)://host/path, no user@ or backslash, a host that resolves); "
            f"a feed on your own network needs its address in {ALLOWED_NETWORKS}"
        )
    try:
        address = ipaddress.ip_address(match[1])
    except ValueError:
        return f"a feed on your own network needs its address in {ALLOWED_NETWORKS}"
    cidr = f"{address}/{address.max_prefixlen}"
    port = match[2]
    one_port = f"[{address}]:{port}" if address.version == 6 and port else f"{address}:{port}"
    extra = f" (or {one_port} for that port only)" if port else ""
    return f"set {ALLOWED_NETWORKS}={cidr}{extra} if this feed is on your own network"


def _status(detail: str) -> str:
    """What to do about an HTTP error status, by its code."""
    match = _STATUS.search(detail)
    code = int(match[1]) if match else 0
    if code in (404, 410):
        return "the URL is gone: check it in a browser, then fix it in the watch file or remove it"
    if code in (401, 403):
        return (
            "the server refuses us: the feed may need a login or block robots; ask its publisher or remove it"
        )
    if code == 429:
        return (
            "the server asks us to slow down: it is polled again when it says; nothing to do unless it lasts"
        )
    if 500 <= code < 600:
        return "the server is failing on its side: nothing to do; it is tried again on the next pass"
    return "check the URL in a browser; fix it in the watch file or remove it"


def _html_page(detail: str) -> str:
    """The feed the page names, offered as the fix."""
    match = _FEED_AT.search(detail)
    if match is None:
        return (
            "this URL is a web page with no feed link: find the site's RSS or Atom URL and use that instead"
        )
    url = match[1]
    return (
        f"put `- url: {url}` in the watch file's feeds instead, or run with `--feed {url}`; "
        "`--discover` follows it for you"
    )


Hint = str | Callable[[str], str]

HINTS: dict[str, Hint] = {
    # A feed's poll (newswatch/fetcher.py, newswatch/guard.py, newswatch/polling.py).
    "refused_address": _refused,
    "bad_url": "the URL cannot be fetched: fix it in the watch file (http:// or https://, a host, no spaces)",
    "timeout": (
        "the server is slow or unreachable: it is tried again next pass; if it always is, raise "
        "NEWSWATCH_READ_TIMEOUT or NEWSWATCH_REQUEST_DEADLINE"
    ),
    "transport": (
        "the connection failed (DNS, TLS or a reset): check that the host is up and the URL is right; "
        "it is tried again next pass"
    ),
    "http_status": _status,
    "too_large": "the answer is over the size cap: raise NEWSWATCH_MAX_RESPONSE_BYTES if you trust this source",
    "too_many_redirects": (
        "the URL redirects in a loop or too often: open it in a browser and use the address it ends at, "
        "or raise NEWSWATCH_MAX_REDIRECTS"
    ),
    "parse_error": (
        "the answer is not an RSS or Atom feed: open the URL in a browser and use the site's feed URL"
    ),
    "html_page": _html_page,
    "crashed": "a bug in newswatch: please report it with the run's log",
    # An article's page (the feed's own text stood in for it).
    "no_link": "the feed's entry has no link: nothing to do",
    "not_html": "the link is not a web page (a PDF, an image...): nothing to do",
    "extraction_timeout": (
        "the page took too long to read: nothing to do, unless every page of a site does "
        "(then raise NEWSWATCH_JOB_TIMEOUT)"
    ),
    "extraction_failed": "no article text was found in the page: nothing to do",
}


def hint_for(error_class: str | None, detail: str | None = None) -> str:
    """The next step for a failure class (with its detail), or "" for a class without one (ok, ...)."""
    hint = HINTS.get(error_class or "")
    if hint is None:
        return ""
    return hint if isinstance(hint, str) else hint(detail or "")


def split_reason(reason: str) -> tuple[str, str]:
    """An article's "<error class>: <detail>" as its class and detail."""
    error_class, _, detail = reason.partition(": ")
    return error_class.strip(), detail
