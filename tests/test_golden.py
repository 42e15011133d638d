"""Every kind of alert message against golden files: subject, plain text, Markdown, Slack (as apprise hands
it to Slack), the HTML email and the webhook's structured data. A change in how a message looks or reads
shows up here as a diff; NEWSWATCH_UPDATE_GOLDEN=1 writes the files anew (then read the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import apprise
import pytest
from alert_cases import CASES

import alerts.channels  # noqa: F401  (loads apprise's plugins as the app does)
from alerts.message import Message
from alerts.subject import SUBJECT_MAX

GOLDEN = Path(__file__).with_name("golden")
ROOT = Path(__file__).resolve().parents[1]
UPDATE = os.environ.get("NEWSWATCH_UPDATE_GOLDEN") == "1"


def slack(body: str) -> str:
    """The mrkdwn apprise posts to Slack for this body."""
    plugin = apprise.Apprise.instantiate("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general")
    assert plugin is not None
    return str(plugin.dialect_convert(body, apprise.NotifyFormat.MARKDOWN))


def forms(message: Message) -> dict[str, str]:
    """Each form of a message, by the golden file's extension."""
    return {
        "subject": message.title + "\n",
        "txt": message.text,
        "md": message.markdown,
        "slack": slack(message.slack) + "\n",
        "html": message.html,
        "json": json.dumps(message.data, indent=2, ensure_ascii=False) + "\n",
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_message_kind_matches_its_golden_files(case: str) -> None:
    for extension, written in forms(CASES[case]()).items():
        path = GOLDEN / f"{case}.{extension}"
        if UPDATE:
            path.write_text(written, encoding="utf-8")
        assert path.read_text(encoding="utf-8") == written, f"{path.name} differs (NEWSWATCH_UPDATE_GOLDEN=1)"


def test_every_golden_subject_fits_a_phone_notification() -> None:
    subjects = sorted(GOLDEN.glob("*.subject"))
    assert {p.stem for p in subjects} == set(CASES)
    for path in subjects:
        subject = path.read_text(encoding="utf-8").rstrip("\n")
        assert 0 < len(subject) <= SUBJECT_MAX, (path.name, len(subject))


@pytest.mark.parametrize("case", ["new_figure", "revised_figure", "new_statement", "health_failing"])
def test_the_readme_shows_the_plain_text_part_as_it_is(case: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = (GOLDEN / f"{case}.txt").read_text(encoding="utf-8").rstrip("\n")
    subject = (GOLDEN / f"{case}.subject").read_text(encoding="utf-8").rstrip("\n")
    assert f"Subject: {subject}\n\n{text}\n```" in readme, case
