"""The commands over a text, with no network and no database: `detect` and `check`."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from alerts.escaping import terminal_text
from newswatch.cli.base import WatchOpt, app, fail, open_watch, read_text


@app.command()
def detect(
    file: Annotated[str, typer.Argument(help="A plain-text article, or - for standard input.")] = "-",
    watch: WatchOpt = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Topic name (default: the first).")] = None,
    batch: Annotated[
        bool, typer.Option("--batch", help='Read JSON Lines {"id", "text"}; tag findings with "id".')
    ] = False,
) -> None:
    """Findings in one article's text as JSON Lines; no network, no database.

    Example: newswatch detect article.txt   |   echo '{"id": 1, "text": "..."}' | newswatch detect --batch
    """
    from extractors.detect import detect as run_detect
    from extractors.detect import detect_many

    spec = open_watch(watch)
    try:
        chosen = spec.topic(topic) if topic else spec.topics[0]
    except KeyError as exc:
        fail(str(exc.args[0]))
    text = read_text(file)
    out = sys.stdout
    if not batch:
        for finding in run_detect(text, chosen):
            out.write(json.dumps(finding.to_dict(), ensure_ascii=False) + "\n")
        return
    rows: list[tuple[object, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            row_id, row_text = row["id"], row["text"]
            if not isinstance(row_text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            fail(f'line {number} of the batch is not a JSON object with "id" and "text"')
        rows.append((row_id, row_text))
    for start in range(0, len(rows), _BATCH):  # rows parsed together, a bounded number at a time
        chunk = rows[start : start + _BATCH]
        for (row_id, _text), found in zip(chunk, detect_many([t for _i, t in chunk], chosen), strict=True):
            for finding in found:
                out.write(json.dumps({"id": row_id, **finding.to_dict()}, ensure_ascii=False) + "\n")


_BATCH = 200  # rows of `detect --batch` parsed together


@app.command()
def check(
    file: Annotated[
        str | None, typer.Argument(help="A sample article's plain text, or - for standard input.")
    ] = None,
    watch: WatchOpt = None,
) -> None:
    """Validate a watch file; with a sample text, show each sentence counted for each topic and every finding.

    Example: newswatch check --watch my-topic.yaml article.txt
    Exit 0 when the watch file is valid, 2 (with the line and the field) when it is not.
    """
    from extractors.explanation import describe, explain

    spec = open_watch(watch)
    topics = ", ".join(t.name for t in spec.topics)
    typer.echo(
        f"{spec.path}: valid: {len(spec.topics)} topic{'s' if len(spec.topics) != 1 else ''} ({topics}), "
        f"{len(spec.feeds)} feed{'s' if len(spec.feeds) != 1 else ''}, {len(spec.routes)} alert route"
        f"{'s' if len(spec.routes) != 1 else ''}"
    )
    if file is None:
        return
    text = read_text(file)
    for topic in spec.topics:
        views = explain(text, topic)
        counted = [v for v in views if v.statements_count or v.figures_count]
        typer.echo(
            f"\n{topic.name} ({terminal_text(topic.title)}): {len(counted)} of {len(views)} sentences counted"
        )
        for v in counted:
            what = " and ".join(
                w for w, on in (("statements", v.statements_count), ("figures", v.figures_count)) if on
            )
            typer.echo(f"  [{v.number}] {what} count: {'; '.join(v.reasons) or 'no watch-file word'}")
            typer.echo(f"      {terminal_text(v.text)[:300]}")
            for finding in v.findings:
                typer.echo(f"      -> {terminal_text(describe(finding))}")
        skipped = [str(v.number) for v in views if not (v.statements_count or v.figures_count)]
        if skipped:
            typer.echo(
                f"  not counted: sentences {', '.join(skipped)} (no term, context word or event noun near them)"
            )
