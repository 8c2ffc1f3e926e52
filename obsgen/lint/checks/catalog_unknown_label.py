"""The `catalog/unknown-label` check."""

from __future__ import annotations

from collections.abc import Iterable

import promql_parser as pp

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Query
from obsgen.lint.problem import Severity
from obsgen.lint.promql import metric_name, result_labels, walk
from obsgen.lint.variables import PLACEHOLDER_NAME


class CatalogUnknownLabel(Check):
    """Queries that match or group by a label the metric does not have.

    A matcher on a label the series lack never matches, so the selector
    returns nothing, and `sum by (endpont)` of a metric without `endpont`
    merges every series into one. The labels of a metric are those of the
    metric catalog plus its `target_labels` (such as job and instance), and
    for a recorded series the labels its rule keeps. A matcher with an empty
    value (`foo=""`) selects series without the label and is fine.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total{path="/api"}[5m]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests:rate5m
            expr: sum by (job) (rate(http_requests_total{endpoint="/api"}[5m]))
    ```
    """

    id = "catalog/unknown-label"
    severity = Severity.ERROR

    def run(self, context: LintContext) -> Iterable[Finding]:
        if context.catalog is None:
            return
        for query in context.queries:
            if query.tree is None:
                continue
            for node, _ in walk(query.tree):
                if isinstance(node, pp.VectorSelector):
                    yield from _check_selector(node, query, context)
                elif isinstance(node, pp.AggregateExpr):
                    yield from _check_grouping(node, query, context)


def _check_selector(
    selector: pp.VectorSelector, query: Query, context: LintContext
) -> Iterable[Finding]:
    name = metric_name(selector)
    if name is None or name == PLACEHOLDER_NAME:
        return
    labels = context.selector_labels(_without_matchers(selector))
    if labels.open:
        return
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" or matcher.name in labels.names:
            continue
        if matcher.op == pp.MatchOp.Equal and matcher.value == "":
            continue
        yield query.finding(
            f"{name} has no label {matcher.name!r}, so the matcher "
            f"{matcher.name}{_operator(matcher)}{matcher.value!r} never matches; "
            f"expected one of: {', '.join(sorted(labels.names))}"
        )


def _check_grouping(
    node: pp.AggregateExpr, query: Query, context: LintContext
) -> Iterable[Finding]:
    # `without` a label the input lacks is harmless; only `by` loses data.
    if node.modifier is None or node.modifier.type != pp.AggModifierType.By:
        return
    inner = result_labels(node.expr, context.selector_labels)
    if inner.open:
        return
    for label in node.modifier.labels:
        if label not in inner.names and label != PLACEHOLDER_NAME:
            yield query.finding(
                f"by ({label}) in '{node}' names a label its input does not "
                f"have; expected one of: {', '.join(sorted(inner.names)) or 'none'}"
            )


def _without_matchers(selector: pp.VectorSelector) -> pp.VectorSelector:
    # The labels a metric has, not the ones its matchers pin.
    return pp.parse(selector.name) if selector.name else selector


def _operator(matcher: pp.Matcher) -> str:
    # MatchOp values are not hashable, so no dict lookup.
    for op, text in (
        (pp.MatchOp.NotEqual, "!="),
        (pp.MatchOp.Re, "=~"),
        (pp.MatchOp.NotRe, "!~"),
    ):
        if matcher.op == op:
            return text
    return "="
