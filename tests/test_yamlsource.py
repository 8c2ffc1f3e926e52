"""YAML parsing for rule files and other lint inputs, where aliases are allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsgen.errors import ConfigError
from obsgen.yamlsource import parse_yaml

PATH = Path("rules.yaml")


def test_aliases_allowed_in_lint_input() -> None:
    text = "defaults: &labels {team: a}\nalert: {labels: *labels}\n"

    document = parse_yaml(text, PATH)

    assert document.data["alert"]["labels"] == {"team": "a"}
    # The aliased value has the anchor's position.
    assert document.position(("alert", "labels", "team")) == (1, 26)


def test_alias_bomb_rejected_in_lint_input() -> None:
    # 9**8 values in 8 lines: expanding them took minutes and gigabytes.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 8):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")

    with pytest.raises(ConfigError) as raised:
        parse_yaml("\n".join(lines) + "\n", PATH)

    assert "expands to more than" in raised.value.message
    assert "values through aliases" in raised.value.message


def test_merge_key_allowed_in_lint_input() -> None:
    text = "base: &base {a: 1}\nderived:\n  <<: *base\n  b: 2\n"

    document = parse_yaml(text, PATH)

    assert document.data["derived"] == {"a": 1, "b": 2}
    assert document.location(("derived", "b")).line == 4


def test_non_string_key_rejected_in_lint_input() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_yaml("groups:\n  - name: a\n    3: x\n", PATH)

    assert raised.value.message == (
        "invalid key 3 in groups[0]: YAML reads it as an integer, and keys must be "
        "strings"
    )
    assert raised.value.location is not None
    assert raised.value.location.line == 3
