"""Delivery through apprise to real local endpoints: a custom scheme, an HTTP webhook, an SMTP server."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from typing import Any

import apprise
import pytest
from endpoints import SENTINEL, LocalController, Mailbox, Webhook, mailto

from alerts.channels import DeliveryResult, channel_id, check_url, deliver, mask_url
from alerts.message import AlertItem, Message
from alerts.ratelimit import parse_retry_after
from alerts.render import render_instant
from extractors.findings import Figure

ARTICLE = "https://news.example.org/2024/10/24/nk-troops"
CAPTURED: list[tuple[str, str, object]] = []


# Scheme names of our own, so that no other test module's custom scheme can collide with them.
@apprise.decorators.notify(on="chancapture")  # type: ignore[no-untyped-call, untyped-decorator]
def _capture(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
    CAPTURED.append((title, body, kwargs.get("body_format")))
    return True


@apprise.decorators.notify(on="chanfail")  # type: ignore[no-untyped-call, untyped-decorator]
def _refuse(body: str, title: str, notify_type: str, *args: Any, **kwargs: Any) -> bool:
    return False


@pytest.fixture(scope="module")
def message() -> Message:
    """A real rendered alert: Zelenskyy's figure from one article."""
    figure = Figure(
        value=10_000, low=10_000, high=10_000, vague=False, qualifier="up to", unit="soldiers",
        unit_class="troops", claimant="Zelenskyy", claimant_key="zelenskyy", stance="claimed",
        sentence="Zelenskyy said up to 10,000 North Korean soldiers were being prepared.", start=19, end=25,
    )  # fmt: skip
    item = AlertItem(
        topic="nk-troops-russia", topic_title="North Korean troops in Russia", change="new_figure",
        finding=figure, previous=("3,000 (Oct 23)",), article_title="Seoul says troops are moving",
        outlet="AP", published=datetime(2024, 10, 24, 14, 5, tzinfo=UTC), url=ARTICLE,
    )  # fmt: skip
    return render_instant([item])


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- delivery ------------------------------------------------------------------------------------


def test_custom_scheme_gets_exactly_one_markdown_message(message: Message) -> None:
    CAPTURED.clear()
    assert deliver("chancapture://x", message) == DeliveryResult(True, None)
    # (apprise trims the body's final newline)
    assert [(message.title, message.markdown.rstrip(), apprise.NotifyFormat.MARKDOWN)] == CAPTURED


def test_refusing_scheme_is_a_failed_delivery(message: Message) -> None:
    result = deliver("chanfail://x", message)
    assert not result.ok
    assert result.error and "failed" in result.error and result.error.endswith(".")


def test_unknown_scheme_is_refused_before_sending(message: Message) -> None:
    result = deliver(f"nosuchservice://{SENTINEL}@host/path", message)
    assert not result.ok
    assert result.error == "unsupported or malformed apprise URL: nosuchservice://Zq***@***/..."
    assert deliver(f"slack://{SENTINEL}", message).error == check_url(f"slack://{SENTINEL}")
    assert check_url(f"nosuchservice://{SENTINEL}@host/path") == result.error
    assert check_url(f"slack://{SENTINEL}") == "unsupported or malformed apprise URL: slack://***"
    assert check_url("") is not None
    assert check_url(mailto(2525)) is None
    assert check_url("json://127.0.0.1:8080/hook") is None


def test_webhook_answering_500_is_a_failure_and_200_a_success(webhook: Webhook, message: Message) -> None:
    url = f"json://127.0.0.1:{webhook.port}/alerts"
    webhook.status = 500
    failed = deliver(url, message)
    assert not failed.ok
    assert failed.error and "500" in failed.error and f"json://127.0.0.1:{webhook.port}/..." in failed.error
    webhook.status = 200
    assert deliver(url, message) == DeliveryResult(True, None)
    assert webhook.paths == ["/alerts", "/alerts"]
    body = webhook.bodies[-1]
    assert body["title"] == message.title
    # The plain text, not Markdown, and the findings as structured fields.
    assert body["message"] == message.text.rstrip()
    assert body["newswatch"] == message.data
    (record,) = body["newswatch"]["findings"]
    assert (record["value"], record["qualifier"], record["unit_class"], record["claimant"]) == (
        10_000, "up to", "troops", "Zelenskyy"
    )  # fmt: skip
    assert (record["article_title"], record["url"], record["previous"]) == (
        "Seoul says troops are moving", ARTICLE, ["3,000 (Oct 23)"]
    )  # fmt: skip


@pytest.mark.parametrize("via_smtp_param", [False, True], ids=["server-as-host", "smtp-param"])
def test_email_has_an_html_and_a_plain_part(
    smtp: tuple[Mailbox, LocalController], message: Message, via_smtp_param: bool
) -> None:
    box, server = smtp
    url = (
        mailto(server.port, "mail.example.org", "&smtp=127.0.0.1") if via_smtp_param else mailto(server.port)
    )
    assert deliver(url, message) == DeliveryResult(True, None)
    assert len(box.messages) == 1
    mail = box.messages[0]
    assert mail["Subject"] == message.title
    assert mail["To"] == "analyst@example.org" and mail["From"] == "newswatch@example.org"
    assert mail.get_content_type() == "multipart/alternative"
    parts = {
        part.get_content_type(): str(part.get_content()).replace("\r\n", "\n") for part in mail.iter_parts()
    }
    assert set(parts) == {"text/plain", "text/html"}
    assert message.html.strip() in parts["text/html"]
    assert parts["text/html"].lstrip().startswith("<!DOCTYPE html>")
    # The plain part is our own text (the README's example), not apprise's conversion of the HTML.
    assert parts["text/plain"].strip() == message.text.strip()
    for piece in (
        "up to 10,000 troops",
        "Zelenskyy",
        "3,000 (Oct 23)",
        "Seoul says troops are moving",
        ARTICLE,
    ):
        assert piece in parts["text/plain"], piece


def test_email_to_a_stopped_server_fails_with_the_reason(
    smtp: tuple[Mailbox, LocalController], message: Message
) -> None:
    box, server = smtp
    server.stop()
    result = deliver(mailto(server.port), message)
    assert not result.ok and result.error
    assert "connection error" in result.error.lower() and "127.0.0.1" in result.error
    assert SENTINEL not in result.error and "al***:***@127.0.0.1" in result.error
    assert box.messages == []


# --- secrets -------------------------------------------------------------------------------------


def test_secrets_stay_out_of_results_and_logs(
    caplog: pytest.LogCaptureFixture, webhook: Webhook, closed_port: int, message: Message
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: apprise's, urllib3's, ours
    webhook.status = 500
    urls = [
        f"json://hook:{SENTINEL}@127.0.0.1:{webhook.port}/h/{SENTINEL}?-token={SENTINEL}",
        mailto(closed_port),
        f"slack://{SENTINEL}",
        f"nosuchservice://{SENTINEL}/{SENTINEL}",
    ]
    for url in urls:
        result = deliver(url, message)
        assert not result.ok and result.error, url
        for shown in (result.error, mask_url(url), channel_id(url), check_url(url) or ""):
            assert SENTINEL not in shown, shown
    # The secret was really in play: the webhook got it, and apprise and urllib3 logged the request...
    assert webhook.paths == [f"/h/{SENTINEL}?token={SENTINEL}"]
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    assert any(name == "apprise" and "JSON POST URL" in text and "/h/***" in text for name, text in logged)
    assert any(name.startswith("urllib3") and '"POST /h/***?token=*** HTTP' in text for name, text in logged)
    # ...but no record, formatted or raw, carries it.
    assert not [text for _, text in logged if SENTINEL in text]
    assert SENTINEL not in caplog.text


def test_mask_url_keeps_scheme_and_host_only() -> None:
    assert (
        mask_url(f"mailto://alice:{SENTINEL}@smtp.example.com:587/bob@example.org?from=a@example.org")
        == "mailto://al***:***@smtp.example.com:587/...?from=***"
    )
    assert mask_url(f"slack://T1JJ3T3L2/A1BRTD4JD/{SENTINEL}/#alerts") == "slack://***/...#***"
    assert mask_url(f"json://127.0.0.1:8080/hooks/{SENTINEL}?token={SENTINEL}") == (
        "json://127.0.0.1:8080/...?token=***"
    )
    assert mask_url(f"tgram://{SENTINEL}?{SENTINEL}") == "tgram://***?***"
    assert mask_url(f"not a url {SENTINEL}") == "***"


def test_channel_id_is_stable_distinct_and_not_secret() -> None:
    url = mailto(2525)
    assert channel_id(url) == channel_id(f"  {url} ")
    assert channel_id(url) != channel_id(url.replace(SENTINEL, "other-password"))
    assert channel_id(url).startswith("mailto:") and len(channel_id(url)) == len("mailto:") + 16
    assert SENTINEL not in channel_id(url)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), (" 0 ", 0.0), ("Thu, 24 Oct 2024 14:07:00 GMT", 115.0), ("Thu, 24 Oct 2024 14:00:00 GMT", 0.0),
     ("soon", None), ("", None), (None, None), ("-5", None)],
)  # fmt: skip
def test_retry_after_is_read_as_seconds_or_a_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=datetime(2024, 10, 24, 14, 5, 5, tzinfo=UTC)) == seconds


def test_a_429_says_how_long_the_service_asks_to_wait(webhook: Webhook, message: Message) -> None:
    webhook.status = 429  # (this endpoint sends no Retry-After: the sender falls back to its backoff)
    result = deliver(f"json://127.0.0.1:{webhook.port}/alerts", message)
    assert not result.ok and result.retry_after is None and result.error and "429" in result.error
