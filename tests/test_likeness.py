"""Near-duplicate statements: the same remark across outlets is one statement, found with bounded work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from extractors.findings import Statement
from storage.claims import store_findings
from storage.db import session_scope
from storage.likeness import MAX_COMPARED, first_same, same_report, same_statement, statement_key
from storage.models import Article, Claim


def key(text: str) -> str:
    return statement_key(text)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("What exactly they are doing? That's still to be seen.", "What exactly they are doing? Left to be seen.",
         True),
        ("These are things we need to sort out,", "These are things that we need to sort out.", True),
        ("There is evidence that there are DPRK troops in Russia,",
         "There is evidence that there are DPRK troops in Russia, and that is very serious.", True),
        ("“What exactly they are doing?  That’s still to be seen.”", '"what exactly they are doing thats still to be seen"',
         True),
        ("There is evidence that there are DPRK troops in Russia", "North Korea must bear responsibility", False),
        ("heroism", "cowardice", False),
        ("", "anything", False),
    ],
)  # fmt: skip
def test_the_same_remark_with_small_differences_is_one_statement(a: str, b: str, same: bool) -> None:
    assert same_statement(key(a), key(b)) is same
    assert same_statement(key(b), key(a)) is same


def test_reported_speech_in_other_words_and_order() -> None:
    a = key("North Korea has sent about 3,000 troops to Russia's Kursk region")
    b = key("about 3,000 troops to Russia's Kursk region North Korea has sent")
    assert same_report(a, b)
    assert not same_statement(a, b)  # as a quote, the order matters
    assert not same_report(a, key("South Korea has sent no troops anywhere near the Kursk region at all"))
    assert not same_report(key("troops"), key("troops"))  # too short to say


def test_a_lookup_compares_at_most_the_cap() -> None:
    compared: list[str] = []

    def candidates() -> list[tuple[str, int]]:
        return [(f"remark number {n} " * 3, n) for n in range(MAX_COMPARED + 100)]

    def watch(pairs: list[tuple[str, int]]) -> Iterator[tuple[str, int]]:
        for pair in pairs:
            compared.append(pair[0])
            yield pair

    assert first_same(key("something else entirely said here today"), watch(candidates())) is None
    assert len(compared) == MAX_COMPARED + 1  # the one past the cap is taken, then the lookup stops


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


def test_a_speaker_with_a_long_history_is_compared_with_the_recent_statements(engine: Engine) -> None:
    """A lookup reads and compares at most MAX_COMPARED statements of the speaker, the most recent."""
    history = [" ".join(f"r{n}w{i}" for i in range(8)) for n in range(MAX_COMPARED + 20)]
    with session_scope(engine) as s:
        page = Article(url="http://outlet.example/history", title="t", outlet="Outlet", text="...")
        s.add(page)
        s.flush()
        store_findings(s, article=page, topic="t", findings=[statement(q, "Speaker") for q in history])
    with session_scope(engine) as s:
        later = Article(url="http://other.example/later", title="t", outlet="Other", text="...")
        s.add(later)
        s.flush()
        recent = store_findings(
            s, article=later, topic="t", findings=[statement(history[-1] + " today", "Speaker")]
        )
        oldest = store_findings(
            s, article=later, topic="t", findings=[statement(history[0] + " today", "Speaker")]
        )
    assert (len(recent.new), recent.repeated) == (0, 1)  # a near-duplicate of a recent statement
    assert len(oldest.new) == 1  # the oldest is past the cap: compared with nothing, so new
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Claim)).one() == MAX_COMPARED + 21
