"""Why detection counts a sentence and what it finds there: what `newswatch check` shows a user tuning a watch file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.detect import detect
from extractors.findings import Figure, Finding, describe_figure
from extractors.lexicon import Lexicon, lexicon_for
from extractors.scope import scope_of
from extractors.topic import Topic


@dataclass(frozen=True)
class SentenceView:
    """One sentence of a sample text: whether its statements and figures count, why, and what was found."""

    number: int  # 1-based
    text: str
    statements_count: bool
    figures_count: bool
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...]


def explain(text: str, topic: Topic) -> list[SentenceView]:
    """Every sentence of `text` with what makes it count for `topic` (or not) and the findings in it."""
    lex = lexicon_for(topic)
    scope = scope_of(text, lex)
    found = detect(text, topic)
    views = []
    for i, sent in enumerate(scope.sentences):
        lo, hi = scope.src.span(sent.start, sent.end)
        inside = tuple(f for f in found if lo <= f.start < hi)
        reasons = _reasons(sent.text, lex)
        if scope.near[i] and not _matches(lex.terms, sent.text) and scope.established[i]:
            reasons += ("an earlier sentence or the headline named the topic",)
        views.append(SentenceView(i + 1, sent.text, scope.about[i], scope.near[i], reasons, inside))
    return views


def _matches(pattern: re.Pattern[str] | None, text: str) -> list[str]:
    """The distinct words of `pattern` found in `text`, as written."""
    return list(dict.fromkeys(m.group() for m in pattern.finditer(text))) if pattern else []


def _reasons(text: str, lex: Lexicon) -> tuple[str, ...]:
    """The watch-file words a sentence contains, by section."""
    out = []
    for label, pattern in (
        ("term", lex.terms),
        ("aspect", lex.aspects),
        ("context word", lex.context),
        ("event noun", lex.events),
        ("not about", lex.not_about),
    ):
        words = _matches(pattern, text)
        if words:
            out.append(f"{label} {', '.join(repr(w) for w in words)}")
    return tuple(out)


def describe(finding: Finding) -> str:
    """A finding in one line, with what decided it: "figure: around 3,000 soldiers [troops] claimed by ..."."""
    if isinstance(finding, Figure):
        who = (
            f"claimed by {finding.claimant!r} [{finding.claimant_key}]"
            if finding.claimant
            else "no one named [reported]"
        )
        parts = f" = {' + '.join(f'{p:,}' for p in finding.parts)}" if finding.parts else ""
        part = ", part of a bigger count" if finding.subset else ""
        return (
            f"figure: {describe_figure(finding)}{parts} [{finding.unit_class}{part}], {who}, {finding.stance}"
        )
    how = "quoted" if finding.direct else "reported"
    role = f", {finding.role}" if finding.role else ""
    verb = f" ({finding.verb})" if finding.verb else " (headline)"
    return f"statement: {finding.speaker}{role} [{finding.speaker_key}]{verb}, {how}: {finding.quote!r}"
