"""Grafana variables become placeholders of the type their position needs."""

from __future__ import annotations

import promql_parser
import pytest

from obsgen.lint.promql import parse_query
from obsgen.lint.variables import PLACEHOLDER_BASE_MS, substitute_variables


@pytest.mark.parametrize(
    "query, expected",
    [
        ("rate(x[$__rate_interval])", f"rate(x[{PLACEHOLDER_BASE_MS}ms])"),
        ("rate(x[${__rate_interval}])", f"rate(x[{PLACEHOLDER_BASE_MS}ms])"),
        ("rate(x[[[interval]]])", f"rate(x[{PLACEHOLDER_BASE_MS}ms])"),
        ("increase(x[$__range])", f"increase(x[{PLACEHOLDER_BASE_MS}ms])"),
        ("x offset $__interval", f"x offset {PLACEHOLDER_BASE_MS}ms"),
        (
            "max_over_time(x[$__range:$__interval])",
            f"max_over_time(x[{PLACEHOLDER_BASE_MS}ms:{PLACEHOLDER_BASE_MS + 1}ms])",
        ),
        ('x{job="$job"}', 'x{job="$job"}'),
        ('x{pod=~"${pod:regex}"}', 'x{pod=~"${pod:regex}"}'),
        ("x > $threshold", "x > 1"),
        ("x * $__interval_ms", "x * 1"),
        ("sum by ($group) (x)", "sum by (obsgen_variable) (x)"),
        ("$metric{job='a'}", "obsgen_variable{job='a'}"),
        ("topk($n, x)", "topk(1, x)"),
    ],
)
def test_substitution(query, expected):
    substitution = substitute_variables(query)
    assert substitution.text == expected
    promql_parser.parse(substitution.text)


def test_duration_placeholders_map_back():
    substitution = substitute_variables("rate(x[$__rate_interval]) / rate(y[5m])")
    assert substitution.variable_for_duration(PLACEHOLDER_BASE_MS) == "__rate_interval"
    assert substitution.variable_for_duration(300_000) is None
    assert substitution.variables == ("__rate_interval",)


def test_query_without_variables_unchanged():
    query = 'sum(rate(x{a="b"}[5m]))'
    assert substitute_variables(query).text == query


def test_parse_error_kept():
    parsed = parse_query("sum(rate(x[$__rate_interval])")
    assert parsed.tree is None
    assert "parenthesis" in parsed.error
