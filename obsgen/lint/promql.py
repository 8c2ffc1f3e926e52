"""PromQL analysis shared by the checks: parsing, traversal and label sets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import promql_parser as pp

from obsgen.lint.variables import Substitution, substitute_variables

COMPARISON_OPERATORS = {">", "<", ">=", "<=", "==", "!="}
SET_OPERATORS = {"and", "or", "unless"}
RANGE_FUNCTIONS = {"rate", "irate", "increase"}
# Functions that return their input's labels unchanged.
_LABEL_KEEPING_FUNCTIONS = {
    "abs", "ceil", "floor", "round", "exp", "ln", "log2", "log10", "sqrt", "sgn",
    "clamp", "clamp_min", "clamp_max", "sort", "sort_desc", "sort_by_label",
    "sort_by_label_desc", "timestamp", "rate", "irate", "increase", "delta",
    "idelta", "deriv", "predict_linear", "holt_winters", "double_exponential_smoothing",
    "changes", "resets", "avg_over_time", "min_over_time", "max_over_time",
    "sum_over_time", "count_over_time", "quantile_over_time", "stddev_over_time",
    "stdvar_over_time", "last_over_time", "present_over_time", "mad_over_time",
    "absent_over_time", "histogram_count", "histogram_sum", "histogram_avg",
    "histogram_fraction", "histogram_stddev", "histogram_stdvar", "acos", "acosh",
    "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
    "deg", "rad", "day_of_month", "day_of_week", "day_of_year", "days_in_month",
    "hour", "minute", "month", "year",
}  # fmt: skip


@dataclass(frozen=True)
class ParsedQuery:
    """A query and its syntax tree, or the reason it does not parse."""

    expr: str
    substitution: Substitution
    tree: pp.Expr | None
    error: str | None


def parse_query(expr: str) -> ParsedQuery:
    """Parse `expr` after replacing Grafana variables with placeholders."""
    substitution = substitute_variables(expr)
    try:
        tree = pp.parse(substitution.text)
    except ValueError as error:
        return ParsedQuery(expr, substitution, None, str(error))
    return ParsedQuery(expr, substitution, tree, None)


def operator(node: pp.Expr) -> str:
    """Return the operator of a binary or aggregation node as text, such as `>`."""
    return str(node.op)


def children(node: pp.Expr) -> list[pp.Expr]:
    """Return the direct sub-expressions of `node`, in source order."""
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.AggregateExpr):
        return [part for part in (node.param, node.expr) if part is not None]
    if isinstance(node, pp.Call):
        return list(node.args)
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return [node.expr]
    if isinstance(node, pp.MatrixSelector):
        return [node.vector_selector]
    return []


def walk(
    node: pp.Expr, ancestors: tuple[pp.Expr, ...] = ()
) -> Iterator[tuple[pp.Expr, tuple[pp.Expr, ...]]]:
    """Yield every node with the chain of its ancestors, outermost first."""
    yield node, ancestors
    for child in children(node):
        yield from walk(child, (*ancestors, node))


def unwrap(node: pp.Expr) -> pp.Expr:
    """Return `node` without the parentheses around it."""
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def selectors(node: pp.Expr) -> Iterator[pp.VectorSelector]:
    """Yield every vector selector in `node`, range selectors' included."""
    for child, _ in walk(node):
        if isinstance(child, pp.VectorSelector):
            yield child


def metric_name(selector: pp.VectorSelector) -> str | None:
    """Return the metric name a selector matches exactly, if it names one."""
    if selector.name:
        return selector.name
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" and matcher.op == pp.MatchOp.Equal:
            return matcher.value
    return None


def equality_labels(selector: pp.VectorSelector) -> set[str]:
    """Return the labels a selector pins to one non-empty value."""
    return {
        matcher.name
        for matcher in selector.matchers.matchers
        if matcher.op == pp.MatchOp.Equal
        and matcher.value
        and matcher.name != "__name__"
    }


def duration_ms(value) -> int:
    """Return a promql_parser duration (a timedelta) in milliseconds."""
    return round(value.total_seconds() * 1000)


def is_scalar(node: pp.Expr) -> bool:
    """Return whether `node` is a number or evaluates to a scalar."""
    node = unwrap(node)
    if isinstance(node, pp.NumberLiteral):
        return True
    if isinstance(node, pp.UnaryExpr):
        return is_scalar(node.expr)
    if isinstance(node, pp.Call):
        return str(node.func.return_type) == "ValueType.Scalar"
    if isinstance(node, pp.BinaryExpr):
        return is_scalar(node.lhs) and is_scalar(node.rhs)
    return False


@dataclass(frozen=True)
class LabelSet:
    """The labels an expression's result can carry.

    `open` means the result may carry labels beyond `names` that obsgen
    cannot tell, so a label outside `names` is not known to be missing.
    """

    names: frozenset[str]
    open: bool

    def __contains__(self, name: str) -> bool:
        return self.open or name in self.names

    def add(self, *names: str) -> LabelSet:
        return LabelSet(self.names | frozenset(names), self.open)

    def remove(self, *names: str) -> LabelSet:
        return LabelSet(self.names - frozenset(names), self.open)

    def keep(self, names: list[str]) -> LabelSet:
        kept = frozenset(names) if self.open else self.names & frozenset(names)
        return LabelSet(kept, False)

    def union(self, other: LabelSet) -> LabelSet:
        return LabelSet(self.names | other.names, self.open or other.open)


NO_LABELS = LabelSet(frozenset(), False)
# Labels of a series for a name no catalog or recording rule describes.
SelectorLabels = Callable[[pp.VectorSelector], LabelSet]


def result_labels(node: pp.Expr, selector_labels: SelectorLabels) -> LabelSet:
    """Return the labels the result of `node` can carry.

    `selector_labels` returns the labels of the series one selector selects.
    """
    node = unwrap(node)
    if isinstance(node, pp.VectorSelector):
        return selector_labels(node)
    if isinstance(node, pp.MatrixSelector):
        return selector_labels(node.vector_selector)
    if isinstance(node, (pp.SubqueryExpr, pp.UnaryExpr)):
        return result_labels(node.expr, selector_labels)
    if isinstance(node, pp.Call):
        return _call_labels(node, selector_labels)
    if isinstance(node, pp.AggregateExpr):
        return _aggregation_labels(node, selector_labels)
    if isinstance(node, pp.BinaryExpr):
        return _binary_labels(node, selector_labels)
    return NO_LABELS


def _call_labels(node: pp.Call, selector_labels: SelectorLabels) -> LabelSet:
    name = node.func.name
    args = list(node.args)
    if name in ("label_replace", "label_join") and len(args) >= 2:
        destination = unwrap(args[1])
        labels = result_labels(args[0], selector_labels)
        if isinstance(destination, pp.StringLiteral):
            return labels.add(destination.val)
        return LabelSet(labels.names, True)
    if name in ("absent", "absent_over_time") and args:
        return _absent_labels(args[0])
    if name == "histogram_quantile" and len(args) == 2:
        return result_labels(args[1], selector_labels).remove("le")
    if name in ("vector", "scalar", "time", "pi") or not args:
        return NO_LABELS
    if name in _LABEL_KEEPING_FUNCTIONS:
        vector_args = [arg for arg in args if not is_scalar(arg)]
        if vector_args:
            return result_labels(vector_args[0], selector_labels)
    # A function this module does not know may add labels.
    vector_args = [arg for arg in args if not is_scalar(arg)]
    if not vector_args:
        return LabelSet(frozenset(), True)
    return LabelSet(result_labels(vector_args[0], selector_labels).names, True)


def _absent_labels(argument: pp.Expr) -> LabelSet:
    # absent() returns labels only from the equality matchers of a plain
    # selector; of anything else it returns an empty label set.
    argument = unwrap(argument)
    if isinstance(argument, pp.MatrixSelector):
        argument = argument.vector_selector
    if isinstance(argument, pp.VectorSelector):
        return LabelSet(frozenset(equality_labels(argument)), False)
    return NO_LABELS


def _aggregation_labels(
    node: pp.AggregateExpr, selector_labels: SelectorLabels
) -> LabelSet:
    inner = result_labels(node.expr, selector_labels)
    op = operator(node)
    if op in ("topk", "bottomk", "limitk", "limit_ratio"):
        return inner
    modifier = node.modifier
    if modifier is None:
        labels = NO_LABELS
    elif modifier.type == pp.AggModifierType.By:
        labels = LabelSet(frozenset(modifier.labels), False)
    else:
        labels = inner.remove(*modifier.labels)
    if op == "count_values" and isinstance(unwrap(node.param), pp.StringLiteral):
        labels = labels.add(unwrap(node.param).val)
    return labels


def _binary_labels(node: pp.BinaryExpr, selector_labels: SelectorLabels) -> LabelSet:
    lhs_scalar, rhs_scalar = is_scalar(node.lhs), is_scalar(node.rhs)
    if lhs_scalar and rhs_scalar:
        return NO_LABELS
    if rhs_scalar:
        return result_labels(node.lhs, selector_labels)
    if lhs_scalar:
        return result_labels(node.rhs, selector_labels)

    lhs = result_labels(node.lhs, selector_labels)
    rhs = result_labels(node.rhs, selector_labels)
    op = operator(node)
    if op == "or":
        return lhs.union(rhs)
    if op in SET_OPERATORS:
        return lhs
    modifier = node.modifier
    card = modifier.card if modifier is not None else None
    if card == pp.VectorMatchCardinality.ManyToOne:
        return lhs.add(*modifier.group_labels)
    if card == pp.VectorMatchCardinality.OneToMany:
        return rhs.add(*modifier.group_labels)
    matching = modifier.matching if modifier is not None else None
    if matching is None:
        return lhs
    # One-to-one matching keeps only the `on` labels, or drops the
    # `ignoring` ones (Prometheus' resultMetric).
    if matching.type == pp.LabelModifierType.Include:
        return lhs.keep(list(matching.labels))
    return lhs.remove(*matching.labels)
