"""The environment's NEWSWATCH_* variables: a name that is no setting is a typo worth one warning.

pydantic-settings reads only the variables named after fields and ignores the rest (with extra="forbid"
it refuses unknown keys of a `.env` file, but never of the environment), so `NEWSWATCH_DATABSE_URL` would
silently leave the default database in place.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from dotenv import dotenv_values

from alerts.escaping import terminal_text
from newswatch.settings import Settings
from newswatch.workers import WorkerSettings

PREFIX = "NEWSWATCH_"
# Variables the test suite reads, never newswatch itself: not typos. NEWSWATCH_TEST_* is the test suite's
# own family (e.g. NEWSWATCH_TEST_POSTGRES_URL); the others are older names kept by the tests.
TEST_PREFIX = "NEWSWATCH_TEST_"
TEST_VARIABLES = frozenset({"NEWSWATCH_UPDATE_GOLDEN", "NEWSWATCH_UPDATE_SCREENSHOT", "NEWSWATCH_CRASH_SEED"})
_warned: set[str] = set()  # once per process: get_settings() runs many times in a pass


def known_variables() -> frozenset[str]:
    """Every NEWSWATCH_* name that sets something."""
    fields = [*Settings.model_fields, *WorkerSettings.model_fields]
    return frozenset(PREFIX + name.upper() for name in fields)


def unknown_variables(names: Iterable[str]) -> list[tuple[str, str | None]]:
    """Each NEWSWATCH_* name among `names` that sets nothing, with the closest known name (or None)."""
    known = known_variables()
    unknown = []
    for name in sorted(set(names)):
        upper = name.upper()  # pydantic-settings matches names in any case
        if not upper.startswith(PREFIX) or upper in known:
            continue
        if upper.startswith(TEST_PREFIX) or upper in TEST_VARIABLES:
            continue
        # Compared without the prefix they all share, which would make every name look close to every other.
        suffixes = sorted(k.removeprefix(PREFIX) for k in known)
        close = difflib.get_close_matches(upper.removeprefix(PREFIX), suffixes, n=1, cutoff=0.7)
        unknown.append((name, PREFIX + close[0] if close else None))
    return unknown


def warn_unknown_variables(
    environ: Mapping[str, str] | None = None, env_file: Path = Path(".env"), stream: TextIO | None = None
) -> list[str]:
    """Print one line on stderr for each NEWSWATCH_* variable (in the environment or `.env`) that sets
    nothing, naming the closest setting; each name once per process. Returns the lines printed."""
    names = list(os.environ if environ is None else environ)
    if env_file.is_file():
        names += [key for key in dotenv_values(env_file) if key]
    lines = []
    for name, close in unknown_variables(names):
        if name in _warned:
            continue
        _warned.add(name)
        guess = (
            f": did you mean {close}?"
            if close
            else ": no setting has that name (see the README's Configuration)"
        )
        lines.append(f"warning: {terminal_text(name)} is not a newswatch setting and is ignored{guess}")
    out = sys.stderr if stream is None else stream
    for line in lines:
        out.write(line + "\n")
    return lines
