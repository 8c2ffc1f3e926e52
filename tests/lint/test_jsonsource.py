"""The position-keeping JSON parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obsgen.errors import ConfigError
from obsgen.jsonsource import parse_json

TEXT = """{
  "title": "HTTP",
  "panels": [
    {"id": 1, "gridPos": {"x": 0}},
    {"id": 2, "title": "caf\\u00e9 \\/ \\"q\\""}
  ],
  "n": [1.5e3, -0, true, false, null]
}
"""


def test_same_data_as_json_loads():
    assert parse_json(TEXT, Path("d.json")).data == json.loads(TEXT)


@pytest.mark.parametrize(
    "json_path, position",
    [
        ((), (1, 1)),
        (("title",), (2, 12)),
        (("panels", 0), (4, 5)),
        (("panels", 0, "gridPos", "x"), (4, 32)),
        (("panels", 1, "title"), (5, 24)),
        (("n", 1), (7, 16)),
        (("panels", 5), (3, 13)),
    ],
)
def test_positions(json_path, position):
    assert parse_json(TEXT, Path("d.json")).position(json_path) == position


@pytest.mark.parametrize(
    "text, message, line",
    [
        ('{"a": 1, "a": 2}', "duplicate key 'a'", 1),
        ('{"a": 1,\n "b": }', "expected a value", 2),
        ('{"a": 1}\n{', "extra data", 2),
        ('{"a": "x\n"}', "Invalid control character", 1),
        ("[1, 2", "expected ',' or ']'", 1),
        ("", "expected a value, found the end of the file", 1),
    ],
)
def test_errors(text, message, line):
    with pytest.raises(ConfigError) as raised:
        parse_json(text, Path("bad.json"))
    assert message in raised.value.message
    assert raised.value.location.line == line
