"""Alert messages: what each kind says, and that hostile feed text cannot ping, link or render markup."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import apprise
import pytest
from apprise.conversion import convert_between
from markdown_it import MarkdownIt

import alerts.channels  # noqa: F401  (loads apprise's plugins as the app does, see there)
from alerts.message import AlertItem, Change, HealthItem, Message
from alerts.render import describe_figure, render_digest, render_health, render_instant
from extractors.findings import Figure, Statement

TOPIC = "North Korean troops in Russia"
URL = "https://news.example.org/2024/10/24/nk-troops?src=rss&id=7"
WHEN = datetime(2024, 10, 24, 14, 5, tzinfo=UTC)
HOSTILE = (
    "<!channel> @here @channel <https://evil.example|bank> [click me](https://evil.example/x) "
    "<b>bold</b> <script>alert(1)</script> <a href='https://evil.example'>a</a> `code` *star* _under_ "
    "<@U0123> www.evil.example"
)


# fmt: off
def figure(**changes: object) -> Figure:
    """Zelenskyy's "up to 10,000 soldiers", changed as asked."""
    base = Figure(
        value=10_000, low=10_000, high=10_000, vague=False, qualifier="up to", unit="soldiers",
        unit_class="troops", claimant="Zelenskyy", claimant_key="zelenskyy", stance="claimed",
        sentence="Zelenskyy said up to 10,000 North Korean soldiers were being prepared.", start=19, end=25,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


STATEMENT = Statement(
    speaker="Lloyd Austin", speaker_key="lloyd-austin", role="U.S. Defense Secretary", verb="said",
    quote="What exactly they are doing? That's still to be seen.", direct=True,
    sentence="“What exactly they are doing? That's still to be seen,” Austin told reporters in Rome.",
    start=1, end=54,
)


def item(finding: Figure | Statement, change: Change = "new_figure", **changes: object) -> AlertItem:
    """An alert item from the AP article, changed as asked."""
    base = AlertItem(
        topic="nk-troops-russia", topic_title=TOPIC, change=change, finding=finding, previous=(),
        article_title="North Korea sends troops to Russia, Seoul says", outlet="AP News", published=WHEN, url=URL,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def bodies(message: Message) -> dict[str, str]:
    """The three bodies by format name."""
    return {"markdown": message.markdown, "html": message.html, "text": message.text}


DESCRIPTIONS = [
    ({}, "up to 10,000 troops"),
    ({"qualifier": "none", "value": 3000, "low": 3000, "high": 3000}, "3,000 troops"),
    ({"qualifier": "none", "value": None, "low": 10_000, "high": 12_000}, "10,000-12,000 troops"),
    ({"qualifier": "none", "value": None, "low": 1000, "high": None, "vague": True}, "thousands of troops"),
    ({"qualifier": "none", "value": None, "low": 100, "vague": True, "unit_class": "killed"}, "hundreds killed"),
    ({"qualifier": "none", "value": 1500, "low": 1500, "high": 1500, "delta": True}, "+1,500 troops"),
    ({"qualifier": "more than", "value": 13_000, "unit": "containers", "unit_class": ""},
     "more than 13,000 containers"),
]
FEED = "https://feeds.example.com/rss"
HEALTH = [
    (HealthItem(FEED, "failing", 5, "HTTP 503", WHEN), "Feed failing: feeds.example.com (5 failures in a row)"),
    (HealthItem(FEED, "silent", 0, None, WHEN),
     "Feed silent: feeds.example.com (nothing new since 24 Oct 2024, 14:05 UTC)"),
    (HealthItem(FEED, "recovered", 0, None, None), "Feed recovered: feeds.example.com"),
]
# fmt: on


@pytest.mark.parametrize(("changes", "expected"), DESCRIPTIONS)
def test_describe_figure(changes: dict[str, object], expected: str) -> None:
    assert describe_figure(figure(**changes)) == expected


def test_new_figure_says_what_who_where_and_when() -> None:
    msg = render_instant([item(figure())])
    assert msg.title == f"[{TOPIC}] New figure: up to 10,000 troops (Zelenskyy)"
    for name, body in bodies(msg).items():
        for piece in (
            "New figure",
            "up to 10,000 troops",
            "Zelenskyy",
            "claimed",
            "AP News",
            "North Korea sends troops to Russia, Seoul says",
            "24 Oct 2024, 14:05 UTC",
        ):
            assert piece in body, (name, piece)
        assert "10,000 North Korean soldiers were being prepared" in body, name
    assert f"(<{URL}>)" in msg.markdown
    assert f'href="{URL.replace("&", "&amp;")}"' in msg.html
    assert URL in msg.text


def test_revised_figure_shows_old_and_new() -> None:
    revised = item(
        figure(qualifier="around", value=3000, low=3000, high=3000, claimant="NIS"),
        "revised_figure",
        previous=("1,500 (Oct 18)", "2,000 (Oct 21)"),
    )
    msg = render_instant([revised])
    assert msg.title == f"[{TOPIC}] Revised figure: around 3,000 troops (NIS) (was 2,000)"
    for name, body in bodies(msg).items():
        assert "1,500 (Oct 18), 2,000 (Oct 21)" in body, name
        assert "Revised figure" in body and "around 3,000 troops" in body, name


def test_new_statement_has_speaker_role_and_quote() -> None:
    msg = render_instant([item(STATEMENT, "new_statement")])
    assert (
        msg.title
        == f"[{TOPIC}] New statement: Lloyd Austin: “What exactly they are doing? That's still to be seen.”"
    )
    for name, body in bodies(msg).items():
        assert "Lloyd Austin, U.S. Defense Secretary" in body, name
        assert "What exactly they are doing?" in body, name
        assert "Austin told reporters in Rome" in body, name
    assert "That's still to be seen." in msg.text
    assert "That&#x27;s still to be seen." in msg.html


def test_a_long_quote_is_cut_in_the_title_and_whole_in_the_body() -> None:
    long = replace(STATEMENT, quote="We are now sure that North Korean soldiers are on Russian soil. " * 3)
    msg = render_instant([item(long, "new_statement")])
    assert msg.title.endswith(
        ": “We are now sure that North Korean soldiers are on Russian soil. We are now sure that…”"
    )
    assert long.quote.strip() in msg.text


def test_reported_speech_is_not_repeated_when_the_sentence_carries_it() -> None:
    reported = replace(STATEMENT, quote="the troops had arrived", direct=False,
                       sentence="Austin said the troops had arrived.")  # fmt: skip
    msg = render_instant([item(reported, "new_statement")])
    assert "Reported:" not in msg.text and msg.text.count("the troops had arrived") == 1
    elsewhere = replace(reported, sentence="Asked about it, Austin confirmed the report.")
    assert "Reported: the troops had arrived" in render_instant([item(elsewhere, "new_statement")]).text


def test_figures_lead_and_findings_of_one_sentence_share_its_quote() -> None:
    said = "Zelenskyy said up to 10,000 North Korean soldiers were being prepared."
    zelenskyy = replace(STATEMENT, speaker="Volodymyr Zelenskyy", role=None, direct=False,
                        quote="up to 10,000 North Korean soldiers were being prepared", sentence=said)  # fmt: skip
    revised = item(figure(value=3000, low=3000, high=3000, claimant="NIS", sentence="NIS: 3,000."),
                   "revised_figure", previous=("1,500 (Oct 18)",))  # fmt: skip
    msg = render_instant(
        [item(STATEMENT, "new_statement"), item(zelenskyy, "new_statement"), item(figure()), revised]
    )
    assert msg.title == f"[{TOPIC}] Revised figure: up to 3,000 troops (NIS) (was 1,500) (+3 more)"
    text = msg.text
    assert text.index("Revised figure") < text.index("New figure") < text.index("Lloyd Austin")
    # The figure and Zelenskyy's words come from one sentence: quoted once, after both.
    assert text.count(said) == 1
    assert (
        text.index("New figure")
        < text.index("Volodymyr Zelenskyy")
        < text.index(said)
        < text.index("Lloyd Austin")
    )


def test_one_article_several_findings_names_the_article_once() -> None:
    msg = render_instant([item(figure()), item(STATEMENT, "new_statement")])
    assert msg.title.endswith("(+1 more)")
    for name, body in bodies(msg).items():
        assert body.count("North Korea sends troops to Russia, Seoul says") == 1, name
        assert body.index("up to 10,000 troops") < body.index("Lloyd Austin") < body.index("AP News"), name


def test_digest_groups_by_article() -> None:
    other = "https://kyiv.example.net/hur-says"
    items = [
        item(figure()),
        item(
            figure(value=11_000, low=11_000, high=11_000, claimant="HUR"),
            article_title="HUR: 11,000 arrived",
            outlet="Kyiv Example",
            url=other,
        ),
        item(STATEMENT, "new_statement"),
    ]
    msg = render_digest(items)
    assert msg.title == f"[{TOPIC}] Digest: 3 new findings from 2 articles"
    for name, body in bodies(msg).items():
        first, second = body.index("North Korea sends troops"), body.index("HUR: 11,000 arrived")
        assert first < body.index("up to 10,000 troops") < body.index("Lloyd Austin") < second, name
        assert second < body.index("11,000 troops"), name
    assert msg.markdown.count("](<") == 2


def test_digest_over_topics_names_each_topic() -> None:
    items = [item(figure()), item(STATEMENT, "new_statement", topic="kursk", topic_title="Kursk offensive")]
    msg = render_digest(items)
    assert msg.title == "[newswatch] Digest: 2 new findings from 1 article"
    assert f"[{TOPIC}] New figure" in msg.text and "[Kursk offensive] New statement" in msg.text


def test_published_time_is_shown_in_utc_and_may_be_missing() -> None:
    seoul = datetime(2024, 10, 24, 23, 5, tzinfo=timezone(timedelta(hours=9)))
    assert "24 Oct 2024, 14:05 UTC" in render_instant([item(figure(), published=seoul)]).text
    assert "UTC" not in render_instant([item(figure(), published=None)]).text


@pytest.mark.parametrize(("health", "title"), HEALTH)
def test_health_messages(health: HealthItem, title: str) -> None:
    msg = render_health(health)
    assert msg.title == f"[newswatch] {title}"
    for name, body in bodies(msg).items():
        assert FEED in body and health.state in body, name
        assert ("HTTP 503" in body) == (health.last_error is not None), name


def test_health_message_hides_feed_credentials_and_escapes_the_error() -> None:
    msg = render_health(
        HealthItem("https://reader:hunter22@feeds.example.com/rss", "failing", 7, HOSTILE, None)
    )
    for name, body in bodies(msg).items():
        assert "hunter22" not in body and "reader" not in body, name
    assert "hunter22" not in msg.title
    assert_markdown_safe(msg.markdown, allowed_links=[], code=True)
    assert_html_safe(msg.html, allowed_links=[])


# --- hostile text --------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if tag == "a" and name == "href"]


def assert_html_safe(markup: str, allowed_links: list[str]) -> None:
    """Only our own tags, and links only to our own article."""
    parser = _Tags()
    parser.feed(markup)
    assert set(parser.tags) <= {"p", "br", "b", "blockquote", "a", "code"}, parser.tags
    assert parser.links == allowed_links


def assert_markdown_safe(markdown: str, allowed_links: list[str], code: bool = False) -> None:
    """Rendered by a CommonMark parser, by apprise for HTML services and by apprise's Slack dialect."""
    tokens = [
        t for block in MarkdownIt("commonmark").parse(markdown) for t in [block, *(block.children or [])]
    ]
    kinds = {t.type for t in tokens}
    assert not kinds & {
        "html_inline",
        "html_block",
        "heading_open",
        "bullet_list_open",
        "ordered_list_open",
        "image",
        "em_open",
        "hr",
    }, kinds
    assert ("code_inline" in kinds) == code  # only our own code spans (a feed's address)
    assert [t.attrs["href"] for t in tokens if t.type == "link_open"] == allowed_links
    md, htm = apprise.NotifyFormat.MARKDOWN, apprise.NotifyFormat.HTML
    converted = convert_between(md, htm, markdown)  # type: ignore[no-untyped-call]
    assert_html_safe(converted.replace("strong>", "b>").replace("<br />", "<br>"), allowed_links)
    slack = apprise.Apprise.instantiate("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general")
    assert slack is not None
    mrkdwn = slack.dialect_convert(markdown, apprise.NotifyFormat.MARKDOWN)
    # In Slack every <...> is a control: a link, a mention (<!channel>, <@U1>) or a channel reference.
    assert [html.unescape(link) for link in re.findall(r"<([^>|]*)", mrkdwn)] == allowed_links, mrkdwn
    for body in (markdown, mrkdwn):
        assert not re.search(r"@(here|channel|everyone)\b", body), body
        assert "https://evil" not in body and "www.evil" not in body, body


@pytest.mark.parametrize("field", ["article_title", "outlet", "claimant", "sentence", "topic_title"])
def test_hostile_text_cannot_ping_link_or_render(field: str) -> None:
    finding = figure(**{field: HOSTILE}) if field in ("claimant", "sentence") else figure()
    fields: dict[str, object] = {field: HOSTILE} if field not in ("claimant", "sentence") else {}
    hostile = item(finding, "new_figure", **fields)
    for msg in (render_instant([hostile]), render_digest([hostile])):
        assert HOSTILE not in msg.markdown and HOSTILE not in msg.html
        for part in (msg.title, msg.markdown, msg.html):
            assert "<!channel>" not in part and "<@U0123>" not in part
            assert not re.search(r"@(here|channel)\b", part)
        for part in (msg.title, msg.html):
            assert "<script" not in part and "<a href='https://evil" not in part and "<b>bold" not in part
        assert_markdown_safe(msg.markdown, allowed_links=[URL])
        assert_html_safe(msg.html, allowed_links=[URL])
        if field != "topic_title":  # (the topic is named in the title only)
            assert "&lt;script&gt;" in msg.html  # shown, not run
            assert "<!channel>" in msg.text  # the terminal shows it as it is
        if field in ("claimant", "topic_title") and "Digest" not in msg.title:
            assert "script>alert(1)" in msg.title  # still readable


def test_hostile_speaker_and_role() -> None:
    msg = render_instant([item(replace(STATEMENT, speaker=HOSTILE, role="@everyone"), "new_statement")])
    assert "<!channel>" not in msg.title and not re.search(r"@(here|channel)\b", msg.title)
    assert_markdown_safe(msg.markdown, allowed_links=[URL])
    assert_html_safe(msg.html, allowed_links=[URL])


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://files.example/a", "/relative"]
)
def test_only_http_article_links_become_links(url: str) -> None:
    msg = render_instant([item(figure(), url=url)])
    assert_markdown_safe(msg.markdown, allowed_links=[])
    assert_html_safe(msg.html, allowed_links=[])
    assert url in msg.text


def test_link_target_cannot_break_out() -> None:
    odd = 'https://news.example.org/a b?q=<x>|"y"&z=`1`'
    msg = render_instant([item(figure(), url=odd)])
    safe = "https://news.example.org/a%20b?q=%3Cx%3E%7C%22y%22&z=%601%60"
    assert_markdown_safe(msg.markdown, allowed_links=[safe])
    assert_html_safe(msg.html, allowed_links=[safe])


def test_line_structure_cannot_be_injected() -> None:
    sneaky = "# Heading\n\n- list item\n1. numbered\n---\n> quoted\u202eevil\x1b[31mred"
    msg = render_instant([item(figure(sentence=sneaky, claimant="1. Ministry"), article_title=sneaky)])
    assert_markdown_safe(msg.markdown, allowed_links=[URL])
    for body in bodies(msg).values():
        assert "\u202e" not in body and "\x1b" not in body
