"""The command that starts a monitor of one's own: `init` writes an editable watch file and .env.example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alerts.escaping import terminal_text
from newswatch.cli.base import app, fail


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to write them (default: here).")] = Path(),
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
) -> None:
    """Write an editable copy of the bundled watch file and a commented .env.example.

    Example: newswatch init my-monitor
    """
    from newswatch.scaffold import ScaffoldError, scaffold

    try:
        written = scaffold(directory, force=force)
    except (ScaffoldError, OSError) as exc:
        fail(str(exc), code=1)
    for path in written:
        print(f"wrote {terminal_text(str(path))}")
    watch = terminal_text(str(written[0]))
    print(
        f"next: edit {watch}, check it with `newswatch check --watch {watch}`, and copy .env.example to .env"
    )
