"""What a message says, before it is written in any format: its subject, its stories, each finding's lines.

Every format (Markdown, Slack, plain text, the email templates) is written from the same view, so they
cannot disagree. Text in a view is as the feed or page gave it, cleaned of control characters; each
format escapes it for its medium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alerts.markup import clean, safe_href
from alerts.message import AlertItem
from alerts.story import DIGEST_SHOWN, DIGEST_STORIES, SHOWN, Story, count, stories, story, what
from alerts.subject import subject
from alerts.wording import claimant, describe_figure, when
from extractors.findings import Figure

LABELS = {"new_figure": "New figure", "revised_figure": "Revised figure", "new_statement": "New statement"}


@dataclass(frozen=True)
class FindingView:
    """One finding: what changed, the figure or speaker, its lines, and its evidence sentence."""

    label: str  # "Revised figure"
    headline: str  # "around 3,000 troops", or "Lloyd Austin, U.S. Defense Secretary"
    lines: tuple[tuple[str, str], ...]  # ("Claimant", "South Korea's spy agency (claimed)"), ...
    sentence: str  # "" when the next finding comes from the same sentence (it is quoted once, after it)
    topic_title: str = ""  # set when the message is about several topics


@dataclass(frozen=True)
class StoryView:
    """One article: title, outlet, time and link first, then its findings, then how many more."""

    title: str
    outlet: str
    when: str
    url: str
    href: str | None  # the link when the URL is http(s); None: shown, never linked
    findings: tuple[FindingView, ...]
    more: str  # "… and 4 more new findings in this article (...): open the article, or run", or ""
    command: str = ""  # where the rest are: "newswatch findings --topic nk-troops-russia"


@dataclass(frozen=True)
class MessageView:
    """A whole message: its subject, a heading, the stories, and what is left out."""

    subject: str
    kind: str  # "instant", "digest" or "health"
    heading: str  # the topic's title, or "Digest: ..." or the feed's state
    stories: tuple[StoryView, ...] = ()
    more: str = ""  # "… and 3 more articles with 9 new findings (...): run", or ""
    command: str = ""  # where the rest are
    facts: tuple[tuple[str, str], ...] = ()  # a health alert's lines
    topic: str = ""  # the topic's key: where `newswatch findings --topic` finds the rest


def _finding(item: AlertItem, *, sentence: bool, with_topic: bool) -> FindingView:
    f = item.finding
    lines: list[tuple[str, str]] = []
    if isinstance(f, Figure):
        headline = describe_figure(f)
        lines.append(("Claimant", f"{claimant(f)} ({f.stance})" if f.stance else claimant(f)))
        if item.previous:
            lines.append(("Previously", ", ".join(item.previous)))
    else:
        headline = _balanced(f.speaker) + (f", {f.role}" if f.role else "")
        if f.direct:
            lines.append(("Quote", f"“{f.quote}”"))
        elif clean(f.quote) not in clean(f.sentence):  # reported speech is usually the sentence itself
            lines.append(("Reported", f.quote))
    return FindingView(
        LABELS[item.change],
        headline,
        tuple(lines),
        f.sentence if sentence else "",
        item.topic_title if with_topic else "",
    )


def _balanced(name: str) -> str:
    """A name with its brackets closed: detection may end "the National Intelligence Service (NIS"."""
    return name + ")" * max(name.count("(") - name.count(")"), 0)


def _where(topic: str) -> str:
    return f"newswatch findings --topic {topic}" if topic else "newswatch findings"


def _story(told: Story, *, with_topic: bool) -> StoryView:
    shown = told.shown
    findings = tuple(
        _finding(
            item,
            # Findings of one sentence (a figure and its speaker's words) share its quotation.
            sentence=not (i + 1 < len(shown) and shown[i + 1].finding.sentence == item.finding.sentence),
            with_topic=with_topic,
        )
        for i, item in enumerate(shown)
    )
    more = command = ""
    if told.more:
        topics = {i.topic for i in told.more}
        more = f"… and {count(len(told.more), 'more new finding')} in this article ({what(told.more)}): "
        more += "open the article, or run"
        command = _where(next(iter(topics)) if len(topics) == 1 else "")
    return StoryView(
        clean(told.title) or "(untitled)",
        clean(told.outlet),
        when(told.published),
        told.url,
        safe_href(told.url),
        findings,
        more,
        command,
    )


def instant_view(items: Sequence[AlertItem], shown: int = SHOWN) -> MessageView:
    """One article's new findings: the article, then the most important findings."""
    if not items:
        raise ValueError("an instant message needs at least one finding")
    told = story(items, shown)
    topics = list(dict.fromkeys(i.topic_title for i in items))
    return MessageView(
        subject=subject(told.shown[0], len(told.shown) + len(told.more) - 1),
        kind="instant",
        heading=" · ".join(topics),
        stories=(_story(told, with_topic=len(topics) > 1),),
        topic=items[0].topic if len(topics) == 1 else "",
    )


def digest_view(
    items: Sequence[AlertItem], shown: int = DIGEST_SHOWN, most: int = DIGEST_STORIES
) -> MessageView:
    """Many articles' new findings (a digest is about one topic): the articles with the most important
    findings first, a few findings each."""
    if not items:
        raise ValueError("a digest needs at least one finding")
    told = stories(items, shown)
    topics = list(dict.fromkeys(i.topic_title for i in items))
    best = told[0].shown[0]
    left = told[most:]
    more = command = ""
    if left:
        hidden = [i for s in left for i in s.shown + s.more]
        more = f"… and {count(len(left), 'more article')} with {count(len(hidden), 'new finding')} "
        more += f"({what(hidden)}): run"
        command = _where(items[0].topic if len(topics) == 1 else "")
    listed = sum(len(s.shown) + len(s.more) for s in told)
    heading = f"Digest: {count(listed, 'new finding')} from {count(len(told), 'article')}"
    return MessageView(
        subject=subject(best, listed - 1, len(told)),
        kind="digest",
        heading=heading + " · " + " · ".join(topics),
        stories=tuple(_story(s, with_topic=len(topics) > 1) for s in told[:most]),
        more=more,
        command=command,
        topic=items[0].topic if len(topics) == 1 else "",
    )
