"""Grafana variables in panel queries, replaced by placeholders before parsing.

Grafana interpolates `$name`, `${name}`, `${name:format}` and `[[name]]` as
raw text before it sends a query. To parse the query, each variable becomes
a placeholder of the type its position calls for: a duration inside range
brackets and after `offset`, a label name inside `by (...)` and matcher
braces, a metric name before `{`, and a number elsewhere. Variables inside
quoted strings are left as they are, since they stay strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_VARIABLE = re.compile(
    r"\$\{(?P<braced>\w+)(?::[^}]*)?\}|\[\[(?P<bracketed>\w+)(?::[^\]]*)?\]\]"
    r"|\$(?P<plain>\w+)"
)
_LABEL_LIST_KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
}
# Durations no query writes by hand, so a range that parses to one of them is
# known to come from a variable. Index i becomes (base + i) milliseconds.
PLACEHOLDER_BASE_MS = 987_654_000
PLACEHOLDER_NUMBER = "1"
PLACEHOLDER_NAME = "obsgen_variable"


@dataclass(frozen=True)
class Substitution:
    """A query with its Grafana variables replaced by placeholders."""

    original: str
    text: str
    variables: tuple[str, ...] = ()
    # Milliseconds of each duration placeholder, by the variable it stands for.
    durations: dict[int, str] = field(default_factory=dict)

    def variable_for_duration(self, milliseconds: int) -> str | None:
        """Return the variable a range of `milliseconds` stands for, if any."""
        return self.durations.get(milliseconds)


def _variable_name(match: re.Match[str]) -> str:
    return match.group("braced") or match.group("bracketed") or match.group("plain")


def _previous_word(text: str) -> str:
    match = re.search(r"(\w+)\s*$", text)
    return match.group(1) if match else ""


class _Scanner:
    """Walks a query once, tracking strings, brackets and parentheses."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.output: list[str] = []
        self.variables: list[str] = []
        self.durations: dict[int, str] = {}
        self.brackets = 0
        self.braces = 0
        self.parens: list[bool] = []

    def placeholder(self, name: str, position: int) -> str:
        before = "".join(self.output)
        after = self.query[position:].lstrip()
        self.variables.append(name)
        if self.brackets or _previous_word(before) == "offset":
            milliseconds = PLACEHOLDER_BASE_MS + len(self.durations)
            self.durations[milliseconds] = name
            return f"{milliseconds}ms"
        in_label_list = bool(self.parens and self.parens[-1])
        if in_label_list or self.braces:
            return PLACEHOLDER_NAME
        if after.startswith("{"):
            return PLACEHOLDER_NAME
        return PLACEHOLDER_NUMBER

    def scan(self) -> Substitution:
        position = 0
        query = self.query
        while position < len(query):
            char = query[position]
            if char in "\"'`":
                end = _string_end(query, position)
                self.output.append(query[position:end])
                position = end
                continue
            match = _VARIABLE.match(query, position)
            if match is not None:
                replacement = self.placeholder(_variable_name(match), match.end())
                self.output.append(replacement)
                position = match.end()
                continue
            self.track(char)
            self.output.append(char)
            position += 1
        return Substitution(
            query, "".join(self.output), tuple(self.variables), self.durations
        )

    def track(self, char: str) -> None:
        if char == "[":
            self.brackets += 1
        elif char == "]":
            self.brackets = max(self.brackets - 1, 0)
        elif char == "{":
            self.braces += 1
        elif char == "}":
            self.braces = max(self.braces - 1, 0)
        elif char == "(":
            keyword = _previous_word("".join(self.output))
            self.parens.append(keyword in _LABEL_LIST_KEYWORDS)
        elif char == ")" and self.parens:
            self.parens.pop()


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    position = start + 1
    while position < len(text):
        if text[position] == "\\" and quote != "`":
            position += 2
            continue
        if text[position] == quote:
            return position + 1
        position += 1
    return len(text)


def substitute_variables(query: str) -> Substitution:
    """Replace the Grafana variables of `query` with type-correct placeholders."""
    if "$" not in query and "[[" not in query:
        return Substitution(query, query)
    return _Scanner(query).scan()


def variables_in(text: str) -> list[str]:
    """Return the names of the Grafana variables in `text`, strings included."""
    return [_variable_name(match) for match in _VARIABLE.finditer(text)]
