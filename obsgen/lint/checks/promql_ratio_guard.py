"""The `promql/ratio-guard` check."""

from __future__ import annotations

from collections.abc import Iterable

import promql_parser as pp

from obsgen.lint.check import Check
from obsgen.lint.model import Finding, LintContext, Query
from obsgen.lint.problem import Severity
from obsgen.lint.promql import COMPARISON_OPERATORS, is_scalar, operator, unwrap, walk


class PromqlRatioGuard(Check):
    """Ratios whose denominator can be zero, without a guard.

    With no traffic a rate is 0, and `errors / requests` is then 0/0 = NaN,
    or +Inf for a non-zero numerator. Recorded NaN breaks averages and
    graphs, and an alert on it flaps. Guard the denominator with a filter
    such as `(... > 0)` or `clamp_min(..., 1e-9)`, or filter the whole ratio
    with `and ... > 0`.

    Fails:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests_errors:ratio_rate5m
            expr: |
              sum by (job) (rate(http_requests_total{status=~"5.."}[5m]))
              / sum by (job) (rate(http_requests_total[5m]))
    ```

    Passes:

    ```yaml
    groups:
      - name: http
        rules:
          - record: job:http_requests_errors:ratio_rate5m
            expr: |
              sum by (job) (rate(http_requests_total{status=~"5.."}[5m]))
              / (sum by (job) (rate(http_requests_total[5m])) > 0)
    ```
    """

    id = "promql/ratio-guard"
    severity = Severity.WARNING

    def run(self, context: LintContext) -> Iterable[Finding]:
        for query in context.queries:
            if query.tree is not None:
                yield from _check_query(query)


def _check_query(query: Query) -> Iterable[Finding]:
    for node, ancestors in walk(query.tree):
        if not isinstance(node, pp.BinaryExpr) or operator(node) != "/":
            continue
        if is_scalar(node.rhs) or _is_guarded(node.rhs):
            continue
        if _filtered_by_and(node, ancestors):
            continue
        yield query.finding(
            f"the denominator '{unwrap(node.rhs)}' can be 0 (no traffic), which "
            "makes the ratio NaN or Inf; expected a guard such as "
            f"'({unwrap(node.rhs)} > 0)'"
        )


def _is_guarded(node: pp.Expr) -> bool:
    node = unwrap(node)
    if isinstance(node, pp.BinaryExpr):
        return _is_guarded_binary(node)
    if isinstance(node, pp.Call) and node.func.name == "clamp_min":
        return _positive_number(list(node.args)[1], strict=True)
    if isinstance(node, pp.AggregateExpr) and operator(node) in (
        "max",
        "min",
        "avg",
        "sum",
    ):
        return _is_guarded(node.expr)
    return False


def _is_guarded_binary(node: pp.BinaryExpr) -> bool:
    op = operator(node)
    if op in COMPARISON_OPERATORS:
        return _is_positive_filter(node)
    if op in ("and", "unless"):
        return _is_guarded(node.lhs) or (op == "and" and _is_guarded(node.rhs))
    if op not in ("+", "*", "/"):
        return False
    if is_scalar(node.rhs):
        return _is_guarded(node.lhs) and _positive_number(node.rhs, strict=True)
    if is_scalar(node.lhs):
        return _is_guarded(node.rhs) and _positive_number(node.lhs, strict=True)
    return op != "/" and _is_guarded(node.lhs) and _is_guarded(node.rhs)


def _is_positive_filter(node: pp.BinaryExpr) -> bool:
    """Return whether `node` keeps only values above zero, as `x > 0` does."""
    if node.modifier is not None and node.modifier.return_bool:
        return False
    op = operator(node)
    if op == "!=" and _positive_number(node.rhs, strict=False):
        return unwrap(node.rhs).val == 0
    if op == ">":
        return _positive_number(node.rhs, strict=False)
    if op == ">=":
        return _positive_number(node.rhs, strict=True)
    return False


def _positive_number(node: pp.Expr, *, strict: bool) -> bool:
    node = unwrap(node)
    if not isinstance(node, pp.NumberLiteral):
        return False
    return node.val > 0 if strict else node.val >= 0


def _filtered_by_and(node: pp.Expr, ancestors: tuple[pp.Expr, ...]) -> bool:
    # `(a / b) and b > 0` drops the NaN before it reaches a graph or alert.
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, pp.BinaryExpr) and operator(ancestor) == "and":
            return _is_guarded(ancestor.rhs)
        if not isinstance(ancestor, (pp.ParenExpr, pp.BinaryExpr)):
            return False
    return False
