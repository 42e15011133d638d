"""Attacks on storage from a hostile feed, on SQLite and PostgreSQL: forged corroboration, poisoned URLs,
statement matching that stalls a pass, and bytes the database refuses.

Each test is one attack of issue 14 with hostile input of our own and a control of the same size; bounds
are ratios to the control, counts or memory, never a wall-clock time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from httpserver import LocalServer, Reply
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from test_likeness import statement

from newswatch.fetcher import Fetcher
from newswatch.pipeline import ReadResult, prepare_entries
from newswatch.polling import poll_feeds
from newswatch.settings import Settings
from newswatch.storing import store_in_order
from newswatch.watchfile import load_watch
from storage.claims import store_findings
from storage.db import session_scope
from storage.feeds import ensure_feeds
from storage.models import Article, Claim, Entry, Feed, Finding

TOPIC = load_watch(Path(__file__).resolve().parents[1] / "newswatch" / "watch.yaml").topics[0]
REAL_PAGE = (
    b"<html><head><title>North Korean troops in Russia</title>"
    b'<meta property="og:site_name" content="Real Wire"></head><body><article>'
    b"<h1>North Korean troops in Russia</h1>"
    b"<p>South Korea's spy agency said on Thursday that around 3,000 North Korean soldiers had been sent to "
    b"Russia for the war in Ukraine.</p><p>The agency told lawmakers in Seoul that more were expected to follow "
    b"in the coming weeks, and that the soldiers were being trained in the far east of Russia.</p>"
    b"</article></body></html>"
)

QUOTES = 14  # one 20 KB page of quotes by one speaker
WORDS = 300


def similar_quotes(seed: str) -> list[str]:
    """Quotes alike enough to keep a word-sequence matcher busy, different enough to be new each."""
    return [" ".join("ha" if i % 2 == 0 else f"w{seed}{k}x{i}" for i in range(WORDS)) for k in range(QUOTES)]


def unlike_quotes(seed: str) -> list[str]:
    """The control: as many quotes of the same size whose words never repeat."""
    return [
        " ".join(f"h{k}" if i % 2 == 0 else f"w{seed}{k}x{i}" for i in range(WORDS)) for k in range(QUOTES)
    ]


def store_cpu(engine: Engine, quotes: list[str], speaker: str) -> tuple[float, int]:
    """CPU seconds to store one article of these quotes (a speaker of its own), and the new claims."""
    with session_scope(engine) as s:
        page = Article(url=f"http://outlet.example/{speaker}", title="t", outlet="Outlet", text="...")
        s.add(page)
        s.flush()
        found = [statement(q, speaker, n * 2000) for n, q in enumerate(quotes)]
        started = time.process_time()
        stored = store_findings(s, article=page, topic="t", findings=found)
        return time.process_time() - started, len(stored.new)


def best_of(runs: int, measure: Callable[[int], tuple[float, int]]) -> tuple[float, int]:
    results = [measure(n) for n in range(runs)]
    return min(r[0] for r in results), results[0][1]


def test_similar_quotes_store_as_fast_as_unlike_ones(engine: Engine) -> None:
    """Attack 3: 14 similar kilobyte-long quotes of one speaker took seconds to store (pairwise difflib)."""
    similar = similar_quotes("s")
    control = unlike_quotes("s")
    assert abs(sum(map(len, similar)) - sum(map(len, control))) < 0.05 * sum(map(len, control))
    hostile, hostile_new = best_of(3, lambda n: store_cpu(engine, similar_quotes(f"s{n}"), f"Hostile {n}"))
    plain, plain_new = best_of(3, lambda n: store_cpu(engine, unlike_quotes(f"u{n}"), f"Plain {n}"))
    print(
        f"storing {QUOTES} similar quotes: {hostile:.3f} s CPU, unlike quotes: {plain:.3f} s, ratio {hostile / plain:.1f}"
    )
    assert (hostile_new, plain_new) == (QUOTES, QUOTES)  # alike in form, yet each a statement of its own
    assert hostile < 3 * plain


# --- forged provenance (attacks 1 and 2) -------------------------------------------------------------


def rss(items: list[tuple[str, str]], title: str = "A feed") -> bytes:
    """An RSS feed of (link, description) items."""
    body = "".join(
        f"<item><title>Story {n}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{text}</description></item>"
        for n, (link, text) in enumerate(items)
    )
    return f'<rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


@pytest.fixture
def servers() -> Iterator[list[LocalServer]]:
    """Six local servers, each standing for a site of its own (127.0.0.1 to 127.0.0.6)."""
    running = [LocalServer(f"127.0.0.{n}").start() for n in range(1, 7)]
    yield running
    for server in running:
        server.stop()


def one_pass(engine: Engine, feeds: list[str], allowed: str = "127.0.0.0/8") -> list[ReadResult]:
    """A pass over `feeds` through the pipeline's own functions (no Prefect, no alerts)."""
    settings = Settings(_env_file=None, allowed_networks=allowed)  # type: ignore[call-arg]
    with session_scope(engine) as s:
        ids = list(ensure_feeds(s, urls=feeds).values())
    with Fetcher(settings) as fetcher:
        polls = poll_feeds(fetcher, engine, feed_ids=ids, settings=settings, retry_delays=())
        entries = [e for p in polls for e in p.to_read]
        prepared = prepare_entries(fetcher, engine, entry_ids=entries, topics=dict.fromkeys(ids, (TOPIC,)))
    return store_in_order(engine, prepared, topics={TOPIC.name: TOPIC}, targets={})


def claim_of(engine: Engine, value: int) -> Claim:
    with Session(engine) as s:
        return s.exec(select(Claim).where(Claim.value == value)).one()


def test_a_feed_cannot_forge_other_outlets_corroboration(engine: Engine, servers: list[LocalServer]) -> None:
    """Attack 1: links on three other outlets' domains that answer 404, the feed's own summary making the
    claim: it reads as reported once, by the feed's site, from its summary; it is no earlier value of a
    page's later figure."""
    hostile, *outlets = servers[:4]
    planted = "South Korea&apos;s spy agency said 44,444 North Korean soldiers had arrived in Russia."
    links = [o.url("/world/2024/10/25/north-korea-troops") for o in outlets]  # every one answers 404
    hostile.route("/feed.xml", Reply(body=rss([(link, planted) for link in links])))
    one_pass(engine, [hostile.url("/feed.xml")])

    forged = claim_of(engine, 44_444)
    with Session(engine) as s:
        carriers = s.exec(
            select(Article)
            .join(Finding, col(Finding.article_id) == col(Article.id))
            .where(Finding.claim_id == forged.id)
        ).all()
    print(f"forged claim: outlets={forged.outlets}, first reported by {forged.first_outlet!r}")
    assert forged.outlets == 1
    assert forged.first_outlet == "127.0.0.1 (feed summary)"
    assert {a.outlet for a in carriers} == {"127.0.0.1 (feed summary)"}
    assert {a.source for a in carriers} == {"feed"}
    assert not any(a.url in links for a in carriers)  # a link another outlet never served is no article of it

    real = servers[4]
    real.route("/story.html", Reply(body=REAL_PAGE, headers={"Content-Type": "text/html"}))
    real.route("/feed.xml", Reply(body=rss([(real.url("/story.html"), "A story.")])))
    later = one_pass(engine, [real.url("/feed.xml")])
    changes = [c for r in later for c in r.new if c.change.endswith("figure")]
    print("the real page's figure:", [(c.change, c.previous) for c in changes])
    assert [c.finding.value for c in changes if c.finding.kind == "figure"] == [3000]
    assert not any("44,444" in previous for c in changes for previous in c.previous)


def test_a_url_planted_from_a_feed_summary_is_read_when_a_feed_lists_it_again(
    engine: Engine, servers: list[LocalServer]
) -> None:
    """Attack 2: a hostile feed's summary stored for a link that answered 404 used to stay that link's
    article for ever; the page is read when any feed lists the link again, and its findings are its own."""
    hostile, site = servers[0], servers[5]
    story = site.url("/2024/10/25/story.html")
    planted = "South Korea&apos;s spy agency said 55,555 North Korean soldiers had arrived in Russia."
    hostile.route("/feed.xml", Reply(body=rss([(story, planted)])))
    site.route("/2024/10/25/story.html", Reply(status=404))
    one_pass(engine, [hostile.url("/feed.xml")])
    planted_by = claim_of(engine, 55_555).first_outlet

    site.route("/2024/10/25/story.html", Reply(body=REAL_PAGE, headers={"Content-Type": "text/html"}))
    site.route("/feed.xml", Reply(body=rss([(story, "A story.")])))
    before = site.paths().count("/2024/10/25/story.html")
    one_pass(engine, [site.url("/feed.xml")])
    fetched = site.paths().count("/2024/10/25/story.html") - before
    with Session(engine) as s:
        page = s.exec(select(Article).where(Article.url == story)).one()
        values = [
            f.data.get("value") for f in s.exec(select(Finding).where(Finding.article_id == page.id)).all()
        ]
    print(
        f"the link listed again: fetched {fetched} times; its article is from the {page.source}, {page.outlet!r}"
    )
    assert fetched == 1
    assert (page.source, page.outlet) == ("page", "Real Wire")
    assert 3000 in values and 55_555 not in values  # the page's findings, credited to the page's outlet
    assert claim_of(engine, 3000).first_outlet == "Real Wire"
    assert planted_by == "127.0.0.1 (feed summary)"


def test_a_link_the_guard_refused_is_never_stored_as_an_articles_link(
    engine: Engine, servers: list[LocalServer]
) -> None:
    """A link the address guard refused was stored, and shown in alerts, as the article's link."""
    room, inside = servers[0], servers[1]
    link = inside.url("/admin/north-korea-troops")
    planted = "South Korea&apos;s spy agency said 66,666 North Korean soldiers had arrived in Russia."
    room.route("/feed.xml", Reply(body=rss([(link, planted)])))
    results = one_pass(engine, [room.url("/feed.xml")], allowed="127.0.0.1/32")
    with Session(engine) as s:
        urls = [a.url for a in s.exec(select(Article)).all()]
    print("articles stored for a refused link:", urls)
    assert inside.requests == []
    assert [r.fallback_reason.partition(":")[0] for r in results if r.fallback_reason] == ["refused_address"]
    assert len(urls) == 1 and link not in urls[0] and not urls[0].startswith("http")


# --- bytes the database refuses (attack 6) -------------------------------------------------------------


def test_a_nul_byte_in_one_feed_never_blanks_the_others(engine: Engine, servers: list[LocalServer]) -> None:
    """Attack 6: one NUL (&#0;) in a feed's title made PostgreSQL refuse the whole poll group, every pass;
    an over-long link or guid did the same. Text is cleaned where it enters; each feed of the group is
    polled and stored."""
    room = servers[0]
    long_link = room.url("/" + "x" * 3000)
    hostile = (
        '<rss version="2.0"><channel><title>Wire &#0; of &#x1b;]0;pwned&#7; doom</title>'
        "<item><title>North &#0; Korea</title><link>http://127.0.0.1/a</link>"
        "<description>NUL &#0; here &#x1b;[2J</description></item>"
        f"<item><title>Long</title><link>{long_link}</link><guid>{'g' * 3000}</guid></item>"
        "</channel></rss>"
    ).encode()
    room.route("/hostile.xml", Reply(body=hostile))
    good = [room.url(f"/good{n}.xml") for n in range(3)]
    for n in range(3):
        room.route(f"/good{n}.xml", Reply(body=rss([(room.url(f"/good/{n}.html"), f"Story {n}.")])))
    feeds = [room.url("/hostile.xml"), *good]
    settings = Settings(_env_file=None, allowed_networks="127.0.0.0/8")  # type: ignore[call-arg]
    with session_scope(engine) as s:
        ids = list(ensure_feeds(s, urls=feeds).values())
    with Fetcher(settings) as fetcher:
        polls = poll_feeds(fetcher, engine, feed_ids=ids, settings=settings, retry_delays=())
    print("statuses:", [p.status for p in polls])
    assert [p.status for p in polls] == ["ok"] * 4
    with Session(engine) as s:
        stored = [*s.exec(select(Feed)).all(), *s.exec(select(Entry)).all()]
        text = " ".join(str(v) for row in stored for v in row.model_dump().values())
        assert len(s.exec(select(Entry)).all()) == 5
    assert "\x00" not in text and "\x1b" not in text and "\x07" not in text


def test_a_value_the_database_refuses_fails_only_its_own_feed(engine: Engine) -> None:
    """The last line behind the cleaning: should one feed still bring a value the database refuses (a lone
    surrogate, a NUL), the other feeds of its group are stored and polled all the same."""
    from storage.feeds import NewEntry, Poll, record_group

    with session_scope(engine) as s:
        ids = list(ensure_feeds(s, urls=[f"https://feed{n}.example/rss" for n in range(3)]).values())
    bad_text = "North \ud800 Korea" if engine.dialect.name == "sqlite" else "North \x00 Korea"
    entries = {
        feed_id: [NewEntry(guid=f"g{n}", link=f"https://a.example/{n}", title=bad_text if n == 1 else "Fine",
                           summary="", published=None)]
        for n, feed_id in enumerate(ids)
    }  # fmt: skip
    added = record_group(engine, entries=entries, polls=[Poll(feed_id=i, status="ok") for i in ids])
    with Session(engine) as s:
        feeds = {f.id: f for f in s.exec(select(Feed)).all()}
        stored = s.exec(select(Entry)).all()
    assert added == {ids[0]: 1, ids[2]: 1}
    assert [feeds[i].last_status for i in ids] == ["ok", "parse_error", "ok"]
    assert sorted(e.feed_id for e in stored) == [ids[0], ids[2]]
