"""Delivery of one rendered message to one apprise URL, keeping the URL's secrets out of results and logs."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import apprise

from alerts import mailpart, ratelimit
from alerts.message import Message
from alerts.sizes import body_limit, fit_body
from alerts.urls import channel_id, mask_url, split_url, url_secrets

__all__ = ["DeliveryResult", "channel_id", "check_url", "deliver", "mask_url"]

# Email services take our HTML (apprise adds a plain-text part); every other service gets Markdown.
_HTML_SCHEMES = frozenset(
    {"mailto", "mailtos", "sendgrid", "mailgun", "ses", "azure", "o365", "postmark", "resend", "smtp2go"}
    | {"sparkpost", "brevo", "mailersend", "sendpulse"}
)
_SLACK_SCHEMES = frozenset({"slack"})
_JSON_SCHEMES = frozenset({"json", "jsons"})  # webhooks: the text, and the structured `newswatch` object
_SERVICE_TIMEOUT = 30.0  # seconds for one delivery, retries included (apprise's default is 60)
# Loggers that can see a URL's parts: apprise's own, and the HTTP stack under its webhook plugins.
_REDACTED_LOGGERS = ("apprise", "urllib3.connectionpool", "requests")
_ERROR_MAX = 300


@dataclass(frozen=True)
class DeliveryResult:
    """Whether the channel accepted the message, and if not, why (one sentence, secrets masked)."""

    ok: bool
    error: str | None
    retry_after: float | None = None  # seconds the service asked us to wait (a 429's Retry-After)


class _Redactor(logging.Filter):
    """Replaces the secrets of every delivery in progress with *** in log records and error strings."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._active: dict[str, int] = {}

    @contextmanager
    def hiding(self, secrets: Iterable[str]) -> Iterator[None]:
        """Redact these secrets until the block ends."""
        secrets = [s for s in secrets if s]
        with self._lock:
            for s in secrets:
                self._active[s] = self._active.get(s, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                for s in secrets:
                    self._active[s] -= 1
                    if not self._active[s]:
                        del self._active[s]

    def redact(self, text: str) -> str:
        """The text with every active secret replaced by ***."""
        with self._lock:
            secrets = sorted(self._active, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record without secrets; never drops it."""
        if not self._active:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is logging's to report, not ours
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_REDACTOR = _Redactor()
for _name in _REDACTED_LOGGERS:
    logging.getLogger(_name).addFilter(_REDACTOR)

with warnings.catch_warnings():
    # apprise loads all its plugins on first use, and its email plugin imports the deprecated imghdr module
    # (for PGPy): load them once here, without a warning that strict settings would turn into a failure.
    warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
    apprise.Apprise.instantiate("json://localhost")
ratelimit.install()
mailpart.install()


def _asset() -> apprise.AppriseAsset:
    # Memory-only storage: apprise writes nothing about our channels to disk.
    return apprise.AppriseAsset(
        storage_mode="memory",
        service_timeout=_SERVICE_TIMEOUT,
        app_id="newswatch",
        app_desc="newswatch alerts",
    )


def _instantiate(url: str, asset: apprise.AppriseAsset) -> apprise.NotifyBase | None:
    try:
        return apprise.Apprise.instantiate(url.strip(), asset=asset)
    except Exception:  # noqa: BLE001 - a plugin raising on a bad URL means "not accepted", never a crash
        return None


def _unsupported(url: str) -> str:
    return f"unsupported or malformed apprise URL: {mask_url(url)}"


def check_url(url: str) -> str | None:
    """None if apprise accepts the URL, else the reason with the URL masked."""
    with _REDACTOR.hiding(url_secrets(url)):
        plugin = _instantiate(url, _asset())
    return None if plugin is not None else _unsupported(url)


def _sentence(text: str) -> str:
    text = " ".join(_REDACTOR.redact(text).split())
    text = text if len(text) <= _ERROR_MAX else text[: _ERROR_MAX - 1] + "…"
    return text if text.endswith((".", "…")) else text + "."


def _reason(result: apprise.AppriseResult, url: str) -> str:
    """Why apprise did not deliver, from the warnings and errors it logged during the call."""
    service = next(iter(result), None)
    name = service.name if service is not None else "apprise"
    where = f"{name} delivery to {mask_url(url)}"
    if result.status == apprise.AppriseResultStatus.TIMEOUT:
        return f"{where} timed out after {_SERVICE_TIMEOUT:.0f} s"
    entries = list(result.logs())
    problems = [e.message for e in entries if e.level in ("WARNING", "ERROR", "CRITICAL")]
    # Plugins log the underlying exception at DEBUG; it is there when the apprise logger is that verbose.
    details = [e.message.split("Exception:", 1)[1].strip() for e in entries if "Exception:" in e.message]
    why = problems[-1].rstrip(".") if problems else "the service reported a failure without a reason"
    if details and details[-1] not in why:
        why += f" ({details[-1]})"
    return f"{where} failed: {why}"


def _body(scheme: str, message: Message, plugin: apprise.NotifyBase) -> tuple[str, apprise.NotifyFormat]:
    """The body a service gets, in its format: email the HTML document (with our text part), Slack the
    Markdown written for its conversion, webhooks the text and the structured `newswatch` object."""
    if scheme in _HTML_SCHEMES:
        return message.html, apprise.NotifyFormat.HTML
    if scheme in _SLACK_SCHEMES:
        return message.slack or message.markdown, apprise.NotifyFormat.MARKDOWN
    if scheme in _JSON_SCHEMES:
        extras = getattr(plugin, "payload_extras", None)
        if isinstance(extras, dict) and message.data is not None and "newswatch" not in extras:
            # Apprise adds these keys to its JSON payload as they are: ours is an object, not text.
            cast(Any, plugin).payload_extras = {**extras, "newswatch": message.data}
        return message.text, apprise.NotifyFormat.TEXT
    return message.markdown, apprise.NotifyFormat.MARKDOWN


def deliver(url: str, message: Message) -> DeliveryResult:
    """Send one message to one apprise URL; failures are results, never exceptions."""
    with _REDACTOR.hiding(url_secrets(url)):
        try:
            asset = _asset()
            plugin = _instantiate(url, asset)
            if plugin is None:
                return DeliveryResult(False, _unsupported(url))
            parts = split_url(url)
            scheme = parts.scheme if parts is not None else ""
            html = scheme in _HTML_SCHEMES
            body, body_format = _body(scheme, message, plugin)
            # Cut to what the service takes: a 5 MB headline was posted whole; Discord refuses 2,001 characters.
            limit = body_limit(scheme, getattr(plugin, "body_maxlen", None), html=html)
            body = fit_body(body, limit, html=html)
            # One apprise object per URL, so one channel's failure neither blocks nor repeats another's.
            sender = apprise.Apprise(asset=asset)
            sender.add(plugin)
            with (
                ratelimit.watching() as asked,
                mailpart.text_part(body, message.text),
                sender.notify(
                    body=body, title=message.title, body_format=body_format, log_level=logging.DEBUG
                ) as result,
            ):
                if result:
                    return DeliveryResult(True, None)
                wait = max(asked) if asked else None
                why = _reason(result, url) + (f" (the service asks to wait {wait:.0f} s)" if wait else "")
                return DeliveryResult(False, _sentence(why), wait)
        except Exception as exc:  # noqa: BLE001 - a plugin bug is a failed delivery, not a crashed run
            return DeliveryResult(
                False, _sentence(f"delivery to {mask_url(url)} crashed: {type(exc).__name__}: {exc}")
            )
