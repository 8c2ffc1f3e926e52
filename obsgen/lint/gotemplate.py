"""A checker for the Go templates in Prometheus alert labels and annotations.

It finds what Go's text/template parser rejects (unclosed actions, unknown
functions, undefined variables, unbalanced blocks) without running Go, and
it lists the labels a template reads. It also rejects `}}` outside an
action: Go prints it as text, but it is nearly always a broken `{{ ... }}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Go's text/template built-in functions (Go 1.19) and the functions Prometheus
# 2.42 adds for alert templates (template/template.go), checked with
# `promtool check rules`.
GO_FUNCTIONS = {
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print",
    "printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
}  # fmt: skip
PROMETHEUS_FUNCTIONS = {
    "query", "first", "label", "value", "strvalue", "args", "reReplaceAll",
    "safeHtml", "match", "title", "toUpper", "toLower", "graphLink", "tableLink",
    "sortByLabel", "humanize", "humanize1024", "humanizeDuration",
    "humanizePercentage", "humanizeTimestamp", "toTime", "pathPrefix",
    "externalURL", "parseDuration", "stripPort", "stripDomain",
}  # fmt: skip
FUNCTIONS = GO_FUNCTIONS | PROMETHEUS_FUNCTIONS
# Prometheus defines these before it expands an alert's labels and annotations.
PREDEFINED_VARIABLES = {"labels", "value", "externalLabels", "externalURL"}
_BLOCK_KEYWORDS = {"if", "range", "with", "define", "block"}
_KEYWORDS = _BLOCK_KEYWORDS | {"else", "end", "template", "break", "continue"}
_CONSTANTS = {"true", "false", "nil"}

_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)+')
    |(?P<variable>\$\w*)(?P<fields>(?:\.\w+)*)
    |(?P<field>(?:\.\w+)+|\.)
    |(?P<number>[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+))
    |(?P<identifier>[A-Za-z_]\w*)
    |(?P<declare>:=|=)
    |(?P<punctuation>[|(),])""",
    re.VERBOSE,
)
_INDEX_LABEL = re.compile(r'index\s+(?:\$labels|\.Labels)\s+"(\w+)"')


@dataclass
class TemplateReport:
    """The errors in one template and the alert labels it reads."""

    errors: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


@dataclass
class _State:
    report: TemplateReport
    variables: set[str] = field(default_factory=lambda: set(PREDEFINED_VARIABLES))
    blocks: list[str] = field(default_factory=list)


def check_template(text: str) -> TemplateReport:
    """Check one label or annotation template and list the labels it reads."""
    state = _State(TemplateReport())
    position = 0
    while True:
        start = text.find("{{", position)
        literal = text[position : start if start >= 0 else len(text)]
        if "}}" in literal:
            state.report.errors.append(
                f"'}}}}' without an opening '{{{{' in {_excerpt(literal)}"
            )
        if start < 0:
            break
        end = _action_end(text, start + 2)
        if end < 0:
            state.report.errors.append(
                f"unclosed action {_excerpt(text[start:])}: add the closing '}}}}'"
            )
            return state.report
        _check_action(text[start + 2 : end], state)
        position = end + 2
    for keyword in state.blocks:
        state.report.errors.append(f"'{{{{ {keyword} }}}}' has no '{{{{ end }}}}'")
    return state.report


def _excerpt(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _action_end(text: str, position: int) -> int:
    # `}}` inside a quoted string does not end the action.
    while position < len(text):
        char = text[position]
        if char in "\"'`":
            match = _TOKEN.match(text, position)
            if match is None or match.lastgroup != "string":
                return -1
            position = match.end()
            continue
        if text.startswith("}}", position):
            return position
        position += 1
    return -1


def _check_action(action: str, state: _State) -> None:
    body = action
    if body.startswith("- "):
        body = body[2:]
    if body.endswith(" -"):
        body = body[:-2]
    stripped = body.strip()
    if stripped.startswith("/*"):
        if not stripped.endswith("*/"):
            state.report.errors.append(f"unclosed comment {_excerpt(stripped)}")
        return
    if not stripped:
        state.report.errors.append("empty action '{{ }}'")
        return
    tokens = _tokenize(body, state)
    if tokens is None:
        return
    _check_tokens(tokens, state)
    state.report.labels.extend(_INDEX_LABEL.findall(body))


def _tokenize(body: str, state: _State) -> list[tuple[str, str, str]] | None:
    tokens = []
    position = 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None:
            action = _excerpt("{{" + body + "}}")
            state.report.errors.append(
                f"unexpected {body[position]!r} in action {action}"
            )
            return None
        kind = match.lastgroup
        if kind == "fields":
            kind = "variable"
        if kind != "space":
            fields = match.group("fields") or "" if kind == "variable" else ""
            value = match.group("variable") if kind == "variable" else match.group()
            tokens.append((kind, value, fields))
        position = match.end()
    return tokens


def _check_tokens(tokens: list[tuple[str, str, str]], state: _State) -> None:
    first_kind, first_value, _ = tokens[0]
    if first_kind == "identifier" and first_value in _KEYWORDS:
        _track_block(first_value, tokens, state)
    if _declares(tokens):
        for kind, value, _ in tokens:
            if kind == "declare":
                break
            if kind == "variable":
                state.variables.add(value[1:])

    depth = 0
    for kind, value, fields in tokens:
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth < 0:
                state.report.errors.append("unexpected ')' without '('")
                return
        elif kind == "identifier":
            _check_identifier(value, state)
        elif kind == "variable":
            _check_variable(value, fields, state)
        elif kind == "field" and value.startswith(".Labels."):
            state.report.labels.append(value.split(".")[2])
    if depth > 0:
        state.report.errors.append("unclosed '(' in action")


def _declares(tokens: list[tuple[str, str, str]]) -> bool:
    return any(kind == "declare" and value == ":=" for kind, value, _ in tokens)


def _track_block(
    keyword: str, tokens: list[tuple[str, str, str]], state: _State
) -> None:
    if keyword in _BLOCK_KEYWORDS:
        state.blocks.append(keyword)
    elif keyword == "end":
        if not state.blocks:
            state.report.errors.append("'{{ end }}' without an open if, range or with")
        else:
            state.blocks.pop()
    elif keyword == "else" and not state.blocks:
        state.report.errors.append("'{{ else }}' without an open if, range or with")


def _check_identifier(name: str, state: _State) -> None:
    if name in FUNCTIONS or name in _KEYWORDS or name in _CONSTANTS:
        return
    state.report.errors.append(f"function {name!r} is not defined")


def _check_variable(name: str, fields: str, state: _State) -> None:
    variable = name[1:]
    if variable and variable not in state.variables:
        hint = "; the alert's labels are $labels" if variable == "label" else ""
        state.report.errors.append(f"undefined variable {name}{hint}")
        return
    if variable == "labels" and fields:
        state.report.labels.append(fields.split(".")[1])
