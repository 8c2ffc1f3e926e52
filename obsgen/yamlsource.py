"""YAML loading that remembers the line of every value, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from obsgen.errors import ConfigError, SourceLocation

JsonPath = tuple[str | int, ...]

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"

# YAML aliases can make a few lines stand for billions of values (the "billion
# laughs" pattern). Where aliases are allowed, a document may expand to at most
# this many values per character of text plus a fixed allowance. A document
# without aliases never has more values than characters.
MAX_VALUES_PER_CHARACTER = 2
EXTRA_VALUES = 10_000

# The types YAML 1.1 gives unquoted keys that people often mean as strings.
_KEY_TYPE_NAMES = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "a date",
}


class LocatedDocument:
    """A parsed YAML document and the 1-based line of each value in it."""

    def __init__(
        self,
        path: Path,
        data: Any,
        lines: dict[JsonPath, int],
        columns: dict[JsonPath, int] | None = None,
        plain_scalars: dict[JsonPath, str] | None = None,
    ) -> None:
        self.path = path
        self.data = data
        self._lines = lines
        self._columns = columns or {}
        self._plain_scalars = plain_scalars or {}

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
        plain = {
            p[size:]: text
            for p, text in self._plain_scalars.items()
            if p[:size] == prefix
        }
        return LocatedDocument(self.path, data, lines, columns, plain)

    def position(self, json_path: JsonPath) -> tuple[int, int]:
        """Return the 1-based line and column of the value at `json_path`, or of
        its nearest parent."""
        path = tuple(json_path)
        while path and path not in self._lines:
            path = path[:-1]
        return self._lines.get(path, 1), self._columns.get(path, 1)

    def plain_text(self, json_path: JsonPath) -> str | None:
        """Return the unquoted scalar at `json_path` as written, or None when the
        value there is quoted, a mapping or a list, or does not exist."""
        return self._plain_scalars.get(tuple(json_path))


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
    path: Path,
    error_class: type[ConfigError] = ConfigError,
    *,
    allow_aliases: bool = False,
) -> LocatedDocument:
    """Read and parse one configuration file, as `parse_yaml` does.

    Unless `allow_aliases` is set, aliases are rejected rather than counted. A
    configuration has no repetition that needs them, and an error in an aliased
    value would point at the anchor's line instead of the alias'. An alias bomb
    then fails at its first alias, with no limit to tune.
    """
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise error_class(
            f"file not found: {path}",
            hint="check the path, or create the file from examples/example-service",
        ) from None
    except IsADirectoryError:
        raise error_class(
            f"{path} is a folder, not a file",
            hint="pass the path of a YAML file, such as "
            "examples/example-service/service.yaml",
        ) from None
    except OSError as error:
        raise error_class(f"cannot read {path}: {error.strerror}") from None

    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        byte = content[error.start]
        raise error_class(
            f"cannot read {path}: byte 0x{byte:02x} is not valid UTF-8",
            location=SourceLocation(str(path), line),
            hint="save the file as UTF-8",
        ) from None
    return parse_yaml(text, path, error_class, allow_aliases=allow_aliases)


def parse_yaml(
    text: str,
    path: Path,
    error_class: type[ConfigError] = ConfigError,
    *,
    allow_aliases: bool = True,
) -> LocatedDocument:
    """Parse YAML `text` that was read from `path`.

    Rejects more than one document, duplicate keys, non-string keys and, unless
    `allow_aliases` is set, aliases and merge keys. With aliases allowed, a
    document that expands to far more values than its text could hold is
    rejected too.
    """
    lines: dict[JsonPath, int] = {}
    columns: dict[JsonPath, int] = {}
    plain_scalars: dict[JsonPath, str] = {}
    recorder = _Recorder(
        path,
        error_class,
        allow_aliases,
        MAX_VALUES_PER_CHARACTER * len(text) + EXTRA_VALUES,
        lines,
        columns,
        plain_scalars,
    )
    data = None
    try:
        # The reader checks the characters of the whole text when it starts.
        loader = _LocatingLoader(text, allow_aliases)
        try:
            node = loader.get_single_node()
            if node is not None:
                # Before construction, which rewrites the nodes of merge keys.
                recorder.record(node, ())
                data = loader.construct_document(node)
        finally:
            loader.dispose()
    except _AliasNotAllowed as error:
        raise error_class(
            f"YAML alias *{error.anchor} is not allowed in a configuration file",
            location=SourceLocation(str(path), error.mark.line + 1),
            hint=f"write the value out in full instead of the anchor "
            f"&{error.anchor} and its aliases",
        ) from None
    except yaml.YAMLError as error:
        raise _syntax_error(error, text, path, error_class) from None
    except RecursionError:
        raise error_class(
            f"invalid YAML: {path} is nested too deeply",
            location=SourceLocation(str(path), 1),
            hint="flatten the nested mappings and lists",
        ) from None
    return LocatedDocument(path, data, lines, columns, plain_scalars)


def _syntax_error(
    error: yaml.YAMLError,
    text: str,
    path: Path,
    error_class: type[ConfigError],
) -> ConfigError:
    if isinstance(error, yaml.reader.ReaderError):
        # The reader reports a character offset, not a mark.
        line = text[: error.position].count("\n") + 1
        return error_class(
            f"invalid YAML: unacceptable character #x{error.character:04x}: "
            "special characters are not allowed",
            location=SourceLocation(str(path), line),
            hint="remove the character, or write it as an escape in a "
            'double-quoted string, such as "\\x07"',
        )

    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    location = SourceLocation(str(path), line)
    if getattr(error, "context", None) == "expected a single document in the stream":
        return error_class(
            f"{path} has more than one YAML document",
            location=location,
            hint="keep one document: remove the '---' at that line, and merge "
            "or delete what follows it",
        )
    problem = getattr(error, "problem", None) or str(error)
    return error_class(
        f"invalid YAML: {problem}",
        location=location,
        hint="fix the YAML syntax at that line",
    )


class _AliasNotAllowed(Exception):
    def __init__(self, anchor: str, mark: yaml.Mark) -> None:
        super().__init__(anchor)
        self.anchor = anchor
        self.mark = mark


class _LocatingLoader(yaml.SafeLoader):
    """A SafeLoader that can reject aliases as the composer meets them."""

    def __init__(self, text: str, allow_aliases: bool) -> None:
        super().__init__(text)
        self.allow_aliases = allow_aliases

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if not self.allow_aliases and self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasNotAllowed(event.anchor, event.start_mark)
        return super().compose_node(parent, index)


class _Recorder:
    """Records the position of each value and checks the keys of each mapping."""

    def __init__(
        self,
        path: Path,
        error_class: type[ConfigError],
        allow_aliases: bool,
        max_values: int,
        lines: dict[JsonPath, int],
        columns: dict[JsonPath, int],
        plain_scalars: dict[JsonPath, str],
    ) -> None:
        self.path = path
        self.error_class = error_class
        self.allow_aliases = allow_aliases
        self.max_values = max_values
        self.lines = lines
        self.columns = columns
        self.plain_scalars = plain_scalars

    def record(self, node: yaml.Node, json_path: JsonPath) -> None:
        # An alias is the same node object again, so a path, not a node, counts.
        if len(self.lines) >= self.max_values:
            raise self.error_class(
                f"invalid YAML: {self.path} expands to more than "
                f"{self.max_values} values through aliases",
                location=self._location(node),
                hint="write the values out in full instead of nesting aliases",
            )
        self.lines[json_path] = node.start_mark.line + 1
        self.columns[json_path] = node.start_mark.column + 1
        if isinstance(node, yaml.ScalarNode) and node.style is None:
            self.plain_scalars[json_path] = node.value
        elif isinstance(node, yaml.MappingNode):
            self._record_mapping(node, json_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.record(item, (*json_path, index))

    def _record_mapping(self, node: yaml.MappingNode, json_path: JsonPath) -> None:
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                self._check_merge_key(key_node)
                continue
            self._check_key(key_node, json_path)
            key = key_node.value
            if key in seen:
                raise self.error_class(
                    f"duplicate key {key!r} in {format_json_path(json_path)}",
                    location=self._location(key_node),
                    hint="remove one of the two entries; YAML keeps only the last",
                )
            seen.add(key)
            self.record(value_node, (*json_path, key))

    def _check_merge_key(self, key_node: yaml.Node) -> None:
        # The merged keys have no path of their own, so their errors point at
        # the mapping that merges them.
        if not self.allow_aliases:
            raise self.error_class(
                "YAML merge key '<<' is not allowed in a configuration file",
                location=self._location(key_node),
                hint="write the merged keys out in full",
            )

    def _check_key(self, key_node: yaml.Node, json_path: JsonPath) -> None:
        if key_node.tag == STR_TAG:
            return
        where = format_json_path(json_path)
        if isinstance(key_node, yaml.ScalarNode):
            type_name = _KEY_TYPE_NAMES.get(key_node.tag, f"the type {key_node.tag}")
            written = key_node.value or "(empty)"
            raise self.error_class(
                f"invalid key {written} in {where}: YAML reads it as "
                f"{type_name}, and keys must be strings",
                location=self._location(key_node),
                hint=f'quote it: "{key_node.value}"',
            )
        raise self.error_class(
            f"invalid key in {where}: a mapping or list cannot be a key",
            location=self._location(key_node),
            hint="use a string as the key",
        )

    def _location(self, node: yaml.Node) -> SourceLocation:
        return SourceLocation(str(self.path), node.start_mark.line + 1)
