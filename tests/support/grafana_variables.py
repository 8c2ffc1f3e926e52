"""Grafana template variable substitution, as Grafana does before it queries.

Grafana accepts four syntaxes for a variable reference: `$name`, `${name}`,
`${name:format}` and the deprecated `[[name]]` / `[[name:format]]`.
`VARIABLE_RE` is the `variableRegex` of Grafana's frontend.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

VARIABLE_RE = re.compile(
    r"\$(\w+)"
    r"|\[\[([\s\S]+?)(?::(\w+))?\]\]"
    r"|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}"
)

# A single string is inserted as it is, in every format: it stands for a value
# Grafana would not escape, such as an "All" value of `.*`. A sequence is a
# multi-value selection and is joined the way each format joins it.
VariableValue = str | Sequence[str]


class UndefinedVariableError(ValueError):
    """A query references a variable that has no value."""


def builtin_variables(
    *, rate_interval_seconds: int, interval_seconds: int, range_seconds: int
) -> dict[str, str]:
    """Return Grafana's global time variables for the given windows.

    Grafana computes `$__rate_interval` as max(`$__interval` + scrape interval,
    4 * scrape interval). The caller picks the result.
    """
    return {
        "__rate_interval": f"{rate_interval_seconds}s",
        "__interval": f"{interval_seconds}s",
        "__interval_ms": str(interval_seconds * 1000),
        "__range": f"{range_seconds}s",
        "__range_s": str(range_seconds),
        "__range_ms": str(range_seconds * 1000),
    }


def promql_regex_escape(value: str) -> str:
    """Escape a value for a regex inside a double-quoted PromQL string.

    Mirrors the classic `prometheusSpecialRegexEscape` of Grafana's Prometheus
    data source. Backslashes are doubled because PromQL strings use Go escapes,
    where `\\.` is invalid.
    """
    value = value.replace("\\", "\\\\\\\\")
    return re.sub(r"[$^*{}\[\]'+?.()|]", lambda match: "\\\\" + match.group(0), value)


def _format_values(name: str, values: Sequence[str], format_name: str | None) -> str:
    if format_name in (None, "regex"):
        escaped = [promql_regex_escape(value) for value in values]
        return escaped[0] if len(escaped) == 1 else f"({'|'.join(escaped)})"
    if format_name == "pipe":
        return "|".join(values)
    if format_name in ("csv", "raw", "text"):
        return ",".join(values)
    if format_name == "glob":
        return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"
    if format_name == "json":
        return json.dumps(list(values))
    if format_name == "singlequote":
        return ",".join("'" + value.replace("'", "\\'") + "'" for value in values)
    if format_name == "doublequote":
        return ",".join('"' + value.replace('"', '\\"') + '"' for value in values)
    if format_name == "percentencode":
        return quote(",".join(values) if len(values) > 1 else values[0], safe="")
    if format_name == "queryparam":
        return "&".join(f"var-{name}={quote(value, safe='')}" for value in values)
    raise UndefinedVariableError(
        f"unsupported format {format_name!r} in a reference to variable {name!r}"
    )


def substitute_variables(text: str, values: Mapping[str, VariableValue]) -> str:
    """Replace every variable reference in `text` with its value from `values`.

    Raises UndefinedVariableError naming the variable when `values` has no
    entry for it, because Grafana would send the reference to Prometheus as
    it is, which then fails or matches nothing.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        format_name = match.group(3) or match.group(6)
        if name.isdigit() and name not in values:
            # `$1` and `${1}` are label_replace capture groups, which Grafana
            # leaves as they are because no variable has a numeric name.
            return match.group(0)
        if name not in values:
            raise UndefinedVariableError(
                f"variable {name!r} in {text!r} has no value. "
                f"Known variables: {', '.join(sorted(values))}"
            )
        value = values[name]
        if isinstance(value, str):
            return value
        if not value:
            raise UndefinedVariableError(f"variable {name!r} has no selected value")
        return _format_values(name, list(value), format_name)

    return VARIABLE_RE.sub(replace, text)
