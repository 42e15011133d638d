"""Feeds removed from the watch file: listed as such, and `newswatch feeds --prune` deletes them with their
entries while their articles, findings and claims stay."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from newswatch.cli import app
from storage.db import session_scope
from storage.feeds import NewEntry, Poll, ensure_feeds, record_group
from storage.models import Article, Claim, Entry, Feed, Finding, RawPage
from storage.pruning import prune_feeds

runner = CliRunner()
KEPT, GONE = "https://kept.example/rss", "https://gone.example/rss"
SHARED = "https://news.example/2024/10/23/story"


def watch_file(tmp_path: Path, urls: list[str]) -> Path:
    """A watch file naming `urls` for one small topic."""
    lines = ["topics:", "  t:", "    terms: [North Korea]", "    units: {troops: [troops]}", "feeds:"]
    lines += [f"  - url: {url}\n    topics: [t]" for url in urls]
    path = tmp_path / "watch.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seed(engine: Engine) -> None:
    """Two feeds listing the same article (one with a finding), the gone feed with a kept page too."""
    with session_scope(engine) as s:
        ids = ensure_feeds(s, urls=[KEPT, GONE])
    entry = NewEntry(guid="g1", link=SHARED, title="North Korea", summary="", published=None)
    other = NewEntry(
        guid="g2", link="https://gone.example/kept-unread", title="x", summary="", published=None
    )
    record_group(engine, entries={ids[KEPT]: [entry], ids[GONE]: [entry, other]},
                 polls=[Poll(feed_id=i, status="ok") for i in ids.values()])  # fmt: skip
    with session_scope(engine) as s:
        article = Article(url=SHARED, title="North Korea", text="3,000 troops", fetched_at=datetime.now(UTC))
        s.add(article)
        s.flush()
        assert article.id is not None
        for row in s.exec(select(Entry).where(Entry.link == SHARED)).all():
            row.article_id = article.id
        claim = Claim(topic="t", kind="figure", key="k", first_article_id=article.id)
        s.add(claim)
        s.flush()
        assert claim.id is not None
        s.add(Finding(article_id=article.id, claim_id=claim.id, topic="t", kind="figure", data={},
                      sentence="3,000 troops", start=0, end=5, is_new=True))  # fmt: skip
        unread = s.exec(select(Entry).where(Entry.guid == "g2")).one()
        assert unread.id is not None
        s.add(RawPage(url=unread.link, entry_id=unread.id, content=b"x", size=1))


def count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_pruning_deletes_the_feed_and_its_entries_and_keeps_articles_and_findings(
    engine: Engine,
) -> None:
    seed(engine)
    with session_scope(engine) as s:
        pruned = prune_feeds(s, keep={KEPT})
    assert (pruned.urls, pruned.entries, pruned.pages) == ((GONE,), 2, 1)
    with Session(engine) as s:
        assert s.exec(select(Feed.url)).all() == [KEPT]
        assert [e.guid for e in s.exec(select(Entry)).all()] == ["g1"]  # the kept feed's entry of the article
    assert (count(engine, Article), count(engine, Finding), count(engine, Claim)) == (
        1,
        1,
        1,
    )
    assert count(engine, RawPage) == 0


def test_feeds_names_the_removed_ones_and_prune_deletes_them(sqlite_engine: Engine, tmp_path: Path) -> None:
    seed(sqlite_engine)
    db, watch = str(sqlite_engine.url), str(watch_file(tmp_path, [KEPT]))
    listing = runner.invoke(app, ["feeds", "--db", db, "--watch", watch], env={"COLUMNS": "300"})
    assert listing.exit_code == 0, listing.output
    assert (
        f"1 feed is not in the watch file and no longer polled: {GONE}; `newswatch feeds --prune` deletes it "
        "(their articles and findings stay)"
    ) in listing.stdout
    pruned = runner.invoke(app, ["feeds", "--db", db, "--watch", watch, "--prune"], env={"COLUMNS": "300"})
    assert pruned.exit_code == 0, pruned.output
    assert pruned.stdout.startswith(
        f"pruned 1 feed no longer in the watch file: {GONE} (with 2 entries and 1 pages kept unread; "
        "their articles and findings stay)"
    )
    assert GONE not in pruned.stdout.partition("\n")[2] and count(sqlite_engine, Feed) == 1
    again = runner.invoke(app, ["feeds", "--db", db, "--watch", watch, "--prune"])
    assert again.stdout.startswith("every stored feed is in the watch file: nothing to prune")
