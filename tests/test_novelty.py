"""Novelty of figures no one is named for, of totals with parts, and of parts of a toll, from our own text."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from extractors.detect import detect
from extractors.findings import Figure
from newswatch.watchfile import load_watch
from storage.claims import StoredFindings, store_findings
from storage.db import session_scope
from storage.models import Article

FIXTURES = Path(__file__).parent / "fixtures" / "detect"
STORM = load_watch(FIXTURES / "storm.yaml").topic("storm-hilda")
CRASH = load_watch(FIXTURES / "crash.yaml").topic("lumen-crash")


def _store(engine: Engine, topic_name: str, texts: list[str], topic: object) -> list[StoredFindings]:
    """Detect and store each text as one article of its own outlet, in order."""
    out = []
    with session_scope(engine) as s:
        for n, text in enumerate(texts):
            article = Article(url=f"http://outlet{n}.test/a", title="", outlet=f"Outlet {n}", text=text)
            s.add(article)
            s.flush()
            found = detect(text, topic)  # type: ignore[arg-type]
            out.append(store_findings(s, article=article, topic=topic_name, findings=found))
    return out


def test_an_unattributed_count_is_revised_twice(engine: Engine) -> None:
    """2,500 -> 8,000 -> 12,000 evacuated, with no one named: one new figure, then two revisions."""
    texts = [
        "Storm Hilda forced 2,500 people to be evacuated from Porto's riverside overnight.",
        "Storm Hilda: 8,000 people have now been evacuated from their homes in Porto.",
        "As Storm Hilda stalled over Porto, 12,000 residents had been evacuated by Wednesday.",
    ]
    results = _store(engine, STORM.name, texts, STORM)
    changes = [[c.change for c in r.new if isinstance(c.finding, Figure)] for r in results]
    assert changes == [["new_figure"], ["revised_figure"], ["revised_figure"]]
    assert results[2].new[0].previous[0].startswith("2,500")
    assert results[2].new[0].previous[1].startswith("8,000")


def test_a_total_with_parts_is_one_figure_not_a_revision(engine: Engine) -> None:
    """52 passengers and four crew members: one total of 56, stored once, with its parts."""
    text = "The Air Lumen jet was carrying 52 passengers and four crew members when it went down, the airline said."
    (result,) = _store(engine, CRASH.name, [text], CRASH)
    figures = [c for c in result.new if isinstance(c.finding, Figure)]
    assert [(c.change, c.finding.value, c.finding.parts) for c in figures] == [("new_figure", 56, (52, 4))]


def test_a_part_of_a_toll_does_not_revise_the_toll(engine: Engine) -> None:
    """'38 people, including 13 children': two series; a later 15 children revises only the children."""
    texts = [
        "Storm Hilda's floods killed 38 people in Coimbra, including 13 children, the interior ministry said.",
        "The interior ministry said Storm Hilda's floods had killed 15 children in Coimbra.",
    ]
    first, second = _store(engine, STORM.name, texts, STORM)
    assert sorted((c.finding.value, c.change) for c in first.new if isinstance(c.finding, Figure)) == [
        (13, "new_figure"),
        (38, "new_figure"),
    ]
    revised = [c for c in second.new if isinstance(c.finding, Figure)]
    assert [(c.finding.value, c.change) for c in revised] == [(15, "revised_figure")]
    assert revised[0].previous[0].startswith("13")
