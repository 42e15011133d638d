"""Apprise URLs as configured: splitting a list (with apprise tags), masking, stable ids, secret parts.

No apprise import here: settings and the CLI read URL lists without loading apprise's plugins.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

_MIN_SECRET = 4  # shorter URL parts are not redacted from logs: replacing them would garble every line
# Apprise options whose values are settings, not secrets: redacting "POST" or "insecure" would garble logs.
_OPTION_KEYS = frozenset({"method", "mode", "format", "overflow", "retry", "wait", "optional", "cto", "rto"})

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)
_HOSTNAME = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?$")
# Where an entry of a URL list starts: after a blank or comma, optional apprise tags ("desk,night="), a scheme.
_ENTRY = re.compile(
    r"(?:^|(?<=[\s,]))(?:(?P<tags>[A-Za-z0-9_-]+(?:,[A-Za-z0-9_-]+)*)=)?[A-Za-z][A-Za-z0-9+.-]*://"
)


@dataclass(frozen=True)
class TaggedUrl:
    """One configured apprise URL (a secret: kept out of repr) and the apprise tags given with it."""

    url: str = field(repr=False)
    tags: frozenset[str] = frozenset()


def split_urls(raw: str) -> list[TaggedUrl]:
    """The URLs of a list separated by blanks or commas; "desk,night=slack://..." tags one (apprise's syntax).

    A comma only separates entries when a new URL follows it, so "?to=a@x.org,b@y.org" stays whole.
    Text that is no URL becomes an entry of its own, so that delivery reports it instead of dropping it.
    """
    starts = list(_ENTRY.finditer(raw))
    head = raw[: starts[0].start()] if starts else raw
    entries = [TaggedUrl(word) for word in re.split(r"[\s,]+", head) if word]
    for match, following in zip(starts, [*starts[1:], None][: len(starts)], strict=True):
        # A URL has no blanks: what follows one before the next URL is a stray word, kept to be reported.
        first, *stray = raw[match.start() : following.start() if following else len(raw)].split()
        tags = match["tags"] or ""
        entries.append(
            TaggedUrl(
                first.rstrip(",")[len(tags) + 1 if tags else 0 :], frozenset(tags.lower().split(",")) - {""}
            )
        )
        entries += [TaggedUrl(word) for word in re.split(r"[\s,]+", " ".join(stray)) if word]
    return entries


@dataclass(frozen=True)
class UrlParts:
    """An apprise URL's parts, split the way apprise reads them (a host may be a token)."""

    scheme: str
    user: str | None
    password: str | None
    host: str
    port: str
    path: str
    query: tuple[tuple[str, str | None], ...]
    fragment: str


def split_url(url: str) -> UrlParts | None:
    """The parts of an apprise URL, or None when it has no scheme."""
    match = _URL.match(url.strip())
    if not match:
        return None
    rest, _, fragment = match["rest"].partition("#")
    rest, _, query = rest.partition("?")
    netloc, _, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    host, _, port = hostport.rpartition(":") if re.search(r":\d+$", hostport) else (hostport, "", "")
    pairs = tuple((k, v if eq else None) for k, eq, v in (p.partition("=") for p in query.split("&") if p))
    return UrlParts(
        scheme=match["scheme"].lower(),
        user=user if at else None,
        password=password if colon else None,
        host=host,
        port=port,
        path=path,
        query=pairs,
        fragment=fragment,
    )


def _is_network_host(host: str) -> bool:
    """True for a real host name or address; False for the tokens some services put in the host part."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.lower() == "localhost" or bool(_HOSTNAME.match(host))
    return True


def mask_url(url: str) -> str:
    """The URL with its scheme and host kept and its user, password, tokens and query values hidden."""
    parts = split_url(url)
    if parts is None:
        return "***"
    out = parts.scheme + "://"
    if parts.user is not None:
        out += (parts.user[:2] + "***" if len(parts.user) > 2 else "***") + (
            ":***" if parts.password is not None else ""
        )
        out += "@"
    if parts.host:
        out += parts.host if _is_network_host(parts.host) else "***"
    out += f":{parts.port}" if parts.port else ""
    out += "/..." if parts.path.strip("/") else ""
    if parts.query:
        # A key with a value is a parameter name; a bare key may itself be a token.
        out += "?" + "&".join(f"{key}=***" if value is not None else "***" for key, value in parts.query)
    return out + ("#***" if parts.fragment else "")


def channel_id(url: str) -> str:
    """A stable, non-secret id for a URL ("mailto:3f2a9c1b0d4e5f60"), stored in the ledger instead of it."""
    parts = split_url(url)
    digest = hashlib.sha256(b"newswatch-channel\0" + url.strip().encode("utf-8")).hexdigest()[:16]
    return f"{parts.scheme if parts else 'invalid'}:{digest}"


def url_secrets(url: str) -> set[str]:
    """Every part of the URL that may be secret, as written and percent-decoded."""
    parts = split_url(url)
    if parts is None:
        return {url.strip()} if len(url.strip()) >= _MIN_SECRET else set()
    found = [parts.user or "", parts.fragment, *parts.path.split("/")]
    found += [
        value
        for key, value in parts.query
        if value and key.lower() not in _OPTION_KEYS and not _is_network_host(unquote(value))
    ]
    found += [key for key, value in parts.query if value is None]
    if not _is_network_host(parts.host):
        found.append(parts.host)
    # A password is secret however short; other parts only from a length that cannot be a common word.
    out = {s for s in found if len(s) >= _MIN_SECRET}
    if parts.password:
        out.add(parts.password)
    return out | {unquote(s) for s in out}
