"""A second topic is only a watch file: wildfire evacuations, detected and stored with no code change."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from extractors.detect import detect
from extractors.findings import Figure, Statement
from newswatch.cli import app
from newswatch.watchfile import load_watch
from storage.claims import store_findings
from storage.db import session_scope
from storage.models import Article

WATCH = Path(__file__).parent / "fixtures" / "topics" / "wildfire.yaml"
TOPIC = load_watch(WATCH).topic("wildfire-evacuations")
# Our own text about a fictional fire.
DAY_ONE = (
    "Cal Fire said about 12,000 residents had been ordered to evacuate as the Ridgeline Fire spread overnight. "
    "Sheriff Dana Whitlock told reporters that up to 3,500 homes were under threat from the blaze.\n"
    '"We are asking everyone east of the highway to leave now, not in an hour," Whitlock said. '
    "The county last burned in 1998, when a smaller fire destroyed 40 barns."
)
DAY_TWO = (
    "Cal Fire said on Wednesday that 15,000 residents had now been told to evacuate from the Ridgeline Fire."
)


def test_figures_take_the_second_topics_units_and_claimants() -> None:
    figures = [f for f in detect(DAY_ONE, TOPIC) if isinstance(f, Figure)]
    found = {(f.value, f.unit_class, f.claimant_key, f.qualifier) for f in figures}
    assert (12000, "evacuated", "calfire", "about") in found
    assert (3500, "structures", "sheriff", "up to") in found
    assert not {1998, 40} & {f.value for f in figures}  # a year, and barns are not a unit of this topic
    for f in figures:
        assert DAY_ONE[f.start : f.end].replace(",", "") == str(f.value)


def test_statements_resolve_the_speakers_full_name() -> None:
    quotes = [s for s in detect(DAY_ONE, TOPIC) if isinstance(s, Statement) and s.direct]
    (quote,) = quotes
    assert "Dana Whitlock" in quote.speaker
    assert quote.quote.startswith("We are asking everyone east of the highway")
    assert DAY_ONE[quote.start : quote.end] == quote.quote


def test_novelty_works_for_the_second_topic(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine) as s:
        first = Article(url="http://fire.test/1", title="", outlet="Valley Courier", text=DAY_ONE)
        second = Article(url="http://fire.test/2", title="", outlet="Valley Courier", text=DAY_TWO)
        s.add_all([first, second])
        s.flush()
        one = store_findings(s, article=first, topic=TOPIC.name, findings=detect(DAY_ONE, TOPIC))
        two = store_findings(s, article=second, topic=TOPIC.name, findings=detect(DAY_TWO, TOPIC))
    assert "new_figure" in {c.change for c in one.new}
    (revised,) = [c for c in two.new if c.change == "revised_figure"]
    assert revised.previous[0].startswith("about 12,000 residents")


def test_detect_command_takes_the_watch_file_and_topic() -> None:
    result = CliRunner().invoke(
        app, ["detect", "--watch", str(WATCH), "--topic", "wildfire-evacuations", "-"], input=DAY_TWO
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(r["kind"] == "figure" and r["value"] == 15000 and r["unit_class"] == "evacuated" for r in rows)
    unknown = CliRunner().invoke(app, ["detect", "--watch", str(WATCH), "--topic", "nope", "-"], input="x")
    assert unknown.exit_code == 2
    assert "wildfire-evacuations" in unknown.stderr
