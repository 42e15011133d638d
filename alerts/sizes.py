"""How much text a channel takes: message bodies cut, at a line, to what each service accepts.

A 5 MB headline was posted whole to a webhook; Slack cuts at 40,000 characters and Discord refuses more
than 2,000. Every body is cut to its channel's size, with a line saying so.
"""

from __future__ import annotations

DEFAULT_BODY = 30_000  # services apprise knows no limit for (webhooks, chat bridges)
EMAIL_BODY = 200_000  # an HTML email that any client opens at once
BODY_BY_SCHEME = {"slack": 35_000, "discord": 1_800, "msteams": 25_000, "tgram": 4_000, "ntfy": 4_000}
MARKDOWN_NOTE = "\n\n… (message shortened: the rest is in `newswatch findings`)\n"
HTML_NOTE = "<p>… (message shortened: the rest is in <code>newswatch findings</code>)</p>\n"


def body_limit(scheme: str, service_limit: int | None, *, html: bool) -> int:
    """Characters a body may have for an apprise URL of `scheme` (`service_limit`: what apprise's plugin
    says the service takes, when it knows)."""
    if html:
        return EMAIL_BODY
    ours = BODY_BY_SCHEME.get(scheme, DEFAULT_BODY)
    return min(ours, service_limit) if service_limit and service_limit > 0 else ours


def fit_body(body: str, limit: int, *, html: bool = False) -> str:
    """`body` when it fits in `limit` characters, else its first whole lines and a note saying it was cut.

    Rendered bodies keep each paragraph, quote or HTML block on lines of its own, so a cut at a line
    never leaves an open tag or a broken escape behind."""
    if len(body) <= limit:
        return body
    note = HTML_NOTE if html else MARKDOWN_NOTE
    room = max(0, limit - len(note))
    cut = body.rfind("\n", 0, room + 1)
    kept = body[:cut] if cut > 0 else ""
    return kept.rstrip() + ("\n" if html else "") + note
