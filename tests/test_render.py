"""Alert messages: the article first, the most important finding first and in the subject, a handful shown;
and hostile feed text that cannot ping, link or render markup in any format."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import apprise
import pytest
from markdown_it import MarkdownIt

import alerts.channels  # noqa: F401  (loads apprise's plugins as the app does, see there)
from alerts.message import AlertItem, Change, HealthItem, Message, Previous
from alerts.render import describe_figure, render_digest, render_health, render_instant
from alerts.subject import SUBJECT_MAX
from extractors.findings import Figure, Statement

TOPIC = "North Korean troops in Russia"
URL = "https://news.example.org/2024/10/24/nk-troops?src=rss&id=7"
WHEN = datetime(2024, 10, 24, 14, 5, tzinfo=UTC)
HOSTILE = (
    "<!channel> @here @channel <https://evil.example|bank> [click me](https://evil.example/x) "
    "<b>bold</b> <script>alert(1)</script> <a href='https://evil.example'>a</a> `code` *star* _under_ "
    "~strike~ \\*escaped\\* <@U0123> www.evil.example\x1b[31m\u202e"
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
    start=300, end=354,
)


def item(finding: Figure | Statement, change: Change = "new_figure", **changes: object) -> AlertItem:
    """An alert item from the AP article, changed as asked."""
    base = AlertItem(
        topic="nk-troops-russia", topic_title=TOPIC, change=change, finding=finding, previous=(),
        article_title="North Korea sends troops to Russia, Seoul says", outlet="AP News", published=WHEN, url=URL,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def bodies(message: Message) -> dict[str, str]:
    """The bodies by format name."""
    return {"markdown": message.markdown, "slack": message.slack, "html": message.html, "text": message.text}


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


def test_new_figure_says_what_who_where_and_when_article_first() -> None:
    msg = render_instant([item(figure())])
    assert msg.title == "New: up to 10,000 troops (Zelenskyy)"
    for name, body in bodies(msg).items():
        for piece in ("New figure", "up to 10,000 troops", "Zelenskyy", "claimed", "AP News",
                      "24 Oct 2024, 14:05 UTC", "10,000 North Korean soldiers were being prepared"):  # fmt: skip
            assert piece in body, (name, piece)
        # The article (title, outlet, time, link) comes before its findings.
        assert body.index("North Korea sends troops to Russia") < body.index("New figure"), name
        assert body.index("AP News") < body.index("New figure"), name
    assert f"(<{URL}>)" in msg.markdown
    assert f'href="{URL.replace("&", "&amp;")}"' in msg.html
    assert URL in msg.text


def test_a_revision_leads_its_subject_with_the_claimants_short_name_and_earlier_value() -> None:
    revised = item(
        figure(qualifier="around", value=3000, low=3000, high=3000, claimant="South Korea's spy agency",
               claimant_key="nis"),
        "revised_figure",
        previous=("about 1,500 special forces (Oct 18)", "2,000 troops (Oct 21)"),
        earlier=(Previous("about 1,500 special forces (Oct 18)", 1500, 1500, 1500),
                 Previous("2,000 troops (Oct 21)", 2000, 2000, 2000)),
        known_as="National Intelligence Service (NIS)",
    )  # fmt: skip
    msg = render_instant([revised])
    assert msg.title == "Revised: ~3,000 troops (NIS; was 2,000)"
    for name, body in bodies(msg).items():
        assert "about 1,500 special forces (Oct 18), 2,000 troops (Oct 21)" in body, name
        assert "Revised figure" in body and "around 3,000 troops" in body, name
    # Without the numbers (rows queued before they were kept), the earlier value as shown, without its date.
    assert (
        render_instant([replace(revised, earlier=())]).title
        == "Revised: ~3,000 troops (NIS; was 2,000 troops)"
    )


def test_new_statement_has_speaker_role_and_quote() -> None:
    msg = render_instant([item(STATEMENT, "new_statement")])
    assert msg.title == "Lloyd Austin: “What exactly they are doing? That's still to be seen.”"
    for name, body in bodies(msg).items():
        assert "Lloyd Austin, U.S. Defense Secretary" in body, name
        assert "What exactly they are doing?" in body, name
        assert "Austin told reporters in Rome" in body, name
    assert "That's still to be seen." in msg.text
    assert "That&#39;s still to be seen." in msg.html


def test_a_long_quote_is_cut_in_the_subject_at_a_word_and_whole_in_the_body() -> None:
    long = replace(STATEMENT, quote="We are now sure that North Korean soldiers are on Russian soil. " * 3)
    msg = render_instant([item(long, "new_statement")])
    assert len(msg.title) <= SUBJECT_MAX
    assert msg.title.startswith("Lloyd Austin: “We are now sure") and msg.title.endswith("…”")
    assert not msg.title.removesuffix("…”").endswith((" ", "Rus"))
    assert long.quote.strip() in msg.text


def test_reported_speech_is_not_repeated_when_the_sentence_carries_it() -> None:
    reported = replace(STATEMENT, quote="the troops had arrived", direct=False,
                       sentence="Austin said the troops had arrived.")  # fmt: skip
    msg = render_instant([item(reported, "new_statement")])
    assert "Reported:" not in msg.text and msg.text.count("the troops had arrived") == 1
    elsewhere = replace(reported, sentence="Asked about it, Austin confirmed the report.")
    assert "Reported: the troops had arrived" in render_instant([item(elsewhere, "new_statement")]).text


def test_most_important_first_revised_new_claimant_named_and_a_handful_shown() -> None:
    said = "Zelenskyy said up to 10,000 North Korean soldiers were being prepared."
    revised = item(figure(value=3000, low=3000, high=3000, qualifier="none", claimant="NIS", claimant_key="nis",
                          sentence="NIS: 3,000.", start=900),
                   "revised_figure", previous=("1,500 (Oct 18)",))  # fmt: skip
    claimant = item(replace(STATEMENT, speaker="Mark Rutte", speaker_key="nato", start=5), "new_statement",
                    speaker_class="claimant")  # fmt: skip
    named = [
        item(replace(STATEMENT, speaker=f"Speaker {n}", speaker_key=f"s{n}", quote=f"Remark {n}.",
                     sentence=f"“Remark {n}.”", start=n), "new_statement")
        for n in range(1, 7)
    ]  # fmt: skip
    items = [*named, claimant, item(figure(sentence=said)), revised]
    msg = render_instant(items)
    # Nine findings: six shown, the most important first; the rest counted, saying where they are.
    assert msg.title == "Revised: 3,000 troops (NIS; was 1,500) +8 more"
    text = msg.text
    assert text.index("Revised figure") < text.index("New figure") < text.index("Mark Rutte")
    assert text.index("Mark Rutte") < text.index("Speaker 1") < text.index("Speaker 3")
    assert "Speaker 4" not in text and "Speaker 6" not in text
    assert "… and 3 more new findings in this article (3 statements)" in text
    assert "newswatch findings --topic nk-troops-russia" in text
    for body in bodies(msg).values():
        assert body.count("Open the article") == 1 or "href" in body


def test_a_claimants_words_that_are_the_figures_evidence_are_not_listed_twice() -> None:
    said = "Zelenskyy said up to 10,000 North Korean soldiers were being prepared."
    words = replace(STATEMENT, speaker="Volodymyr Zelenskyy", speaker_key="zelenskyy", role=None,
                    direct=False, quote="up to 10,000 North Korean soldiers were being prepared", sentence=said)  # fmt: skip
    msg = render_instant(
        [item(figure(sentence=said)), item(words, "new_statement", speaker_class="claimant")]
    )
    assert msg.title == "New: up to 10,000 troops (Zelenskyy)"  # one finding listed
    assert msg.text.count(said) == 1 and "New statement" not in msg.text
    assert [f["kind"] for f in (msg.data or {})["findings"]] == ["figure", "statement"]  # machines get both


def test_a_digest_is_about_one_topic_the_article_with_the_most_important_finding_first() -> None:
    other = "https://kyiv.example.net/hur-says"
    items = [
        item(STATEMENT, "new_statement"),
        item(
            figure(value=11_000, low=11_000, high=11_000, claimant="HUR"),
            "revised_figure",
            previous=("10,000 (Oct 30)",),
            article_title="HUR: 11,000 arrived",
            outlet="Kyiv Example",
            url=other,
        ),
        item(figure()),
    ]
    msg = render_digest(items)
    assert msg.title == "Revised: up to 11,000 troops (HUR; was 10,000) +2 more in 2 articles"
    for name, whole in bodies(msg).items():
        body = whole[max(whole.find("<body"), 0) :]  # (an email's <title> is its subject)
        assert "Digest: 3 new findings from 2 articles" in body, name
        first, second = body.index("HUR: 11,000 arrived"), body.index("North Korea sends troops")
        assert first < body.index("11,000 troops") < second < body.index("up to 10,000 troops"), name
        assert body.index("up to 10,000 troops") < body.index("Lloyd Austin"), name


def test_a_digest_shows_a_few_findings_per_article_and_counts_the_rest() -> None:
    items = [
        item(figure(value=n, low=n, high=n, start=n), url=f"https://news.example.org/{n % 13}")
        for n in range(1, 40)
    ]
    msg = render_digest(items)
    assert msg.text.count("New figure:") == 10 * 3  # ten articles, three findings each
    assert "… and 3 more articles with 9 new findings (9 figures)" in msg.text
    assert len(msg.title) <= SUBJECT_MAX


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
    assert (msg.data or {})["kind"] == "feed_health" and (msg.data or {})["state"] == health.state


def test_health_message_hides_feed_credentials_and_escapes_the_error() -> None:
    msg = render_health(
        HealthItem("https://reader:hunter22@feeds.example.com/rss", "failing", 7, HOSTILE, None)
    )
    for name, body in bodies(msg).items():
        assert "hunter22" not in body and "reader" not in body, name
    assert "hunter22" not in msg.title and "hunter22" not in str(msg.data)
    assert_markdown_safe(msg.markdown, allowed_links=[], code=True)
    assert_slack_safe(msg.slack, allowed_links=[], code=True)
    assert_html_safe(msg.html, allowed_links=[])


# --- hostile text --------------------------------------------------------------------------------

DOCUMENT_TAGS = {"html", "head", "meta", "title", "body", "div", "h1", "h2", "p", "span", "br", "b", "a"}


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
    assert set(parser.tags) <= DOCUMENT_TAGS | {"blockquote", "code", "strong"}, parser.tags
    assert set(parser.links) <= set(allowed_links), parser.links
    assert "<script" not in markup and "<b>bold" not in markup and "https://evil" not in markup


def assert_markdown_safe(markdown: str, allowed_links: list[str], code: bool = False) -> None:
    """Rendered by a CommonMark parser and by apprise for HTML services."""
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
    converted = apprise.conversion.convert_between(md, htm, markdown)  # type: ignore[no-untyped-call]
    assert_html_safe(converted.replace("<br />", "<br>"), allowed_links)


def slack_mrkdwn(body: str) -> str:
    """What Slack receives: apprise's own conversion of the body (the code path of every Slack delivery)."""
    slack = apprise.Apprise.instantiate("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general")
    assert slack is not None
    return str(slack.dialect_convert(body, apprise.NotifyFormat.MARKDOWN))


def assert_slack_safe(body: str, allowed_links: list[str], code: bool = False) -> None:
    """In Slack every <...> is a control: a link, a mention (<!channel>, <@U1>) or a channel reference.
    Only the article's link may be one; no stray backslash; feed text opens no bold, italic or code."""
    mrkdwn = slack_mrkdwn(body)
    assert [html.unescape(link) for link in re.findall(r"<([^>|]*)", mrkdwn)] == allowed_links, mrkdwn
    assert "\\" not in mrkdwn, mrkdwn  # Slack has no backslash escapes: it would show them
    assert not re.search(r"@(here|channel|everyone)\b", mrkdwn), mrkdwn
    assert "https://evil" not in mrkdwn and "www.evil" not in mrkdwn, mrkdwn
    # Our own markup is bold labels: *Label:* and *title*; nothing else uses Slack's markup characters.
    stripped = re.sub(r"\*[^*\n]+\*", "", mrkdwn)
    if code:  # and a feed's address as code
        stripped = re.sub(r"`[^`\n]+`", "", stripped)
    assert not re.search(r"[*_~`]", re.sub(r"<[^>]*>", "", stripped)), stripped


@pytest.mark.parametrize("field", ["article_title", "outlet", "claimant", "sentence", "topic_title"])
def test_hostile_text_cannot_ping_link_or_render(field: str) -> None:
    finding = figure(**{field: HOSTILE}) if field in ("claimant", "sentence") else figure()
    fields: dict[str, object] = {field: HOSTILE} if field not in ("claimant", "sentence") else {}
    hostile = item(finding, "new_figure", **fields)
    for msg in (render_instant([hostile]), render_digest([hostile])):
        assert HOSTILE not in msg.markdown and HOSTILE not in msg.html
        for part in (msg.title, msg.markdown, msg.slack, msg.html):
            assert "<!channel>" not in part and "<@U0123>" not in part
            assert not re.search(r"@(here|channel)\b", part)
            assert "\x1b" not in part and "\u202e" not in part
        assert "<script" not in msg.title and "<a href='https://evil" not in msg.title
        assert_markdown_safe(msg.markdown, allowed_links=[URL])
        assert_slack_safe(msg.slack, allowed_links=[URL])
        assert_html_safe(msg.html, allowed_links=[URL])
        if field != "topic_title":  # (a topic's title is in the email's footer and the text's last line)
            assert "&lt;script&gt;" in msg.html  # shown, not run
        assert "<!channel>" in msg.text  # the terminal shows it as it is, without control characters
        assert "\x1b" not in msg.text


def test_hostile_speaker_role_and_quote() -> None:
    statement = replace(STATEMENT, speaker=HOSTILE, role="@everyone", quote=HOSTILE)
    msg = render_instant([item(statement, "new_statement")])
    assert "<!channel>" not in msg.title and not re.search(r"@(here|channel)\b", msg.title)
    assert len(msg.title) <= SUBJECT_MAX + 10  # (mentions are broken by invisible spaces)
    assert_markdown_safe(msg.markdown, allowed_links=[URL])
    assert_slack_safe(msg.slack, allowed_links=[URL])
    assert_html_safe(msg.html, allowed_links=[URL])


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://files.example/a", "/relative"]
)
def test_only_http_article_links_become_links(url: str) -> None:
    msg = render_instant([item(figure(), url=url)])
    assert_markdown_safe(msg.markdown, allowed_links=[])
    assert_slack_safe(msg.slack, allowed_links=[])
    assert_html_safe(msg.html, allowed_links=[])
    assert url in msg.text


def test_link_target_cannot_break_out() -> None:
    odd = 'https://news.example.org/a b?q=<x>|"y"&z=`1`'
    msg = render_instant([item(figure(), url=odd)])
    safe = "https://news.example.org/a%20b?q=%3Cx%3E%7C%22y%22&z=%601%60"
    assert_markdown_safe(msg.markdown, allowed_links=[safe])
    assert_slack_safe(msg.slack, allowed_links=[safe])
    assert_html_safe(msg.html, allowed_links=[safe])


def test_line_structure_cannot_be_injected() -> None:
    sneaky = "# Heading\n\n- list item\n1. numbered\n---\n> quoted\u202eevil\x1b[31mred"
    msg = render_instant([item(figure(sentence=sneaky, claimant="1. Ministry"), article_title=sneaky)])
    assert_markdown_safe(msg.markdown, allowed_links=[URL])
    assert_slack_safe(msg.slack, allowed_links=[URL])
    for body in bodies(msg).values():
        assert "\u202e" not in body and "\x1b" not in body
