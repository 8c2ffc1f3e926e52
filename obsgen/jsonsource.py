"""JSON loading that remembers the line and column of every value.

The standard library's decoder keeps no positions, so this is a small
recursive descent parser. It reuses the standard library's string and number
scanners, so it accepts exactly the JSON that `json.loads` accepts, and it
rejects duplicate keys, which `json.loads` silently merges.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from obsgen.errors import ConfigError, SourceLocation
from obsgen.yamlsource import JsonPath, LocatedDocument, format_json_path

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_CONSTANTS = {"true": True, "false": False, "null": None}


class _Parser:
    def __init__(self, text: str, path: Path, error_class: type[ConfigError]) -> None:
        self.text = text
        self.path = path
        self.error_class = error_class
        self.lines: dict[JsonPath, int] = {}
        self.columns: dict[JsonPath, int] = {}
        # Offsets where each line starts, to turn an offset into line and column.
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_column(self, offset: int) -> tuple[int, int]:
        low, high = 0, len(self.line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - self.line_starts[low] + 1

    def fail(self, message: str, offset: int) -> ConfigError:
        line, _ = self.line_column(offset)
        return self.error_class(
            f"invalid JSON: {message}",
            location=SourceLocation(str(self.path), line),
            hint="fix the JSON syntax at that line",
        )

    def skip(self, offset: int) -> int:
        return _WHITESPACE.match(self.text, offset).end()

    def value(self, offset: int, json_path: JsonPath) -> tuple[Any, int]:
        offset = self.skip(offset)
        self.lines[json_path], self.columns[json_path] = self.line_column(offset)
        char = self.text[offset : offset + 1]
        if char == "{":
            return self.object(offset + 1, json_path)
        if char == "[":
            return self.array(offset + 1, json_path)
        if char == '"':
            return self.string(offset)
        for word, constant in _CONSTANTS.items():
            if self.text.startswith(word, offset):
                return constant, offset + len(word)
        match = _NUMBER.match(self.text, offset)
        if match is None:
            found = repr(char) if char else "the end of the file"
            raise self.fail(f"expected a value, found {found}", offset)
        return json.loads(match.group()), match.end()

    def string(self, offset: int) -> tuple[str, int]:
        try:
            return scanstring(self.text, offset + 1, True)
        except json.JSONDecodeError as error:
            raise self.fail(error.msg, error.pos) from None

    def object(self, offset: int, json_path: JsonPath) -> tuple[dict, int]:
        result: dict[str, Any] = {}
        offset = self.skip(offset)
        if self.text.startswith("}", offset):
            return result, offset + 1
        while True:
            offset = self.skip(offset)
            if not self.text.startswith('"', offset):
                raise self.fail("expected a quoted key", offset)
            key_offset = offset
            key, offset = self.string(offset)
            if key in result:
                raise self.fail(
                    f"duplicate key {key!r} in {format_json_path(json_path)}",
                    key_offset,
                )
            offset = self.skip(offset)
            if not self.text.startswith(":", offset):
                raise self.fail("expected ':' after a key", offset)
            result[key], offset = self.value(offset + 1, (*json_path, key))
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset += 1
                continue
            if self.text.startswith("}", offset):
                return result, offset + 1
            raise self.fail("expected ',' or '}' in an object", offset)

    def array(self, offset: int, json_path: JsonPath) -> tuple[list, int]:
        result: list[Any] = []
        offset = self.skip(offset)
        if self.text.startswith("]", offset):
            return result, offset + 1
        while True:
            item, offset = self.value(offset, (*json_path, len(result)))
            result.append(item)
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset += 1
                continue
            if self.text.startswith("]", offset):
                return result, offset + 1
            raise self.fail("expected ',' or ']' in an array", offset)


def parse_json(
    text: str, path: Path, error_class: type[ConfigError] = ConfigError
) -> LocatedDocument:
    """Parse JSON `text` read from `path`, keeping each value's position."""
    parser = _Parser(text, path, error_class)
    try:
        data, offset = parser.value(0, ())
    except RecursionError:
        raise parser.fail("nested too deeply", 0) from None
    offset = parser.skip(offset)
    if offset != len(text):
        raise parser.fail("extra data after the top-level value", offset)
    return LocatedDocument(path, data, parser.lines, parser.columns)
