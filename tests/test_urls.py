"""Canonical URLs: one spelling per article, whatever tracking or casing the link carried."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.urls import canonical_url, is_tracking_key


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM/World/Story", "https://news.example.com/World/Story"),
        ("https://news.example.com:443/a", "https://news.example.com/a"),
        ("http://news.example.com:80/a", "http://news.example.com/a"),
        ("https://news.example.com:8443/a", "https://news.example.com:8443/a"),
        ("https://news.example.com/a#comments", "https://news.example.com/a"),
        ("https://news.example.com", "https://news.example.com/"),
        ("https://news.example.com./a", "https://news.example.com/a"),
        ("https://news.example.com/a/./b/../c", "https://news.example.com/a/c"),
        ("  https://news.example.com/a  ", "https://news.example.com/a"),
        ("https://[::1]:8443/x", "https://[::1]:8443/x"),
        ("https://User:Secret@News.Example.com/a", "https://User:Secret@news.example.com/a"),
    ],
)
def test_normalises_scheme_host_port_fragment_and_path(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "query",
    [
        "utm_source=rss&utm_medium=feed&utm_campaign=x&UTM_Content=y",
        "fbclid=abc",
        "gclid=abc&msclkid=def",
        "mc_cid=1&mc_eid=2",
        "ocid=msn&cmpid=rss",
        "ref=home&ref_src=twsrc",
        "at_medium=RSS&at_campaign=KARANGA",  # the BBC's feed links
        "wt_mc=rss.ho.beitrag.rdf",  # heise's feed links
        "_hsenc=p2&_hsmi=3",
        "xtor=RSS-3208",  # Le Monde's feed links
        "itm_source=rss&itm_campaign=x",
    ],
)
def test_drops_tracking_parameters(query: str) -> None:
    assert canonical_url(f"https://news.example.com/story?{query}") == "https://news.example.com/story"
    assert (
        canonical_url(f"https://news.example.com/story?id=7&{query}") == "https://news.example.com/story?id=7"
    )


def test_sorts_remaining_query_and_keeps_its_encoding() -> None:
    assert canonical_url("https://x.example/s?q=a+b&b=%2F&a=1&&utm_source=z") == (
        "https://x.example/s?a=1&b=%2F&q=a+b"
    )
    assert canonical_url("https://x.example/s?b=2&a=1") == canonical_url("https://x.example/s?a=1&b=2")


def test_tracking_keys_are_names_not_values() -> None:
    assert is_tracking_key("utm_source")
    assert is_tracking_key("FBCLID")
    assert not is_tracking_key("id")
    assert not is_tracking_key("reference")  # "ref" exactly, not every key starting with it
    assert canonical_url("https://x.example/s?id=utm_source") == "https://x.example/s?id=utm_source"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/articles/one", "https://rel.example/articles/one"),
        ("../two?utm_source=rss#c", "https://rel.example/news/two"),
        ("three.html", "https://rel.example/news/feeds/three.html"),
        ("//cdn.rel.example/four", "https://cdn.rel.example/four"),
        ("https://Other.Example/five", "https://other.example/five"),
    ],
)
def test_resolves_relative_links_against_base(link: str, expected: str) -> None:
    assert canonical_url(link, base="https://rel.example/news/feeds/main.xml") == expected


def test_empty_link_stays_empty_even_with_a_base() -> None:
    assert canonical_url("", base="https://rel.example/feed") == ""
    assert canonical_url("   ", base="https://rel.example/feed") == ""


def test_unparseable_urls_come_back_unchanged() -> None:
    assert canonical_url("http://[::1") == "http://[::1"
    assert canonical_url("mailto:Editor@Example.com") == "mailto:Editor@Example.com"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=40)))
def test_never_raises_on_arbitrary_text(url: str, base: str | None) -> None:
    assert isinstance(canonical_url(url, base=base), str)


_segments = st.text(alphabet="abcXYZ019-._~%", min_size=0, max_size=6)
_urls = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}/{path}{query}{frag}",
    st.sampled_from(["http", "HTTPS", "https"]),
    st.sampled_from(["news.example.com", "NEWS.example.com.", "a.example"]),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.lists(_segments, max_size=4).map("/".join),
    st.lists(
        st.tuples(st.sampled_from(["id", "utm_source", "a", "fbclid", "page"]), _segments), max_size=4
    ).map(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else ""),
    st.sampled_from(["", "#top", "#"]),
)


@settings(max_examples=300, deadline=None)
@given(_urls)
def test_is_idempotent_and_removes_what_it_promises(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "#" not in once
    assert "utm_source=" not in once and "fbclid=" not in once
    assert once.startswith(("http://", "https://"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Keys courlan.normalize_url takes for trackers, which name the article on many sites.
        ("https://news.example/view.php?cid=123", "https://news.example/view.php?cid=123"),
        (
            "https://news.example/a?session=2024-10&source=rss",
            "https://news.example/a?session=2024-10&source=rss",
        ),
        ("https://news.example/a?reference=7", "https://news.example/a?reference=7"),
        # A key without a value is still a different page; courlan drops it.
        ("https://news.example/a?amp", "https://news.example/a?amp"),
        # The query keeps its encoding; courlan re-encodes %20 as +.
        ("https://news.example/s?q=a%20b", "https://news.example/s?q=a%20b"),
        # Punycode hosts stay ASCII, the form DNS resolves and stored URLs compare by; courlan decodes them.
        ("https://XN--bcher-kva.example/a", "https://xn--bcher-kva.example/a"),
        # Path sub-delimiters are not re-encoded (courlan's path quoting writes "(" as %28).
        ("https://wiki.example/wiki/Kursk_(oblast)", "https://wiki.example/wiki/Kursk_(oblast)"),
    ],
)
def test_cases_where_courlan_would_merge_or_break_articles(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
