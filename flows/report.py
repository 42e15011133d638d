"""A pass's summary: counted as the pass goes, written as Markdown and table rows (flows/artifacts.py
publishes them)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from alerts.backlog import describe
from alerts.escaping import markdown_code, markdown_link, markdown_text
from alerts.markup import neutral
from extractors.findings import Figure, Statement, describe_figure
from newswatch.delivery import SendReport
from newswatch.hints import hint_for, split_reason
from newswatch.pipeline import ReadResult
from newswatch.polling import PollResult
from storage.queries import ArticleRef

# What a pass keeps and shows of its new findings and feeds: the counts stay exact, the rows stop here.
# (A page of 7,000 numbers once made the summary and its artifacts take gigabytes.)
MAX_ROWS = 500
MAX_FEED_ROWS = 300
MAX_MARKDOWN_CHARS = 200_000


@dataclass(frozen=True)
class FeedLine:
    """One feed's poll as the summary lists it."""

    url: str
    status: str  # ok, not_modified, or an error class
    new_entries: int
    to_read: int
    error: str


@dataclass(frozen=True)
class NewFinding:
    """One new or revised finding of the pass, with the article it came from."""

    topic: str
    change: str
    kind: str
    what: str  # the figure in words, or the quote
    by: str  # claimant or speaker
    article_id: int | None
    unit_class: str | None
    baseline: str | None = None  # why it was stored without an alert (alerts.backlog), None: alerted


@dataclass
class RunSummary:
    """Counts of one pass: feeds, articles, findings, alerts; and the new findings themselves."""

    topics: list[str]
    started: datetime
    feeds: Counter[str] = field(default_factory=Counter)  # ok / not_modified / failed
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # url, error class, detail
    feed_lines: list[FeedLine] = field(default_factory=list)
    entries_new: int = 0
    articles_read: int = 0
    articles_downloaded: int = 0
    articles_fallback: int = 0
    fallback_classes: Counter[str] = field(default_factory=Counter)  # why pages were not read (not_html...)
    articles_kept: int = 0  # pages the relevance gate left unread (they name no topic): kept packed
    findings_new: int = 0
    findings_revised: int = 0
    findings_repeated: int = 0
    findings_dropped: int = 0  # past the per-article cap
    findings_baseline: int = 0  # new and revised, stored as a feed's baseline: not alerted
    new: list[NewFinding] = field(default_factory=list)
    alerts_sent: int = 0
    alert_messages: int = 0  # the messages that carried them (one per article, or per topic in a digest)
    alerts_failed: int = 0  # deliveries that failed in this pass (they stay pending)
    alerts_held: int = 0
    alerts_findings: int = 0  # distinct findings (and feed-health changes) the messages carried
    channels_ok: int = 0  # channels that delivered a message in this pass
    channels_failed: list[str] = field(default_factory=list)  # channels (masked) that failed, sent nothing
    database_error: str | None = None  # the pass stopped because the database failed (class: detail)
    events_emitted: int = 0  # Prefect events (flows/events.py)
    events_over_cap: int = 0  # events not emitted past the per-pass caps
    alerts_pending: int | None = None  # every undelivered row after the pass, read from the ledger
    alerts_given_up: int | None = None  # rows marked failed after too many attempts
    watch_file: str | None = None  # where the charts find claimant names and topic titles

    @classmethod
    def start(cls, *, topics: list[str], watch_file: str | None = None) -> RunSummary:
        """An empty summary for a pass starting now (`watch_file`: the pass's, default the settings')."""
        return cls(topics=topics, started=datetime.now(UTC), watch_file=watch_file)

    def add_poll(self, poll: PollResult) -> None:
        """Count one feed's poll."""
        if poll.status in ("ok", "not_modified"):
            self.feeds[poll.status] += 1
        else:
            self.feeds["failed"] += 1
            self.failures.append((poll.url, poll.status, (poll.error or "")[:300]))
        self.entries_new += poll.new_entries
        if len(self.feed_lines) < MAX_ROWS or poll.status not in ("ok", "not_modified"):
            line = FeedLine(
                poll.url, poll.status, poll.new_entries, len(poll.to_read), (poll.error or "")[:300]
            )
            self.feed_lines.append(line)

    def add_crashed_poll(self, error: str) -> None:
        """Count a poll whose task itself failed (a bug, reported but not fatal to the pass)."""
        self.feeds["failed"] += 1
        self.failures.append(("?", "crashed", error[:300]))
        self.feed_lines.append(FeedLine("?", "crashed", 0, 0, error[:300]))

    def add_reads(self, reads: list[ReadResult]) -> None:
        """Count one feed's articles and what they added."""
        for read in reads:
            if read.source == "skipped":
                continue
            if read.source == "kept":
                self.articles_kept += 1
                self.articles_downloaded += read.downloaded
                continue
            self.articles_read += 1
            self.articles_downloaded += read.downloaded
            self.articles_fallback += read.source == "feed"
            if read.source == "feed" and read.fallback_reason:
                self.fallback_classes[split_reason(read.fallback_reason)[0]] += 1
            self.findings_repeated += read.repeated
            self.findings_dropped += getattr(read, "dropped", 0)
            baseline = getattr(read, "baseline", None)
            self.findings_baseline += len(read.new) if baseline else 0
            for change in read.new:
                if change.change == "revised_figure":
                    self.findings_revised += 1
                else:
                    self.findings_new += 1
                if len(self.new) < MAX_ROWS:
                    found = _new_finding(change.topic, change.change, change.finding, read.article_id)
                    self.new.append(replace(found, baseline=baseline))

    def add_sends(self, report: SendReport) -> None:
        """Count the alerts sent and those left pending."""
        self.alerts_sent += report.sent
        self.alert_messages += report.messages
        self.alerts_failed += report.failed
        self.alerts_held += getattr(report, "held", 0)  # rows of channels in quiet hours
        self.alerts_findings += report.subjects
        self.channels_ok += report.channels_ok
        self.channels_failed.extend(report.channels_failed)

    @property
    def new_rows(self) -> list[dict[str, Any]]:
        """The new findings as plain rows (without their articles' outlet and link)."""
        return [_table_row(f, None) for f in self.new]

    def one_line(self) -> str:
        """The pass in one line, for logs and the terminal."""
        pending = self.alerts_pending if self.alerts_pending is not None else self.alerts_failed
        return (
            f"feeds: {sum(self.feeds.values())} polled, {self.feeds['ok']} ok, "
            f"{self.feeds['not_modified']} not modified, {self.feeds['failed']} failed | "
            f"articles read: {self.articles_read}"
            + (f" ({self.articles_kept} more name no topic: kept unread)" if self.articles_kept else "")
            + f" | findings: {self.findings_new} new, "
            f"{self.findings_revised} revised, {self.findings_repeated} repeated"
            + (f" ({self.findings_baseline} of them baseline, not alerted)" if self.findings_baseline else "")
            + " | "
            # Messages, not rows: a row is a finding x channel, and 22 of them went out as 4 messages.
            f"alerts: {self.alert_messages} messages sent ({self.alerts_findings} findings), "
            f"{pending} deliveries pending"
            + (f", {self.alerts_given_up} failed" if self.alerts_given_up else "")
        )

    def markdown(self) -> str:
        """The summary artifact's text."""
        took = (datetime.now(UTC) - self.started).total_seconds()
        pending = self.alerts_pending if self.alerts_pending is not None else self.alerts_failed
        lines = [
            f"# newswatch pass: {markdown_text(', '.join(self.topics))}",
            f"Started {self.started:%Y-%m-%d %H:%M:%S} UTC, took {took:.0f} s.",
            "",
            "| what | count |",
            "|---|---|",
            f"| feeds polled | {sum(self.feeds.values())}: {self.feeds['ok']} ok, "
            f"{self.feeds['not_modified']} not modified, {self.feeds['failed']} failed |",
            f"| new entries | {self.entries_new} |",
            f"| articles read | {self.articles_read} ({self.articles_downloaded} downloaded, "
            f"{self.articles_fallback} from the feed's summary) |",
            f"| pages kept unread (they name no topic) | {self.articles_kept} |",
            f"| findings new / revised / repeated | {self.findings_new} / {self.findings_revised} / "
            f"{self.findings_repeated} |",
            *(
                [f"| findings dropped past the cap per article | {self.findings_dropped} |"]
                * bool(self.findings_dropped)
            ),
            f"| of the new and revised, stored as a feed's baseline (not alerted) | {self.findings_baseline} |",
            f"| alerts sent / pending / failed | {self.alerts_sent} / {pending} / {self.alerts_given_up or 0} |",
        ]
        if self.alerts_failed:
            lines.append(f"\n{self.alerts_failed} deliveries failed in this pass and will be retried.")
        if self.alerts_held:
            lines.append(f"\n{self.alerts_held} alerts are held for their channels' quiet hours.")
        lines += [
            "",
            "## Feeds",
            "",
            "| feed | status | new entries | to read | error |",
            "|---|---|---|---|---|",
        ]
        shown = sorted(self.feed_lines, key=lambda f: (f.status in ("ok", "not_modified"), f.url))
        for f in shown[:MAX_FEED_ROWS]:
            # Statuses are our own words (ok, not_modified, or an error class such as http_status).
            status = f.status.replace("_", " ") if f.status in ("ok", "not_modified") else f"**{f.status}**"
            lines.append(
                f"| {markdown_code(f.url).replace('|', '%7C')} | {status} | {f.new_entries} | {f.to_read} | {_cell(f.error)} |"
            )
        steps = dict.fromkeys(
            f"- {markdown_code(f.url).replace('|', '%7C')}: {markdown_text(hint)}"
            for f in shown[:MAX_FEED_ROWS]
            if (hint := hint_for(f.status, f.error))
        )
        if steps:
            lines += ["", "Next steps:", "", *steps]
        if len(shown) > MAX_FEED_ROWS or sum(self.feeds.values()) > len(shown):
            lines.append(
                f"\n{sum(self.feeds.values()) - min(len(shown), MAX_FEED_ROWS)} more feeds not listed."
            )
        lines.append(
            "\nPending alerts wait for a retry with backoff; failed ones gave up after "
            "NEWSWATCH_ALERT_MAX_ATTEMPTS (`newswatch alerts pending` lists them, `newswatch alerts retry` "
            "sends them again)."
        )
        return _capped("\n".join(lines), MAX_MARKDOWN_CHARS)

    def findings_table(self, refs: dict[int, ArticleRef]) -> list[dict[str, Any]]:
        """The table artifact's rows, figures first: kind, value or quote, claimant or speaker, outlet, link."""
        ordered = sorted(self.new, key=lambda f: f.kind != "figure")
        return [_table_row(f, refs.get(f.article_id) if f.article_id else None) for f in ordered]


def _cell(text: str) -> str:
    """Error text as a code span that keeps a table cell whole: shown as it is, `<unknown>` included.

    A code span makes no link, image, HTML or markup; only its `|` must be escaped, or it splits the cell.
    """
    # neutral(): no "://" or "www." a renderer would turn into a link, even outside the code span.
    return markdown_code(neutral(text), 200).replace("|", "\\|") if text else ""


def _capped(markdown: str, size: int) -> str:
    """Markdown of at most `size` characters, cut at a line with a note."""
    if len(markdown) <= size:
        return markdown
    return markdown[: markdown.rfind("\n", 0, size - 100)] + "\n\n… (shortened)"


def _new_finding(topic: str, change: str, finding: Figure | Statement, article_id: int | None) -> NewFinding:
    if isinstance(finding, Figure):
        who = finding.claimant or "(unattributed)"
        return NewFinding(
            topic, change, "figure", describe_figure(finding), who, article_id, finding.unit_class
        )
    return NewFinding(
        topic, change, "statement", f"“{_clip(finding.quote, 70)}”", finding.speaker, article_id, None
    )


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _table_row(finding: NewFinding, ref: ArticleRef | None) -> dict[str, Any]:
    # Prefect's UI renders every text cell as Markdown: each is escaped, and the only link is the article's.
    # Five short columns, the longest text last: with eight, the right-hand ones were cut off in the UI.
    return {
        "change": finding.change.replace("_", " "),  # says the kind too: new figure, new statement...
        "claimant or speaker": markdown_text(finding.by, 40),
        "article": markdown_link(ref.outlet or "article", ref.url, limit=40) if ref else "",
        "alert": f"no ({describe(finding.baseline)})" if finding.baseline else "yes",
        "finding": markdown_text(finding.what, 90),  # the whole quote is in the alert and `findings`
    }
