"""Inspecting PromQL expressions with promql_parser's syntax tree."""

from __future__ import annotations

import promql_parser


def vector_selectors(expr: str) -> list[promql_parser.VectorSelector]:
    """Return every vector selector in `expr`, range selectors' included, in order."""
    found: list[promql_parser.VectorSelector] = []

    def visit(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return found


def selector_texts(expr: str) -> list[str]:
    """Return each distinct vector selector as PromQL text, offset and @ included."""
    texts: list[str] = []
    for selector in vector_selectors(expr):
        text = str(selector)
        if text not in texts:
            texts.append(text)
    return texts


def metric_names(expr: str) -> set[str]:
    """Return the metric names that `expr` selects by name."""
    return {selector.name for selector in vector_selectors(expr) if selector.name}


def called_functions(expr: str) -> set[str]:
    """Return the names of the functions that `expr` calls."""
    names: set[str] = set()

    def visit(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.Call):
            names.add(node.func.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names
