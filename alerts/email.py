"""The HTML email: a complete document rendered from Jinja2 templates, which users can override.

The bundled templates are in `alerts/templates` (`email.html` the page, `findings.html` new findings,
`health.html` feed health). A directory named by `templates:` in the watch file or by
NEWSWATCH_TEMPLATES is searched first, so a file of the same name there replaces ours. Autoescaping is on
for every template, and each text reaches it already made inert for chat and mail clients (no mention, no
"https://" to auto-link), so a template cannot forget to escape it. A template that fails is reported in
the log and the bundled one is used: a typo in an override never loses an alert.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, TemplateError

from alerts.markup import neutral
from alerts.view import FindingView, MessageView, StoryView

logger = logging.getLogger("newswatch.alerts")
# A colour per change, so the eye finds a revision first.
COLOURS = {"Revised figure": "#b35900", "New figure": "#1a7f37", "New statement": "#0b57d0"}


@lru_cache(maxsize=8)
def environment(templates: Path | None) -> Environment:
    """The Jinja2 environment: the user's directory first (when given), then the bundled templates."""
    loaders: list[FileSystemLoader | PackageLoader] = [PackageLoader("alerts", "templates")]
    if templates is not None:
        loaders.insert(0, FileSystemLoader(str(templates)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["colours"] = COLOURS
    return env


def _inert_finding(finding: FindingView) -> FindingView:
    return replace(
        finding,
        headline=neutral(finding.headline),
        lines=tuple((name, neutral(value)) for name, value in finding.lines),
        sentence=neutral(finding.sentence),
        topic_title=neutral(finding.topic_title),
    )


def _inert_story(story: StoryView) -> StoryView:
    return replace(
        story,
        title=neutral(story.title),
        outlet=neutral(story.outlet),
        url=neutral(story.url),
        findings=tuple(_inert_finding(f) for f in story.findings),
        more=neutral(story.more),
    )


def inert(view: MessageView) -> MessageView:
    """The view with every text made inert for mail clients (links and mentions broken); `href` stays."""
    return replace(
        view,
        subject=neutral(view.subject),
        heading=neutral(view.heading),
        stories=tuple(_inert_story(s) for s in view.stories),
        more=neutral(view.more),
        # (A health alert's feed is the watch file's own URL, shown as code.)
        facts=tuple((name, value if name == "Feed" else neutral(value)) for name, value in view.facts),
    )


def html_document(view: MessageView, templates: Path | None = None) -> str:
    """The message as a complete HTML document, from the user's templates when given, else ours."""
    name = "health.html" if view.kind == "health" else "findings.html"
    safe = inert(view)
    if templates is not None:
        try:
            return environment(templates).get_template(name).render(view=safe)
        except (TemplateError, OSError) as exc:
            logger.warning(
                "the email template %s in %s failed (%s): using the bundled one", name, templates, exc
            )
    return environment(None).get_template(name).render(view=safe)
