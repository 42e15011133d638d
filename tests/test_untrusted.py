"""Text cleaned where it enters, and findings bounded per article."""

from __future__ import annotations

from dataclasses import replace

from extractors.findings import Figure, Statement
from extractors.limits import MAX_FINDINGS, SENTENCE_CHARS, bound_findings
from extractors.untrusted import KEY_CHARS, clean_key, clean_line, clean_text, is_clean_link


def test_text_loses_controls_and_lone_surrogates_but_keeps_lines() -> None:
    assert clean_text("a\x00b\x1b[2Jc\r\nd\x9b\ud800e\tf") == "ab[2Jc\nd\ufffde\tf"
    assert clean_text("x" * 50, 10) == "x" * 10


def test_a_line_is_folded_and_capped() -> None:
    assert clean_line("  North\x00 Korea\n\x07sends\t troops ") == "North Korea sends troops"
    assert clean_line("y" * 500, 300) == "y" * 299 + "…"


def test_keys_and_links() -> None:
    assert clean_key("g" * 100) == "g" * 100
    long = clean_key("g" * (KEY_CHARS + 1))
    assert long.startswith("sha256:") and len(long) < KEY_CHARS
    assert is_clean_link("https://example.org/a?b=c")
    assert not is_clean_link("https://example.org/a b")
    assert not is_clean_link("https://example.org/" + "x" * KEY_CHARS)
    assert not is_clean_link("https://example.org/\x1b")


def figure(n: int, sentence: str, start: int) -> Figure:
    return Figure(
        value=n, low=n, high=n, vague=False, qualifier="none", unit="soldiers", unit_class="troops",
        claimant="NIS", claimant_key="nis", stance="claimed", sentence=sentence, start=start, end=start + 5,
    )  # fmt: skip


def test_findings_are_capped_per_article_across_topics() -> None:
    found = {"a": [figure(n, "s", 0) for n in range(150)], "b": [figure(n, "s", 0) for n in range(150)]}
    bounded = bound_findings("s", found)
    assert [len(v) for v in bounded.findings.values()] == [150, MAX_FINDINGS - 150]
    assert bounded.dropped == 300 - MAX_FINDINGS


def test_a_long_sentence_keeps_a_window_around_its_number() -> None:
    sentence = "word " * 2000 + "10,000 soldiers" + " more" * 2000
    document = "Title\n\n" + sentence
    start = document.index("10,000")
    clipped = bound_findings(document, {"t": [figure(10_000, sentence, start)]}).findings["t"][0]
    assert len(clipped.sentence) == SENTENCE_CHARS and "10,000 soldiers" in clipped.sentence
    assert clipped.sentence in document


def test_a_long_quote_and_speaker_are_cut() -> None:
    said = Statement(speaker="S" * 500, speaker_key="s", role="R" * 500, verb="said", quote="q" * 5000,
                     direct=True, sentence="x", start=0, end=1)  # fmt: skip
    clipped = bound_findings("x", {"t": [said]}).findings["t"][0]
    assert isinstance(clipped, Statement)
    assert (len(clipped.quote), len(clipped.speaker), len(clipped.role or "")) == (1000, 120, 120)
    assert replace(clipped, quote=said.quote, speaker=said.speaker, role=said.role) == said
