"""One statement across outlets: the same report in other words is one claim with more outlets, one alert."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from httpserver import LocalServer, Reply
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from test_baseline import one_pass, settings

from storage.likeness import same_report, same_statement, statement_key
from storage.models import AlertDelivery, Claim

# Three outlets report Zelenskyy's words, each in its own words and order, with its own qualifier.
REPORTS = {
    "Kyiv Daily": "Ukrainian President Volodymyr Zelenskyy said on Monday that about 11,000 North Korean "
    "soldiers had begun fighting alongside Russian troops in the Kursk region.",
    "Dnipro Courier": "About 11,000 North Korean soldiers have begun fighting alongside Russian troops in the "
    "Kursk region, Ukrainian President Volodymyr Zelenskyy said on Monday.",
    "Lviv Evening": "Some 11,000 North Korean soldiers had begun fighting in the Kursk region alongside "
    "Russian troops, Zelenskyy told reporters on Monday.",
}


def page(outlet: str, text: str) -> bytes:
    title = "North Korean soldiers fighting in Kursk, Zelenskyy says"
    return (
        f'<html><head><title>{title}</title><meta property="og:site_name" content="{outlet}"></head>'
        f"<body><article><h1>{title}</h1><p>KYIV — {text}</p><p>The remarks came during a visit to troops "
        f"near the border.</p></article></body></html>"
    ).encode()


def rss(link: str, published: datetime | None) -> bytes:
    item = (
        f"<item><title>Zelenskyy on Kursk</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(published)}</pubDate></item>"
        if published
        else ""
    )
    return f'<rss version="2.0"><channel><title>Feed</title>{item}</channel></rss>'.encode()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        for n, (outlet, text) in enumerate(REPORTS.items()):
            running.route(f"/{n}/story.html", Reply(body=page(outlet, text)))
            running.route(f"/{n}/feed.xml", Reply(body=rss(running.url(f"/{n}/story.html"), None)))
        yield running


def test_the_report_in_other_words_is_the_same_statement_and_a_different_one_is_not() -> None:
    kyiv = statement_key(
        "about 11,000 North Korean soldiers had begun fighting alongside Russian troops in the Kursk region"
    )
    lviv = statement_key(
        "Some 11,000 North Korean soldiers had begun fighting in the Kursk region alongside Russian troops"
    )
    assert not same_statement(kyiv, lviv) and same_report(kyiv, lviv)  # other order: the same report
    kherson = statement_key(
        "about 11,000 North Korean soldiers had begun fighting alongside Russian troops in the Kherson region"
    )
    assert not same_report(kyiv, kherson)  # one content word of twelve replaced: another statement
    assert not same_report(kyiv, kyiv.replace("had begun", "had not begun"))
    assert not same_report(kyiv, kyiv.replace("11 000", "12 000"))


def test_one_statement_carried_by_three_outlets_in_different_words_is_one_alert(
    engine: Engine, server: LocalServer
) -> None:
    feeds = [server.url(f"/{n}/feed.xml") for n in range(len(REPORTS))]
    assert one_pass(engine, feeds, settings()) == ([], [])  # the feeds' first poll: their (empty) baseline
    start = datetime.now(UTC) + timedelta(seconds=2)
    for n in range(len(REPORTS)):  # then each outlet publishes its report, a minute apart
        link = server.url(f"/{n}/story.html")
        server.route(f"/{n}/feed.xml", Reply(body=rss(link, start + timedelta(minutes=n))))

    stored, shown = one_pass(engine, feeds, settings())
    assert len(stored) == 3
    new = len(stored[0].new)  # the first outlet's findings (the figure, the statement, the headline's)...
    assert new >= 2 and [len(r.new) for r in stored] == [new, 0, 0]
    assert [r.repeated for r in stored] == [0, new, new]  # ...which the other two repeat
    (message,) = shown  # one alert
    assert message.title.startswith("New: ~11,000 troops (Volodymyr Zelenskyy)")
    assert "Kyiv Daily" in message.text and "Dnipro Courier" not in message.text
    with Session(engine) as s:
        claims = s.exec(select(Claim)).all()
        rows = s.exec(select(AlertDelivery)).all()
    report = next(c for c in claims if c.kind == "statement" and "fighting alongside" in (c.quote or ""))
    assert report.outlets == 3 and report.first_outlet == "Kyiv Daily"  # three outlets on the claim
    (figure,) = [c for c in claims if c.kind == "figure"]
    assert figure.outlets == 3  # "about", "around" and "some" 11,000: one figure
    assert len(claims) == new and all(c.outlets == 3 for c in claims)
    assert sorted(r.subject for r in rows) == sorted(f"claim:{c.id}" for c in claims)  # each alerted once
    kinds = [f["kind"] for f in (message.data or {})["findings"]]
    assert kinds.count("statement") == new - 1  # statements travel with the figure (webhooks list them all)
