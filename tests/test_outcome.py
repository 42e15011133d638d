"""How a pass ends: the one-line state message, the Failed rules, and the events it would emit."""

from __future__ import annotations

from collections import Counter

from extractors.findings import Figure, Statement
from flows.events import MAX_FINDING_EVENTS, capped, feed_event, finding_event, finding_events
from flows.outcome import PassFailedError, describe_database_error, final_state, state_message
from flows.report import RunSummary
from newswatch.delivery import SendReport
from newswatch.pipeline import ReadResult
from newswatch.polling import PollResult
from storage.claims import ClaimChange
from storage.identity import Earlier
from storage.queries import ArticleRef


def summary(ok: int = 0, failed: int = 0, **counts: int) -> RunSummary:
    s = RunSummary.start(topics=["nk"])
    s.feeds = Counter({"ok": ok, "failed": failed})
    s.failures = [(f"https://f{i}.example/rss", "http_status", "404") for i in range(failed)]
    for name, value in counts.items():
        setattr(s, name, value)
    return s


def test_a_good_pass_completes_with_feeds_findings_and_messages_in_one_line() -> None:
    s = summary(ok=10, failed=2, findings_new=5, findings_revised=1)
    s.add_sends(SendReport(sent=22, failed=0, messages=3, subjects=6, channels_ok=2))
    state = final_state(s)
    assert state.is_completed()
    assert state.message == "12 feeds, 2 failed; 5 new findings, 1 revised; 3 alerts sent"
    assert state.result() is s
    assert "alerts: 3 messages sent (6 findings)" in s.one_line()  # messages, not 22 rows


def test_every_feed_failed_fails_the_run_with_the_reason_first() -> None:
    state = final_state(summary(failed=3))
    assert state.is_failed()
    assert (
        state.message == "every feed failed (http_status): 3 feeds, 3 failed; 0 new findings; 0 alerts sent"
    )
    error = state.result(raise_on_failure=False)
    assert isinstance(error, PassFailedError) and error.summary.feeds["failed"] == 3


def test_no_feed_due_is_not_a_failure() -> None:
    assert final_state(summary()).is_completed()
    assert state_message(summary()) == "0 feeds, 0 failed; 0 new findings; 0 alerts sent"


def test_every_channel_failed_fails_the_run_but_one_working_channel_does_not() -> None:
    broken = summary(ok=2, findings_new=1)
    broken.add_sends(SendReport(sent=0, failed=2, messages=0, channels_failed=("json://a…", "json://b…")))
    assert final_state(broken).is_failed()
    assert state_message(broken).startswith("every alert channel failed (json://a…, json://b…): 2 feeds")
    half = summary(ok=2, findings_new=1)
    half.add_sends(
        SendReport(sent=1, failed=1, messages=1, subjects=1, channels_ok=1, channels_failed=("x",))
    )
    assert final_state(half).is_completed()
    assert state_message(half).endswith("1 alert sent; 1 channel failed")


def test_a_database_failure_fails_the_run_in_one_line_without_the_statement() -> None:
    from sqlalchemy.exc import OperationalError

    exc = OperationalError(
        "INSERT INTO finding VALUES (?)", ("page text",), Exception("disk I/O error\nmore")
    )
    s = summary(ok=1)
    s.database_error = describe_database_error(exc)
    state = final_state(s)
    assert state.is_failed()
    assert state.message is not None and state.message.startswith(
        "the database failed (Exception: disk I/O error)"
    )
    assert "INSERT" not in state.message and "page text" not in state.message and "\n" not in state.message


FIGURE = Figure(
    value=10_000, low=10_000, high=10_000, vague=False, qualifier="up to", unit="soldiers",
    unit_class="troops", claimant="Zelenskyy @channel", claimant_key="zelenskyy", stance="claimed",
    sentence="Up to 10,000 soldiers, Zelenskyy said. " + "x" * 2000, start=0, end=6,
)  # fmt: skip
QUOTE = Statement("Lloyd Austin", "lloyd-austin", "defense secretary", "said", "Still to be seen.", True,
                  "“Still to be seen,” Austin said.", 1, 18)  # fmt: skip
EARLIER = Earlier("around 3,000 soldiers (Oct 18)", 3000, 3000, 3000, None)


def test_a_revised_figure_event_names_finding_topic_claim_article_and_the_previous_value() -> None:
    change = ClaimChange(7, 70, "nk", "revised_figure", FIGURE, (EARLIER.display,), (EARLIER,))
    ref = ArticleRef("Troops <b>arrive</b>", "Wire", "https://news.example/a/1")
    event = finding_event(change, 5, ref)
    assert event.name == "newswatch.finding.revised_figure"
    assert event.resource["prefect.resource.id"] == "newswatch.finding.70"
    related = {r["prefect.resource.role"]: r["prefect.resource.id"] for r in event.related}
    assert related == {
        "topic": "newswatch.topic.nk",
        "claim": "newswatch.claim.7",
        "article": "newswatch.article.5",
    }
    p = event.payload
    assert (p["value"], p["unit"], p["previous_value"], p["claim_id"]) == (10_000, "soldiers", 3000, 7)
    assert p["article_url"] == "https://news.example/a/1" and p["outlet"] == "Wire"
    assert len(p["sentence"]) <= 500 and "@channel" not in p["claimant"]  # capped, mentions neutralised


def test_statement_events_carry_speaker_and_quote_and_baselines_emit_nothing() -> None:
    said = ClaimChange(8, 80, "nk", "new_statement", QUOTE, ())
    quiet = ClaimChange(9, 90, "nk", "new_figure", FIGURE, (), baseline="first_poll")
    read = ReadResult(1, 5, True, "page", None, (said, quiet), 0)
    events = finding_events([read, ReadResult(2, 6, True, "page", None, (said,), 0, baseline="max_age")], {})
    assert [e.name for e in events] == ["newswatch.finding.new_statement"]
    assert (events[0].payload["speaker"], events[0].payload["quote"]) == ("Lloyd Austin", "Still to be seen.")


def test_failed_feed_events_carry_the_error_class_and_the_caps_count_the_rest() -> None:
    event = feed_event(PollResult(3, "https://f.example/rss", "http_status", "HTTP 404\x1b[2J", 0, ()))
    assert event.name == "newswatch.feed.failed"
    assert event.resource["newswatch.error-class"] == "http_status"
    assert event.payload["error"] == "HTTP 404 [2J"  # no escape character reaches a template
    many = [event] * (MAX_FINDING_EVENTS + 37)
    kept, rest = capped(many, MAX_FINDING_EVENTS)
    assert (len(kept), rest) == (MAX_FINDING_EVENTS, 37)


def test_events_held_back_by_the_per_pass_cap_are_counted_in_the_message() -> None:
    s = summary(ok=1, findings_new=250)
    s.events_emitted, s.events_over_cap = 200, 50
    assert final_state(s).is_completed()
    assert state_message(s) == (
        "1 feed, 0 failed; 250 new findings; 0 alerts sent; 50 events over the per-pass cap not emitted"
    )
