"""A hostile title, quote and speaker reach Slack, email and webhooks as inert text, delivered for real
(an SMTP server and a webhook on 127.0.0.1; for Slack, apprise's own conversion of what we hand it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import apprise
import pytest
from endpoints import LocalController, Mailbox, Webhook, mailto

from alerts.channels import DeliveryResult, deliver
from alerts.markup import clean
from alerts.message import AlertItem, Message
from alerts.render import render_instant
from extractors.findings import Figure, Statement

ARTICLE = "https://news.example.org/2024/10/24/story"
# Mentions, a link with hidden text, Markdown and Slack formatting, HTML, entities, control characters.
HOSTILE = (
    "<!channel> <!here> @everyone <@U0123ABC> <#C0123|general> <https://evil.example/x|your bank> "
    "[click](https://evil.example/y) **bold** *star* _under_ ~strike~ `code` > quote\n# heading "
    "<script>alert(1)</script> <img src=x onerror=alert(2)> &lt;!channel&gt; \\*escaped\\* "
    "https://evil.example/z www.evil.example \x1b[31mred\x07 \u202eevil\u200f"
)


@pytest.fixture(scope="module")
def message() -> Message:
    """One article's alert whose title, quote and speaker (and figure's claimant) are all hostile."""
    statement = Statement(
        speaker=HOSTILE, speaker_key="hostile", role=HOSTILE, verb="said", quote=HOSTILE, direct=True,
        sentence=f"“{HOSTILE},” an official said.", start=1, end=50,
    )  # fmt: skip
    figure = Figure(
        value=3000, low=3000, high=3000, vague=False, qualifier="around", unit="soldiers", unit_class="troops",
        claimant=HOSTILE, claimant_key="hostile", stance="claimed", sentence=f"{HOSTILE} 3,000 soldiers.",
        start=60, end=65,
    )  # fmt: skip
    items = [
        AlertItem(
            topic="nk-troops-russia",
            topic_title="North Korean troops in Russia",
            change=change,
            finding=finding,
            previous=(),
            article_title=HOSTILE,
            outlet="Wire",
            url=ARTICLE,
            published=datetime(2024, 10, 24, 14, 5, tzinfo=UTC),
        )
        for change, finding in (("new_statement", statement), ("new_figure", figure))
    ]
    return render_instant(items)  # type: ignore[arg-type]


def assert_inert_subject(title: str) -> None:
    """No control, no mention, no link in a subject (invisible spaces break them)."""
    assert not re.search(r"<[!@#]|@(here|channel|everyone)\b|https?://|www\.", title), title
    assert not re.search(r"[\x00-\x1f\x7f\u202e\u200f]", title), title


# --- Slack ----------------------------------------------------------------------------------------


def test_slack_gets_mrkdwn_that_renders_and_pings_or_links_no_one(message: Message) -> None:
    from alerts.channels import _body

    slack = apprise.Apprise.instantiate("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general")
    assert slack is not None
    body, body_format = _body("slack", message, slack)
    assert (body, body_format) == (message.slack, apprise.NotifyFormat.MARKDOWN)
    mrkdwn = str(slack.dialect_convert(body, body_format))  # what apprise posts to Slack
    # The only control is the article's link; every < > & of the feed's text is an entity.
    assert re.findall(r"<[^>]*>", mrkdwn) == [f"<{ARTICLE}|Open the article>"], mrkdwn
    assert "&lt;\u200b!channel&gt;" in mrkdwn and "&amp;lt;!channel&amp;gt;" in mrkdwn  # shown, not acted on
    assert not re.search(r"@(here|channel|everyone)\b", mrkdwn)
    assert "https://evil" not in mrkdwn and "www.evil" not in mrkdwn
    assert "\\" not in mrkdwn  # no stray escape: Slack has none, it would show the backslash
    # Bold is ours only (labels and the title); the feed's * _ ~ ` are look-alikes that format nothing.
    bold = re.findall(r"\*([^*\n]+)\*", mrkdwn)
    assert "Open the article" not in bold and {"New statement:", "Quote:", "New figure:", "Claimant:"} <= set(
        bold
    )
    outside = re.sub(r"\*[^*\n]+\*|<[^>]*>", "", mrkdwn)
    assert not re.search(r"[*_~`]", outside), outside
    # One quotation per line of ours: the feed's "> quote" and "# heading" do not start lines.
    assert all(line.startswith("> ") or "> quote" not in line for line in mrkdwn.splitlines())
    assert not any(line.startswith("#") for line in mrkdwn.splitlines())
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e\u200f]", mrkdwn)
    assert_inert_subject(message.title)


# --- email ----------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}
        self.links += [value or "" for name, value in attrs if tag == "a" and name == "href"]


def test_email_carries_the_hostile_text_as_text_in_both_parts(
    smtp: tuple[Mailbox, LocalController], message: Message
) -> None:
    box, server = smtp
    assert deliver(mailto(server.port), message) == DeliveryResult(True, None)
    (mail,) = box.messages
    assert_inert_subject(str(mail["Subject"]))
    parts = {p.get_content_type(): str(p.get_content()).replace("\r\n", "\n") for p in mail.iter_parts()}
    document = parts["text/html"]
    tags = _Tags()
    tags.feed(document)
    assert tags.tags <= {"html", "head", "meta", "title", "body", "div", "h1", "h2", "p", "span", "b", "a",
                         "blockquote", "code"}, tags.tags  # fmt: skip
    assert tags.attributes <= {"lang", "charset", "name", "content", "style", "href"}, tags.attributes
    assert set(tags.links) == {ARTICLE}  # the only link is the article's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document and "<script" not in document
    assert "&lt;img src=x onerror=alert(2)&gt;" in document
    assert "https://evil" not in document and "www.evil" not in document
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e\u200f]", document)
    # The plain part is our text: the hostile words as they are, only cleaned of control characters.
    assert parts["text/plain"].strip() == message.text.strip()
    assert clean(HOSTILE) in parts["text/plain"]
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e\u200f]", parts["text/plain"])


# --- webhooks -------------------------------------------------------------------------------------


def test_a_webhook_gets_the_hostile_text_as_json_strings_in_structured_fields(
    webhook: Webhook, message: Message
) -> None:
    assert deliver(f"json://127.0.0.1:{webhook.port}/hook", message) == DeliveryResult(True, None)
    (body,) = webhook.bodies
    assert set(body) == {"version", "title", "message", "attachments", "type", "newswatch"}
    assert_inert_subject(body["title"])
    data: dict[str, Any] = body["newswatch"]
    assert (data["kind"], data["topics"], data["articles"]) == ("instant", ["nk-troops-russia"], 1)
    statement = next(f for f in data["findings"] if f["kind"] == "statement")
    figure = next(f for f in data["findings"] if f["kind"] == "figure")
    # Data, not markup: the text as the page gave it, cleaned of control characters, and nothing more.
    for field in ("speaker", "quote", "role", "article_title"):
        assert statement[field] == clean(HOSTILE), field
    assert figure["claimant"] == clean(HOSTILE) and figure["value"] == 3000 and figure["speaker"] is None
    assert statement["url"] == figure["url"] == ARTICLE
    for text in (body["message"], *(v for f in data["findings"] for v in f.values() if isinstance(v, str))):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e\u200f]", text)
    assert body["message"] == message.text.rstrip()


def test_jsons_webhooks_get_the_same_structure(message: Message) -> None:
    from alerts.channels import _body

    plugin = apprise.Apprise.instantiate("jsons://hooks.example.org/newswatch")
    assert plugin is not None
    assert _body("jsons", message, plugin) == (message.text, apprise.NotifyFormat.TEXT)
    assert plugin.payload_extras["newswatch"] is message.data  # type: ignore[attr-defined]
