"""The address guard as pure string checks: no test here sends a single packet."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswatch.guard import AddressGuard

REFUSE_ALL = AddressGuard.from_setting("")


def names(mapping: dict[str, list[str]]) -> AddressGuard:
    """A guard allowing nothing whose resolver answers from `mapping` (no DNS traffic)."""

    def resolve(host: str) -> list[str]:
        if host not in mapping:
            raise OSError(f"{host} unknown")
        return mapping[host]

    return AddressGuard.from_setting("", resolver=resolve)


def test_setting_parses_addresses_and_networks() -> None:
    guard = AddressGuard.from_setting(" 127.0.0.1/32, ::1 ,10.0.0.0/8,")
    assert [str(n) for n in guard.allowed] == ["127.0.0.1/32", "::1/128", "10.0.0.0/8"]
    assert AddressGuard.from_setting("").allowed == ()


@pytest.mark.parametrize("entry", ["localhost", "300.1.2.3", "10.0.0.0/33", "127.0.0.1/32;10.0.0.0/8"])
def test_setting_names_the_bad_entry(entry: str) -> None:
    with pytest.raises(ValueError, match="NEWSWATCH_ALLOWED_NETWORKS") as info:
        AddressGuard.from_setting(f"127.0.0.1, {entry}")
    assert repr(entry) in str(info.value)


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1", "link-local"),
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("192.0.2.10", "private"),  # documentation range
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),  # mapped forms are refused whatever they embed
        ("2002:7f00:1::", "6to4"),
        ("2001:db8::1", "private"),
    ],
)
def test_non_public_addresses_are_refused_with_their_class(ip: str, kind: str) -> None:
    reason = REFUSE_ALL.check_ip(ip)
    assert reason is not None
    assert reason.startswith(kind)
    assert str(ipaddress.ip_address(ip)) in reason


@pytest.mark.parametrize(
    "ip", ["8.8.8.8", "93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450::1"]
)
def test_public_addresses_pass(ip: str) -> None:
    assert REFUSE_ALL.check_ip(ip) is None


def test_allowed_networks_let_exactly_their_addresses_through() -> None:
    guard = AddressGuard.from_setting("127.0.0.1/32, 10.0.0.0/8, ::1")
    assert guard.check_ip("127.0.0.1") is None
    assert guard.check_ip("10.200.3.4") is None
    assert guard.check_ip("::1") is None
    assert guard.check_ip("127.0.0.2") == "loopback address 127.0.0.2"
    assert guard.check_ip("192.168.0.1") is not None
    # An allowed IPv4 network does not open its IPv4-mapped IPv6 spelling.
    assert guard.check_ip("::ffff:127.0.0.1") is not None


def test_check_ip_rejects_what_is_not_an_address() -> None:
    assert REFUSE_ALL.check_ip("example.com") is not None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed",
        "gopher://example.com:70/",
        "javascript:alert(1)",
        "data:,x",
    ],
)
def test_only_http_and_https(url: str) -> None:
    refusal = REFUSE_ALL.refusal(url)
    assert refusal is not None
    assert refusal.error == "bad_url"
    assert "scheme" in refusal.reason


@pytest.mark.parametrize("url", ["http://", "http:///feed.xml", "https:no-slashes"])
def test_urls_without_a_host(url: str) -> None:
    refusal = REFUSE_ALL.refusal(url, resolve=False)
    assert refusal is not None
    assert refusal.error == "bad_url"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://2130706433/", "non-canonical"),  # decimal 127.0.0.1
        ("http://0x7f000001/", "non-canonical"),  # hex
        ("http://0x7f.0.0.1/", "non-canonical"),
        ("http://127.1/", "non-canonical"),  # short form
        ("http://127.0.0.1./", "non-canonical"),  # trailing dot
        ("http://3232235777/", "non-canonical"),  # 192.168.1.1
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"),
        ("http://[::ffff:7f00:1]/", "IPv4-mapped"),
        ("http://[fe80::1%25eth0]/", "zone"),
        ("http://%31%32%37.0.0.1/", "non-canonical"),
        ("http://%6c%6f%63%61%6c%68%6f%73%74/", "unusual characters"),  # "localhost", percent-encoded
        ("http://example.com@127.0.0.1/", "user info"),
        ("http://user:pass@example.com/", "user info"),
        ("http://127.0.0.1\\@example.com/", "backslash"),
        ("http://example.com\\127.0.0.1/", "backslash"),
        ("http://127。0。0。1/", "loopback"),  # ideographic full stops normalise to dots
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[::1]:8443/", "loopback"),
    ],
)
def test_address_tricks_are_refused_without_resolving(url: str, why: str) -> None:
    refusal = REFUSE_ALL.refusal(url, resolve=False)
    assert refusal is not None
    assert refusal.error == "refused_address"
    assert why in refusal.reason


def test_octal_spelling_never_passes() -> None:
    # httpx rejects leading zeros outright; either way the URL is not fetched.
    refusal = REFUSE_ALL.refusal("http://0177.0.0.1/", resolve=False)
    assert refusal is not None


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_decimal_spelling_is_refused(number: int) -> None:
    assert REFUSE_ALL.check_url(f"http://{number}/") is not None


def test_host_names_are_left_to_connect_time_without_resolution() -> None:
    assert REFUSE_ALL.refusal("https://news.example.com/feed.xml", resolve=False) is None
    assert REFUSE_ALL.refusal("http://8.8.8.8/feed", resolve=False) is None


def test_check_url_resolves_and_checks_every_address() -> None:
    guard = names(
        {
            "public.test": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
            "internal.test": ["10.0.0.5"],
            "mixed.test": ["93.184.215.14", "127.0.0.1"],
            "empty.test": [],
        }
    )
    assert guard.check_url("https://public.test/feed") is None
    assert (
        guard.check_url("https://internal.test/") == "host internal.test resolves to private address 10.0.0.5"
    )
    assert guard.check_url("http://mixed.test/") == "host mixed.test resolves to loopback address 127.0.0.1"
    assert guard.check_url("http://empty.test/") == "host empty.test resolves to no address"
    assert guard.check_url("http://missing.test/") == "host missing.test does not resolve"


def test_internationalised_host_names_are_resolved_in_their_ascii_form() -> None:
    guard = names({"xn--bcher-kva.example": ["93.184.215.14"], "xn--80ak6aa92e.example": ["10.0.0.7"]})
    assert guard.check_url("https://bücher.example/feed.xml") is None
    assert guard.check_url("https://xn--bcher-kva.example/feed.xml") is None
    reason = guard.check_url("https://аррӏе.example/")  # Cyrillic look-alike, resolved as its xn-- name
    assert reason == "host xn--80ak6aa92e.example resolves to private address 10.0.0.7"


def test_localhost_name_is_refused_by_what_it_resolves_to() -> None:
    guard = names({"localhost": ["127.0.0.1", "::1"]})
    reason = guard.check_url("http://localhost:8080/")
    assert reason is not None
    assert "loopback" in reason


def test_setting_takes_ports_on_addresses_and_networks() -> None:
    guard = AddressGuard.from_setting(
        "10.1.2.3:8080, 10.2.0.0/16:8000-8099, [fd00::/8]:443, [::1], 127.0.0.1"
    )
    assert [str(n) for n in guard.allowed] == [
        "10.1.2.3/32",
        "10.2.0.0/16",
        "fd00::/8",
        "::1/128",
        "127.0.0.1/32",
    ]
    assert guard.ports == ((8080, 8080), (8000, 8099), (443, 443), None, None)
    assert guard.check_ip("10.1.2.3", 8080) is None
    assert guard.check_ip("10.1.2.3", 22) == "private address 10.1.2.3 on port 22"
    assert guard.check_ip("10.1.2.3") is not None  # a port-bound entry never lets an unknown port through
    assert guard.check_ip("10.2.200.1", 8050) is None
    assert guard.check_ip("10.2.200.1", 8100) is not None
    assert guard.check_ip("fd00::5", 443) is None and guard.check_ip("fd00::5", 80) is not None
    assert guard.check_ip("127.0.0.1", 5432) is None  # no port named: every port


@pytest.mark.parametrize(
    "entry", ["10.1.2.3:", "10.1.2.3:0", "10.1.2.3:70000", "10.1.2.3:90-80", "host:80", "[::1]x"]
)
def test_setting_names_a_bad_port(entry: str) -> None:
    with pytest.raises(ValueError, match="NEWSWATCH_ALLOWED_NETWORKS") as info:
        AddressGuard.from_setting(entry)
    assert repr(entry) in str(info.value)


def test_urls_are_checked_with_their_port() -> None:
    guard = AddressGuard.from_setting("10.1.2.3:8080")
    assert guard.refusal("http://10.1.2.3:8080/feed.xml") is None
    refused = guard.refusal("http://10.1.2.3/feed.xml")  # port 80
    assert refused is not None and "on port 80" in refused.reason
    assert guard.refusal("https://10.1.2.3/feed.xml") is not None  # port 443
