"""Attacks on storage from a hostile feed, on SQLite and PostgreSQL: forged corroboration, poisoned URLs,
statement matching that stalls a pass, and bytes the database refuses.

Each test is one attack of issue 14 with hostile input of our own and a control of the same size; bounds
are ratios to the control, counts or memory, never a wall-clock time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.engine import Engine

from extractors.findings import Statement
from storage.claims import store_findings
from storage.db import session_scope
from storage.models import Article

QUOTES = 14  # one 20 KB page of quotes by one speaker
WORDS = 300


def statement(quote: str, speaker: str, start: int = 0) -> Statement:
    return Statement(
        speaker=speaker,
        speaker_key=speaker.lower().replace(" ", "-"),
        role=None,
        verb="said",
        quote=quote,
        direct=True,
        sentence=f'"{quote}," she said.',
        start=start + 1,
        end=start + 1 + len(quote),
    )


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
