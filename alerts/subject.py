"""Subjects that fit a phone's notification: at most 90 characters, the most important finding first.

"Revised: ~3,000 troops (NIS; was 1,500)", "New: up to 10,000 troops (Volodymyr Zelenskyy) +2 more",
"Lloyd Austin: “What exactly they are doing? That's still…”". What does not fit goes first: the earlier
value, then the length of a name, then the end of a quote (cut at a word).
"""

from __future__ import annotations

import re
from dataclasses import replace

from alerts.markup import clean, title_line
from alerts.message import AlertItem
from alerts.wording import describe_figure, without_date
from extractors.findings import Figure

SUBJECT_MAX = 90
_NAME_MAX = 28  # characters of a claimant's or speaker's name in a subject
# Qualifiers that only say "approximately": written "~" in a subject.
_APPROXIMATE = frozenset({"around", "about", "approximately", "roughly", "some", "estimated", "an estimated"})
_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z.]{1,9})\)?\s*$")  # "National Intelligence Service (NIS)"


def cut(text: str, limit: int) -> str:
    """`text` when it fits in `limit` characters, else cut at a word with "…"."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 1)]
    if " " in head[limit // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(",;:—– ") + "…"


def short_figure(figure: Figure) -> str:
    """A figure in a few characters: "~3,000 troops", "up to 10,000 troops", "2,700 wounded"."""
    if figure.qualifier in _APPROXIMATE and not figure.vague:
        return "~" + describe_figure(replace(figure, qualifier="none"))
    return describe_figure(figure)


def short_name(item: AlertItem) -> str:
    """Who, briefly: the watch file's abbreviation ("NIS") or name, else the name as written."""
    finding = item.finding
    written = (finding.claimant or "") if isinstance(finding, Figure) else finding.speaker
    if item.known_as:
        if match := _ABBREVIATION.search(item.known_as):
            return match[1]
        if len(item.known_as) <= _NAME_MAX:
            return item.known_as
    if not written:
        return "reported" if isinstance(finding, Figure) else "unnamed"
    return cut(clean(written), _NAME_MAX)


def _amount(item: AlertItem) -> str:
    """The claimant's last earlier value, briefly: "1,500" (its numbers), else as shown without its date."""
    if item.earlier:
        last = item.earlier[-1]
        if last.value is not None:
            return f"{last.value:,}"
        if last.low is not None and last.high is not None and last.low != last.high:
            return f"{last.low:,}-{last.high:,}"
    return cut(without_date(item.previous[-1]), 30) if item.previous else ""


def finding_subject(item: AlertItem, room: int = SUBJECT_MAX) -> str:
    """One finding as a subject of at most `room` characters."""
    finding = item.finding
    if not isinstance(finding, Figure):
        speaker = cut(clean(finding.speaker), _NAME_MAX)
        head = f"{speaker}: “"
        return head + cut(clean(finding.quote), max(room - len(head) - 1, 8)) + "”"
    label = "Revised" if item.change == "revised_figure" else "New"
    who = short_name(item) + (", denied" if finding.stance == "denied" else "")
    amount = _amount(item) if item.change == "revised_figure" else ""
    full = f"{label}: {short_figure(finding)} ({who}; was {amount})" if amount else ""
    if full and len(full) <= room:
        return full
    return cut(f"{label}: {short_figure(finding)} ({who})", room)


def subject(top: AlertItem, others: int, articles: int = 1) -> str:
    """A message's subject: its most important finding, then how many more (and in how many articles)."""
    tail = f" +{others} more" if others else ""
    if articles > 1:
        tail += f" in {articles} articles"
    return title_line(finding_subject(top, SUBJECT_MAX - len(tail)) + tail, SUBJECT_MAX)
