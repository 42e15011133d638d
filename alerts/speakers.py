"""Whose statements are news at once: watch-file claimants, named people and named institutions.

Unnamed narration ("officials said", "sources said", "it said", "analysts in Seoul said") is stored and
shown in digests and `newswatch findings`, but a route with `speakers: identified` (every instant route
unless it says otherwise) does not send it. The rule, on the speaker as detection wrote it:

1. a watch-file claimant of the topic is identified;
2. a pronoun, or a phrase opened by "a", "an", "some", "several", "many", a number..., is not;
3. the phrase's head (before "in", "from", "at", "of", "for", "with", "on", "who") is not identified when
   it ends in a word for people in general ("officials", "sources", "analysts", "diplomats", "experts",
   "residents", "authorities"...): "US officials" and "Western diplomats" name no one;
4. otherwise it is identified when a word of that head is a name, written with a capital, such as
   "Lloyd Austin", "Seoul", "Russia's foreign ministry", "the South Korean military", and not when
   it has none: "the agency", "his office", "state media".
"""

from __future__ import annotations

from collections.abc import Collection

from alerts.message import SpeakerClass
from extractors.findings import Statement


def _words_of(text: str) -> frozenset[str]:
    """The words of a blank-separated list."""
    return frozenset(text.split())


_DETERMINERS = _words_of("the this that these those his her its their our my your")
# A phrase opened by one of these describes someone without naming them.
_INDEFINITE = _words_of(
    """a an some several many few most other others another one two three four five dozens hundreds
    numerous various unnamed anonymous"""
)
_PRONOUNS = _words_of("he she it they we i you who one someone somebody nobody everyone")
_LINKS = _words_of("in from at of for with on who whom familiar close across inside within near")
# Words for people in general: a head ending in one names no one, however it is qualified.
_GROUPS = _words_of(
    """official officials source sources analyst analysts expert experts diplomat diplomats observer
    observers people person persons resident residents witness witnesses critic critics lawmaker lawmakers
    legislator legislators member members aide aides authorities police media officer officers researcher
    researchers scientist scientists activist activists reporter reporters insider insiders commentator
    commentators investigator investigators spokesman spokeswoman spokesperson spokespeople spokesmen
    representative representatives monitors soldiers troops residents locals villagers survivors
    relatives families protesters campaigners doctors medics rescuers"""
)


def _words(speaker: str) -> list[str]:
    """The speaker's words without brackets and trailing punctuation ("(NIS" -> "NIS")."""
    return [w.strip("()[]{}\"'“”‘’,;:.") for w in speaker.split() if w.strip("()[]{}\"'“”‘’,;:.")]


def _base(word: str) -> str:
    """A word in lowercase without a possessive ending ("Russia's" -> "russia")."""
    low = word.lower()
    for end in ("'s", "’s", "'", "’"):
        if low.endswith(end):
            return low[: -len(end)]
    return low


def speaker_class(statement: Statement, claimant_keys: Collection[str]) -> SpeakerClass:
    """Who made a statement: a watch-file claimant, a named person or institution, or no one named."""
    if statement.speaker_key in claimant_keys:
        return "claimant"
    words = _words(statement.speaker)
    if not words:
        return "unnamed"
    first = words[0].lower()
    if first in _INDEFINITE or first[0].isdigit() or (len(words) == 1 and first in _PRONOUNS):
        return "unnamed"
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    head: list[str] = []
    for word in words:
        if word.lower() in _LINKS and head:
            break
        head.append(word)
    if not head or _base(head[-1]) in _GROUPS or head[-1].lower() in _GROUPS:
        return "unnamed"
    named = any(w[0].isupper() and _base(w) not in _GROUPS and w.lower() not in _PRONOUNS for w in head)
    return "named" if named else "unnamed"


def identified(statement: Statement, claimant_keys: Collection[str]) -> bool:
    """Whether a statement's speaker is identified (a claimant, a named person or institution)."""
    return speaker_class(statement, claimant_keys) != "unnamed"
