"""A mistyped NEWSWATCH_* variable is named once, with the setting it probably meant."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from newswatch.environment import unknown_variables, warn_unknown_variables

ROOT = Path(__file__).resolve().parents[1]


def test_a_typo_is_named_once_with_the_closest_setting(tmp_path: Path) -> None:
    environ = {
        "NEWSWATCH_DATABSE_URL": "sqlite:///x.db",
        "NEWSWATCH_DATABASE_URL": "sqlite:///y.db",
        "NEWSWATCH_WORKERS": "2",  # a setting of the worker pool
        "NEWSWATCH_TEST_POSTGRES_URL": "postgresql://t",  # the test suite's own
        "NEWSWATCH_UPDATE_GOLDEN": "1",
        "PATH": "/usr/bin",
    }
    out = io.StringIO()
    lines = warn_unknown_variables(environ, env_file=tmp_path / ".env", stream=out)
    assert lines == [
        "warning: NEWSWATCH_DATABSE_URL is not a newswatch setting and is ignored: "
        "did you mean NEWSWATCH_DATABASE_URL?"
    ]
    assert out.getvalue() == lines[0] + "\n"
    assert warn_unknown_variables(environ, env_file=tmp_path / ".env", stream=out) == []  # once


def test_dot_env_keys_are_checked_too_and_a_far_name_gets_no_guess(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "NEWSWATCH_ALLOWED_NETWORK=127.0.0.1/32\nNEWSWATCH_COLOUR=blue\nOTHER=1\n", encoding="utf-8"
    )
    lines = warn_unknown_variables({}, env_file=env_file, stream=io.StringIO())
    assert lines == [
        "warning: NEWSWATCH_ALLOWED_NETWORK is not a newswatch setting and is ignored: "
        "did you mean NEWSWATCH_ALLOWED_NETWORKS?",
        "warning: NEWSWATCH_COLOUR is not a newswatch setting and is ignored: "
        "no setting has that name (see the README's Configuration)",
    ]


def test_every_setting_named_in_the_readme_is_known() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    named = set(re.findall(r"`(NEWSWATCH_[A-Z_]+)`", readme))
    assert "NEWSWATCH_DATABASE_URL" in named
    assert unknown_variables(named) == []  # no setting the README documents would be warned about


def test_the_command_warns_on_stderr_before_it_runs(tmp_path: Path) -> None:
    env = {**os.environ, "NEWSWATCH_DATABSE_URL": "sqlite:///typo.db"}
    env.pop("NEWSWATCH_DATABASE_URL", None)
    args = [sys.executable, "-m", "newswatch", "findings", "--kind", "person"]
    proc = subprocess.run(
        args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.count("NEWSWATCH_DATABSE_URL is not a newswatch setting") == 1
    assert "did you mean NEWSWATCH_DATABASE_URL?" in proc.stderr
