"""YAML loading that remembers the line of every value, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from obsgen.errors import ConfigError, SourceLocation

JsonPath = tuple[str | int, ...]


class LocatedDocument:
    """A parsed YAML document and the 1-based line of each value in it."""

    def __init__(
        self,
        path: Path,
        data: Any,
        lines: dict[JsonPath, int],
        columns: dict[JsonPath, int] | None = None,
    ) -> None:
        self.path = path
        self.data = data
        self._lines = lines
        self._columns = columns or {}

    def location(self, json_path: JsonPath) -> SourceLocation:
        """Return where the value at `json_path`, or its nearest parent, is."""
        path = tuple(json_path)
        while path and path not in self._lines:
            path = path[:-1]
        return SourceLocation(str(self.path), self._lines.get(path, 1))

    def subdocument(self, prefix: JsonPath) -> LocatedDocument:
        """Return the value at `prefix` as a document, keeping its positions."""
        data = self.data
        for part in prefix:
            data = data[part]
        size = len(prefix)
        lines = {p[size:]: n for p, n in self._lines.items() if p[:size] == prefix}
        columns = {p[size:]: n for p, n in self._columns.items() if p[:size] == prefix}
        return LocatedDocument(self.path, data, lines, columns)

    def position(self, json_path: JsonPath) -> tuple[int, int]:
        """Return the 1-based line and column of the value at `json_path`, or of
        its nearest parent."""
        path = tuple(json_path)
        while path and path not in self._lines:
            path = path[:-1]
        return self._lines.get(path, 1), self._columns.get(path, 1)


def format_json_path(json_path: JsonPath) -> str:
    """Format a path such as ('groups', 0, 'name') as `groups[0].name`."""
    text = ""
    for part in json_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def load_yaml(
    path: Path, error_class: type[ConfigError] = ConfigError
) -> LocatedDocument:
    """Parse one YAML document, rejecting duplicate keys and non-string keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error_class(
            f"file not found: {path}",
            hint="check the path, or create the file from examples/example-service",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise error_class(f"cannot read {path}: {error}") from None
    return parse_yaml(text, path, error_class)


def parse_yaml(
    text: str, path: Path, error_class: type[ConfigError] = ConfigError
) -> LocatedDocument:
    """Parse YAML `text` that was read from `path`, as `load_yaml` does."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise error_class(
            f"invalid YAML: {problem}",
            location=SourceLocation(str(path), line),
            hint="fix the YAML syntax at that line",
        ) from None

    lines: dict[JsonPath, int] = {}
    columns: dict[JsonPath, int] = {}
    if node is not None:
        _record_lines(node, (), lines, path, error_class, columns)
    return LocatedDocument(path, data, lines, columns)


def _record_lines(
    node: yaml.Node,
    json_path: JsonPath,
    lines: dict[JsonPath, int],
    path: Path,
    error_class: type[ConfigError],
    columns: dict[JsonPath, int],
) -> None:
    lines[json_path] = node.start_mark.line + 1
    columns[json_path] = node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise error_class(
                    f"duplicate key {key!r} in {format_json_path(json_path)}",
                    location=SourceLocation(str(path), key_node.start_mark.line + 1),
                    hint="remove one of the two entries; YAML keeps only the last",
                )
            seen.add(key)
            _record_lines(
                value_node, (*json_path, key), lines, path, error_class, columns
            )
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*json_path, index), lines, path, error_class, columns)
