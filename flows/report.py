"""A pass's summary: counted as the pass goes, published as Prefect artifacts at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from extractors.findings import Figure, describe_figure
from newswatch.delivery import SendReport
from newswatch.pipeline import PollResult, ReadResult


@dataclass
class RunSummary:
    """Counts of one pass: feeds, articles, findings, alerts; and the new findings themselves."""

    topics: list[str]
    started: datetime
    feeds: Counter[str] = field(default_factory=Counter)  # ok / not_modified / failed
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # url, error class, detail
    entries_new: int = 0
    articles_read: int = 0
    articles_downloaded: int = 0
    articles_fallback: int = 0
    findings_new: int = 0
    findings_revised: int = 0
    findings_repeated: int = 0
    new_rows: list[dict[str, Any]] = field(default_factory=list)
    alerts_sent: int = 0
    alerts_failed: int = 0
    alerts_pending: int = 0

    @classmethod
    def start(cls, *, topics: list[str]) -> RunSummary:
        """An empty summary for a pass starting now."""
        return cls(topics=topics, started=datetime.now(UTC))

    def add_poll(self, poll: PollResult) -> None:
        """Count one feed's poll."""
        if poll.status in ("ok", "not_modified"):
            self.feeds[poll.status] += 1
        else:
            self.feeds["failed"] += 1
            self.failures.append((poll.url, poll.status, poll.error or ""))
        self.entries_new += poll.new_entries

    def add_crashed_poll(self, error: str) -> None:
        """Count a poll whose task itself failed (a bug, reported but not fatal to the pass)."""
        self.feeds["failed"] += 1
        self.failures.append(("?", "crashed", error[:300]))

    def add_reads(self, reads: list[ReadResult]) -> None:
        """Count one feed's articles and what they added."""
        for read in reads:
            if read.source == "skipped":
                continue
            self.articles_read += 1
            self.articles_downloaded += read.downloaded
            self.articles_fallback += read.source == "feed"
            self.findings_repeated += read.repeated
            for change in read.new:
                if change.change == "revised_figure":
                    self.findings_revised += 1
                else:
                    self.findings_new += 1
                self.new_rows.append(_row(change.topic, change.change, change.finding, read.article_id))

    def add_sends(self, report: SendReport) -> None:
        """Count the alerts sent and those left pending."""
        self.alerts_sent += report.sent
        self.alerts_failed += report.failed

    def one_line(self) -> str:
        """The pass in one line, for logs and the terminal."""
        return (
            f"feeds: {sum(self.feeds.values())} polled, {self.feeds['ok']} ok, "
            f"{self.feeds['not_modified']} not modified, {self.feeds['failed']} failed | "
            f"articles read: {self.articles_read} | findings: {self.findings_new} new, "
            f"{self.findings_revised} revised, {self.findings_repeated} repeated | "
            f"alerts: {self.alerts_sent} sent, {self.alerts_failed} pending after failure"
        )

    def markdown(self) -> str:
        """The summary artifact's text."""
        lines = [
            f"# newswatch pass ({', '.join(self.topics)})",
            f"Started {self.started:%Y-%m-%d %H:%M} UTC.",
            "",
            "| | |",
            "|---|---|",
            f"| feeds polled | {sum(self.feeds.values())} |",
            f"| not modified | {self.feeds['not_modified']} |",
            f"| failed | {self.feeds['failed']} |",
            f"| new entries | {self.entries_new} |",
            f"| articles read | {self.articles_read} ({self.articles_downloaded} downloaded, "
            f"{self.articles_fallback} from the feed's summary) |",
            f"| findings new / revised / repeated | {self.findings_new} / {self.findings_revised} / "
            f"{self.findings_repeated} |",
            f"| alerts sent / pending | {self.alerts_sent} / {self.alerts_failed} |",
        ]
        if self.failures:
            lines += ["", "## Failed feeds", "", "| feed | error | detail |", "|---|---|---|"]
            lines += [f"| {u} | {c} | {d.replace('|', '/')[:200]} |" for u, c, d in self.failures]
        return "\n".join(lines)


def _row(topic: str, change: str, finding: Figure | Any, article_id: int | None) -> dict[str, Any]:
    if isinstance(finding, Figure):
        what, who = describe_figure(finding), finding.claimant or "(unattributed)"
    else:
        what, who = f"“{finding.quote[:160]}”", finding.speaker
    return {"topic": topic, "change": change, "finding": what, "by": who, "article": article_id}


def publish_artifacts(summary: RunSummary) -> None:
    """Publish the markdown summary and the table of new findings on the current flow run."""
    create_markdown_artifact(key="newswatch-summary", markdown=summary.markdown(), description="Pass summary")
    create_table_artifact(
        key="new-findings",
        table=summary.new_rows
        or [{"topic": "", "change": "", "finding": "no new findings", "by": "", "article": ""}],
        description="New and revised findings of this pass",
    )
