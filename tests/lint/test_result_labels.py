"""Which labels an expression's result can carry."""

from __future__ import annotations

import promql_parser
import pytest

from obsgen.lint.promql import LabelSet, equality_labels, result_labels

SERIES_LABELS = frozenset({"job", "instance", "provider"})


def _series_labels(selector):
    return LabelSet(SERIES_LABELS | frozenset(equality_labels(selector)), False)


@pytest.mark.parametrize(
    "expr, labels",
    [
        ("x", {"job", "instance", "provider"}),
        ("sum by (job) (x)", {"job"}),
        ("sum(x)", set()),
        ("sum without (instance) (x)", {"job", "provider"}),
        ('absent(x{team="a", zone=~"b"})', {"team"}),
        ("absent(x > 1)", set()),
        ("x > on (job) y", {"job"}),
        ("x > ignoring (instance) y", {"job", "provider"}),
        ("x * on (job) group_left (team) y", {"job", "instance", "provider", "team"}),
        ("x * on (job) group_right (team) y", {"job", "instance", "provider", "team"}),
        (
            'label_replace(x, "pod", "$1", "instance", "(.*)")',
            {"job", "instance", "provider", "pod"},
        ),
        ("histogram_quantile(0.9, sum by (le, job) (rate(x[5m])))", {"job"}),
        ("absent(x) and on () sum(up) > 0", set()),
        ("x or vector(1)", {"job", "instance", "provider"}),
        ('count_values("version", x)', {"version"}),
        ("topk(3, x)", {"job", "instance", "provider"}),
        ("rate(x[5m]) > 1", {"job", "instance", "provider"}),
        ("vector(1)", set()),
    ],
)
def test_result_labels(expr, labels):
    result = result_labels(promql_parser.parse(expr), _series_labels)
    assert result == LabelSet(frozenset(labels), False)


def test_unknown_series_is_open():
    result = result_labels(
        promql_parser.parse("x"), lambda s: LabelSet(frozenset(), True)
    )
    assert result.open
    assert "anything" in result
