"""The model the checks read: parsed documents, their rules, panels and queries."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import promql_parser as pp

from obsgen.catalog.model import Catalog, MetricType
from obsgen.errors import SourceLocation
from obsgen.lint.promql import (
    LabelSet,
    ParsedQuery,
    equality_labels,
    metric_name,
    parse_query,
    result_labels,
)
from obsgen.yamlsource import JsonPath, LocatedDocument

# Prometheus' default scrape interval, used when no configuration names one.
DEFAULT_SCRAPE_INTERVAL_MS = 60_000


class DocumentKind(enum.StrEnum):
    """The kinds of files obsgen writes and checks."""

    RULES = "rules"
    DASHBOARD = "dashboard"
    DASHBOARD_PROVIDER = "dashboard-provider"
    DATASOURCES = "datasources"


@dataclass(frozen=True)
class Origin:
    """The Python definition that produced part of a generated file."""

    location: SourceLocation
    suppressions: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Document:
    """One file to check: its data and where each value is.

    `path` is the file on disk, or for a bundle built in memory the path
    inside the bundle; `origins` then maps parts of the document to the
    definitions that produced them.
    """

    path: str
    kind: DocumentKind
    source: LocatedDocument
    origins: dict[JsonPath, Origin] = field(default_factory=dict)
    # Suppressions written in the file itself, by the path of the rule or panel.
    file_suppressions: dict[JsonPath, dict[str, str]] = field(default_factory=dict)
    folder: str | None = None

    @property
    def data(self) -> Any:
        return self.source.data

    @property
    def generated(self) -> bool:
        return bool(self.origins)

    def origin(self, json_path: JsonPath) -> Origin | None:
        """Return the origin of the value at `json_path` or its nearest parent."""
        path = tuple(json_path)
        while True:
            if path in self.origins:
                return self.origins[path]
            if not path:
                return None
            path = path[:-1]

    def suppressions(self, json_path: JsonPath) -> dict[str, str]:
        """Return the suppressions that apply at `json_path`, by check id."""
        found: dict[str, str] = {}
        for length in range(len(json_path) + 1):
            prefix = tuple(json_path[:length])
            origin = self.origins.get(prefix)
            if origin is not None:
                found.update(origin.suppressions)
            found.update(self.file_suppressions.get(prefix, {}))
        return found


@dataclass(frozen=True)
class Finding:
    """A check's result: a value in a document and what is wrong with it."""

    document: Document
    json_path: JsonPath
    message: str


@dataclass(frozen=True)
class Query:
    """A PromQL expression in a rule or a panel target."""

    document: Document
    json_path: JsonPath
    owner_path: JsonPath
    source: str  # "rule" or "panel"
    parsed: ParsedQuery

    @property
    def expr(self) -> str:
        return self.parsed.expr

    @property
    def tree(self) -> pp.Expr | None:
        return self.parsed.tree

    def finding(self, message: str) -> Finding:
        return Finding(self.document, self.json_path, message)


@dataclass(frozen=True)
class Rule:
    """An alerting or recording rule in a rule file."""

    document: Document
    json_path: JsonPath
    group: str
    data: Mapping[str, Any]
    query: Query | None

    @property
    def is_alert(self) -> bool:
        return "alert" in self.data

    @property
    def name(self) -> str:
        return str(self.data.get("alert", self.data.get("record", "")))

    def finding(self, message: str, *keys: str | int) -> Finding:
        return Finding(self.document, (*self.json_path, *keys), message)


@dataclass(frozen=True)
class Panel:
    """A dashboard panel, rows and panels inside rows included."""

    document: Document
    json_path: JsonPath
    data: Mapping[str, Any]

    @property
    def title(self) -> str:
        return str(self.data.get("title") or "")

    @property
    def is_row(self) -> bool:
        return self.data.get("type") == "row"

    def finding(self, message: str, *keys: str | int) -> Finding:
        return Finding(self.document, (*self.json_path, *keys), message)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass
class LintContext:
    """Everything one lint run checks, and the settings the checks read."""

    documents: list[Document]
    catalog: Catalog | None = None
    scrape_interval_ms: int = DEFAULT_SCRAPE_INTERVAL_MS
    # The datasource uids that provisioning defines; None when unknown.
    datasource_uids: frozenset[str] | None = None
    prometheus_url: str | None = None

    def of_kind(self, kind: DocumentKind) -> list[Document]:
        return [document for document in self.documents if document.kind is kind]

    @cached_property
    def rules(self) -> list[Rule]:
        rules = []
        for document in self.of_kind(DocumentKind.RULES):
            groups = _list(_mapping(document.data).get("groups"))
            for group_index, group in enumerate(groups):
                group = _mapping(group)
                for rule_index, rule in enumerate(_list(group.get("rules"))):
                    path = ("groups", group_index, "rules", rule_index)
                    rule = _mapping(rule)
                    expr = rule.get("expr")
                    query = None
                    if isinstance(expr, str) and expr.strip():
                        query = Query(
                            document, (*path, "expr"), path, "rule", parse_query(expr)
                        )
                    rules.append(
                        Rule(document, path, str(group.get("name", "")), rule, query)
                    )
        return rules

    @cached_property
    def panels(self) -> list[Panel]:
        panels = []
        for document in self.of_kind(DocumentKind.DASHBOARD):
            for index, panel in enumerate(_list(_mapping(document.data).get("panels"))):
                path: JsonPath = ("panels", index)
                panels.append(Panel(document, path, _mapping(panel)))
                for child_index, child in enumerate(
                    _list(_mapping(panel).get("panels"))
                ):
                    child_path = (*path, "panels", child_index)
                    panels.append(Panel(document, child_path, _mapping(child)))
        return panels

    @cached_property
    def queries(self) -> list[Query]:
        queries = [rule.query for rule in self.rules if rule.query is not None]
        for panel in self.panels:
            for index, target in enumerate(_list(panel.data.get("targets"))):
                expr = _mapping(target).get("expr")
                if isinstance(expr, str) and expr.strip():
                    path = (*panel.json_path, "targets", index, "expr")
                    parsed = parse_query(expr)
                    queries.append(
                        Query(panel.document, path, panel.json_path, "panel", parsed)
                    )
        return queries

    @cached_property
    def recorded_labels(self) -> dict[str, LabelSet]:
        """Return the labels of each series the recording rules record."""
        recorded: dict[str, LabelSet] = {}
        rules = [rule for rule in self.rules if not rule.is_alert and rule.query]

        # A rule may read a series that another rule records. Each pass resolves
        # one more link, so three passes settle the chains a bundle has (rate,
        # ratio, quantile).
        def labels_of(selector: pp.VectorSelector) -> LabelSet:
            return self._selector_labels(selector, recorded)

        for _ in range(3):
            current: dict[str, LabelSet] = {}
            for rule in rules:
                if rule.query.tree is None:
                    continue
                labels = result_labels(rule.query.tree, labels_of)
                labels = labels.add(*_mapping(rule.data.get("labels")).keys())
                previous = current.get(rule.name)
                current[rule.name] = (
                    labels if previous is None else previous.union(labels)
                )
            recorded = current
        return recorded

    def selector_labels(self, selector: pp.VectorSelector) -> LabelSet:
        """Return the labels of the series `selector` selects."""
        return self._selector_labels(selector, self.recorded_labels)

    def _selector_labels(
        self, selector: pp.VectorSelector, recorded: Mapping[str, LabelSet]
    ) -> LabelSet:
        pinned = frozenset(equality_labels(selector))
        name = metric_name(selector)
        if name is None:
            return LabelSet(pinned, True)
        if name in recorded:
            return recorded[name].add(*pinned)
        series = self.catalog.series(name) if self.catalog else None
        if series is None or series.labels is None:
            return LabelSet(pinned, True)
        return LabelSet(series.labels | pinned, False)

    def series_type(self, name: str) -> MetricType | None:
        """Return the catalog type of the series `name`, if the catalog has it."""
        if self.catalog is None:
            return None
        series = self.catalog.series(name)
        return series.series_type if series else None

    def is_recorded(self, name: str) -> bool:
        return any(not rule.is_alert and rule.name == name for rule in self.rules)

    def queries_of(self, owner: Document, owner_path: JsonPath) -> Iterator[Query]:
        for query in self.queries:
            if query.document is owner and query.owner_path == tuple(owner_path):
                yield query
