"""Bounds on what detection hands on: at most MAX_FINDINGS findings per article, each finding's text cut to a
size that alerts, tables and the database carry without trouble.

A 215 KB page of numbers once gave 7,000 findings, 35 messages per channel and gigabytes in the pass's
process: what a page can make the rest of a pass do must not grow with the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from extractors.findings import Figure, Finding, Statement

MAX_FINDINGS = 200  # per article, all topics together; the most findings of 200 real pages is 41
SENTENCE_CHARS = 1_000  # evidence: a window of the sentence around the number or the quote
QUOTE_CHARS = 1_000
WORD_CHARS = 120  # a speaker, claimant, role, verb or unit


@dataclass(frozen=True)
class BoundedFindings:
    """An article's findings by topic within the bounds, and how many were dropped past the cap."""

    findings: dict[str, tuple[Finding, ...]]
    dropped: int


def bound_findings(
    document: str, found: Mapping[str, Sequence[Finding]], *, limit: int = MAX_FINDINGS
) -> BoundedFindings:
    """The first `limit` findings of a document (topics in order), each clipped; the rest are counted."""
    kept: dict[str, tuple[Finding, ...]] = {}
    room, dropped = limit, 0
    for topic, findings in found.items():
        taken = findings[: max(room, 0)]
        dropped += len(findings) - len(taken)
        room -= len(taken)
        kept[topic] = tuple(clip_finding(document, f) for f in taken)
    return BoundedFindings(kept, dropped)


def clip_finding(document: str, finding: Finding) -> Finding:
    """The finding with its sentence cut to a window around its span and its words to their caps."""
    sentence = _window(document, finding.sentence, finding.start, finding.end)
    if isinstance(finding, Statement):
        return replace(
            finding,
            sentence=sentence,
            quote=_cut(finding.quote, QUOTE_CHARS),
            speaker=_cut(finding.speaker, WORD_CHARS),
            speaker_key=_cut(finding.speaker_key, WORD_CHARS),
            role=_cut(finding.role, WORD_CHARS) if finding.role else finding.role,
            verb=_cut(finding.verb, WORD_CHARS) if finding.verb else finding.verb,
        )
    assert isinstance(finding, Figure)
    return replace(
        finding,
        sentence=sentence,
        unit=_cut(finding.unit, WORD_CHARS),
        claimant=_cut(finding.claimant, WORD_CHARS) if finding.claimant else finding.claimant,
        claimant_key=_cut(finding.claimant_key, WORD_CHARS) if finding.claimant_key else finding.claimant_key,
    )


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _window(document: str, sentence: str, start: int, end: int) -> str:
    """At most SENTENCE_CHARS of `sentence`, around the span [start, end) of the document when the sentence
    can be found there (it starts at most its length before the span), else its beginning."""
    if len(sentence) <= SENTENCE_CHARS:
        return sentence
    at = document.find(sentence, max(0, end - len(sentence)), start + len(sentence))
    if at < 0:
        return sentence[:SENTENCE_CHARS]
    lo, hi = start - at, end - at
    margin = max(0, (SENTENCE_CHARS - (hi - lo)) // 2)
    first = max(0, min(lo - margin, len(sentence) - SENTENCE_CHARS))
    return sentence[first : first + SENTENCE_CHARS]
