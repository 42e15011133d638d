"""`newswatch check`: a watch file validated, and a sample text shown sentence by sentence with its findings."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from newswatch.cli import app

STORM = Path(__file__).parent / "fixtures" / "detect" / "storm.yaml"
# Our own sample: a headline that names the topic, a sentence that only says "the floods", and one that
# is about another country.
SAMPLE = (
    "Storm Hilda leaves trail of destruction in Portugal\n\n"
    "The floods killed at least 14 people in the Tagus valley, the national weather service said. "
    "In neighbouring Spain, a separate flood killed 3 people."
)


def test_a_valid_watch_file_is_summarised() -> None:
    result = CliRunner().invoke(app, ["check", "--watch", str(STORM)])
    assert result.exit_code == 0, result.output
    assert "valid: 1 topic (storm-hilda), 0 feeds, 1 alert route" in result.stdout


def test_a_mistake_exits_2_with_the_line_and_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "watch.yaml"
    bad.write_text(STORM.read_text(encoding="utf-8").replace("    aspects:", "    aspect:"), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--watch", str(bad)])
    assert result.exit_code == 2
    assert "line 6: unknown field 'aspect' in topics.storm-hilda: did you mean 'aspects'?" in result.stderr


def test_a_sample_shows_each_sentence_counted_its_reasons_and_findings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.txt"
    sample.write_text(SAMPLE, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--watch", str(STORM), str(sample)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "storm-hilda (Storm Hilda in Portugal): 3 of 3 sentences counted" in out
    assert "term 'Storm Hilda', 'Portugal'" in out
    assert "event noun 'floods'" in out and "an earlier sentence or the headline named the topic" in out
    assert (
        "figure: at least 14 people [killed], claimed by 'the national weather service' [weather-service], claimed"
        in out
    )
    assert "statement: the national weather service [weather-service] (said), reported:" in out
    spain = out[out.index("[3]") :]
    assert "not about 'Spain'" in spain and "figure:" not in spain  # another country's toll is not a finding


def test_check_reads_standard_input_and_strips_terminal_escapes() -> None:
    text = "Storm Hilda killed 9 people in Porto\x1b]0;pwned\x07, the civil protection agency said."
    result = CliRunner().invoke(app, ["check", "--watch", str(STORM), "-"], input=text)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "figure: 9 people [killed]" in result.stdout
