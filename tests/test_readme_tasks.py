"""The task runs the README names are the ones the flow makes: each matches a `task_run_name` in flows/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def task_run_names() -> list[str]:
    """Every `task_run_name` template given to a @task in flows/, read from the source."""
    names = []
    for path in sorted((ROOT / "flows").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "task":
                names += [
                    k.value.value
                    for k in node.keywords
                    if k.arg == "task_run_name" and isinstance(k.value, ast.Constant)
                ]
    return names


def readme_task_names() -> list[str]:
    """The backquoted names in the README's sentence on task runs ("Its task runs say what they did: ...")."""
    text = " ".join(ROOT.joinpath("README.md").read_text(encoding="utf-8").split())
    sentence = re.search(r"task runs say what they did: (.*?`send alerts`)", text)
    assert sentence, "the README's sentence on task runs is gone"
    return re.findall(r"`([^`]+)`", sentence[1])


def test_every_task_run_the_readme_names_is_one_the_flow_makes() -> None:
    templates = task_run_names()
    assert len(templates) >= 3
    patterns = [re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(t))) for t in templates]
    named = readme_task_names()
    for name in named:  # "<feed URL>" stands for any text, as a template's "{label}" does
        sample = re.sub(r"<[^>]+>", "https://example.org/feed.xml", name)
        assert any(p.fullmatch(sample) for p in patterns), (name, templates)
    for pattern, template in zip(patterns, templates, strict=True):  # and every task is in the README
        assert any(pattern.fullmatch(re.sub(r"<[^>]+>", "x", n)) for n in named), template
