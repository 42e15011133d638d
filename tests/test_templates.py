"""Email templates a user overrides: from the watch file's `templates:` or NEWSWATCH_TEMPLATES, escaped
like ours, and ours again when theirs fails."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
from alert_cases import NIS_3000
from test_delivery import TOPICS, settings

from alerts.render import render_instant
from newswatch.channels import resolve_channels
from newswatch.watchfile import WatchFileError, load_watch

OURS = """{% extends "email.html" %}
{% block content %}<p class="ours">{{ view.stories[0].title }} (our desk)</p>{% endblock %}
"""


def test_a_template_of_the_users_replaces_ours_and_still_escapes(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "findings.html").write_text(OURS, encoding="utf-8")
    item = replace(NIS_3000, article_title="<b>Troops</b> <!channel>")
    html = render_instant([item], templates=folder).html
    assert '<p class="ours">&lt;b&gt;Troops&lt;/b&gt; &lt;\u200b!channel&gt; (our desk)</p>' in html
    assert html.startswith("<!DOCTYPE html>")  # their block, our page around it
    assert "Revised figure" not in html
    assert "Revised figure" in render_instant([item]).html  # ours, without the directory


def test_a_template_that_fails_is_reported_and_ours_is_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "findings.html").write_text(
        "{% extends 'email.html' %}{% block content %}{{ view.nope }}{% endblock %}"
    )
    with caplog.at_level(logging.WARNING, logger="newswatch.alerts"):
        html = render_instant([NIS_3000], templates=tmp_path).html
    assert "Revised figure" in html
    assert "the email template findings.html" in caplog.text and "using the bundled one" in caplog.text


def test_the_watch_file_names_the_directory_relative_to_itself_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mail").mkdir()
    watch_file = tmp_path / "watch.yaml"
    watch_file.write_text(TOPICS + "templates: mail\n", encoding="utf-8")
    watch = load_watch(watch_file)
    assert watch.templates == tmp_path / "mail"
    assert {c.templates for c in resolve_channels(watch, settings())} == {tmp_path / "mail"}
    elsewhere = tmp_path / "elsewhere"
    assert {c.templates for c in resolve_channels(watch, settings(templates=elsewhere))} == {elsewhere}
    watch_file.write_text(TOPICS + "templates: missing\n", encoding="utf-8")
    with pytest.raises(
        WatchFileError, match=r"line 11: 'templates' names 'missing', which is not a directory"
    ):
        load_watch(watch_file)
