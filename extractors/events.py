"""The attributions of one sentence: from its parse, from headline quotations, and from patterns."""

from __future__ import annotations

import re

from extractors.attribution import Attribution, find_attribution
from extractors.headlines import quote_events
from extractors.lexicon import Lexicon
from extractors.parse import Parse
from extractors.quotes import Quote
from extractors.speech import speech_events


def sentence_events(text: str, parse: Parse | None, quotes: list[Quote], lex: Lexicon) -> list[Attribution]:
    """The attributions of a sentence: from its parse, plus the one patterns find where the parse could not
    read it (a headline's "...: Seoul", German text, a verb the parser mistook for an adjective)."""
    events = speech_events(parse, quotes) if parse is not None else []
    for worn in quote_events(parse, quotes) if parse is not None else []:
        # a quotation worn by its speaker replaces that speaker's verb in a headline ("'X': Al Jazeera demands")
        events = [
            e
            for e in events
            if not (e.subject_start < worn.subject_end and worn.subject_start < e.subject_end)
        ]
        events.append(worn)
    attr = find_attribution(text, quotes)
    if attr is None or any(
        e.subject_start < attr.subject_end and attr.subject_start < e.subject_end for e in events
    ):
        return events
    if attr.form == "headline" and _topic_label(attr, text, lex):
        return events  # "Storm Hilda: what we know" is about the storm, not said by it
    if parse is not None and attr.form != "headline" and not _misread(parse, attr):
        return events  # the parse read that verb and found no speech in it ("reports from Gaza", "citing")
    return [*events, attr]


_LABELS = re.compile(r"(?i)^\s*(?:what\s+(?:we|you)\s+know|what\s+to\s+know|live|latest|explained|in\s+pictures|"
                     r"timeline|the\s+latest|key\s+facts|scenes?\s+from)\b")  # fmt: skip


def _topic_label(attr: Attribution, text: str, lex: Lexicon) -> bool:
    """Whether a headline's "X: ..." names the topic itself, or only labels a piece ("...: what we know")."""
    label = attr.content_start > attr.subject_start and _LABELS.match(text, attr.content_start) is not None
    own = lex.has_term(attr.subject) and lex.claimant_key(attr.subject) is None
    return label or own or (lex.has_event(attr.subject) and lex.claimant_key(attr.subject) is None)


def _misread(parse: Parse, attr: Attribution) -> bool:
    """Whether the parser read the pattern's reporting verb as something else (a modifier, a noun's part)."""
    verb = (attr.verb or "").split()[-1:] or [""]
    words = [w for w in parse.words if w.text == verb[0] and w.start >= attr.subject_end]
    if not words or not words[0].tag.startswith("VB"):
        return False
    w = words[0]
    # a modifier or a noun's part, or a verb left without a subject ("in Brisa Alta, the town's mayor
    # said": the parser hung "mayor" on the place as an apposition)
    before = parse.words[w.i - 1] if w.i > 0 else None
    return (
        w.dep in ("amod", "compound", "nmod", "acl")
        or (w.dep == "conj" and not parse.children(w.i, "nsubj", "nsubjpass"))
        or (before is not None and before.dep == "appos" and before.pos == "NOUN")
    )
