"""A watch file's YAML: its data and where each field is, so that every mistake names its line."""

from __future__ import annotations

from typing import Any

import yaml


class WatchFileError(ValueError):
    """A watch file that cannot be used; the message names the file, line and field."""


def line_of(node: yaml.Node | None) -> str:
    """ "line N" of a node; a block mapping or list is named by its first key (libyaml marks the line before)."""
    while (
        isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and node.flow_style is not True
    ):
        node = node.value[0][0] if isinstance(node, yaml.MappingNode) else node.value[0]
    return f"line {node.start_mark.line + 1}" if node is not None else "top level"


def key_node(root: yaml.Node, *keys: str) -> yaml.Node | None:
    """The YAML node at a key path, to name its line in an error message."""
    node: yaml.Node | None = root
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return node
        node = next((v for k, v in node.value if getattr(k, "value", None) == key), node)
    return node


def field_node(root: yaml.Node, keys: tuple[str, ...]) -> yaml.Node | None:
    """The node of a key path, or of its nearest parent that exists (its key's own line when it is a key)."""
    node: yaml.Node | None = root
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return node
        pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)
        if pair is None:
            return node
        node = pair[0] if key == keys[-1] else pair[1]
    return node


def as_list(value: Any, where: str) -> tuple[str, ...]:
    """A string or a list of strings as a tuple; ValueError naming `where` otherwise."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of strings")
    return tuple(value)


# libyaml's parser when PyYAML was built with it: the pure-Python one took 0.4 s for a 1,000-feed file.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The YAML's node tree (for line numbers in errors) and its data, parsed once."""
    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()
