"""`newswatch init`: an editable copy of the bundled watch file and a commented `.env.example`.

After `pip install` the bundled watch file lives in site-packages, where no one should edit it; and the
settings are many. `.env.example` is written from the Settings class itself (names, defaults, each field's
docstring), so it cannot drift from what newswatch reads.
"""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from newswatch.settings import BUNDLED_WATCH_FILE, Settings
from newswatch.workers import WorkerSettings

WATCH_NAME = "watch.yaml"
ENV_NAME = ".env.example"
_HEADER = """\
# newswatch settings: copy this file to .env (in the directory newswatch runs in) or set these in the
# environment. Every line is optional; uncomment one to change its default. Written from the settings
# classes (newswatch/settings.py, newswatch/workers.py) by `newswatch init`.
"""


class ScaffoldError(RuntimeError):
    """A file `newswatch init` would write exists already (and --force was not given)."""


def _shown(field: FieldInfo) -> str:
    """A field's default as it would be written in `.env`; "" when it depends on the machine."""
    value = field.default
    if field.default_factory is not None or isinstance(value, Path) or value is None:
        return ""  # a per-user path or the bundled file in site-packages: the docstring says what it is
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, timedelta):
        return (
            f"{value.days}d" if value == timedelta(days=value.days) else f"{value.total_seconds() / 3600:g}h"
        )
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def env_example() -> str:
    """The text of `.env.example`: every NEWSWATCH_* setting, its meaning and default, commented out."""
    blocks = [_HEADER]
    fields = {**Settings.model_fields, **WorkerSettings.model_fields}
    for name, field in fields.items():
        meaning = textwrap.wrap(field.description or "", 106)
        lines = [f"# {line}" for line in meaning]
        value = _shown(field)
        value = f'"{value}"' if " " in value else value  # as dotenv and systemd's EnvironmentFile= read it
        lines.append(f"# NEWSWATCH_{name.upper()}={value}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def scaffold(directory: Path, *, force: bool = False) -> list[Path]:
    """Write `watch.yaml` (the bundled one) and `.env.example` into `directory`; the paths written.

    Refuses (ScaffoldError, nothing written) when either exists, unless `force`.
    """
    files = {
        directory / WATCH_NAME: BUNDLED_WATCH_FILE.read_text(encoding="utf-8"),
        directory / ENV_NAME: env_example(),
    }
    existing = [path for path in files if path.exists()]
    if existing and not force:
        names = ", ".join(str(path) for path in existing)
        raise ScaffoldError(f"{names} already exist{'s' if len(existing) == 1 else ''}; --force overwrites")
    directory.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
