"""Reading Grafana dashboard JSON for the dashboard checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from obsgen.lint.model import Document, DocumentKind, LintContext
from obsgen.yamlsource import JsonPath

GRID_COLUMNS = 24
# Datasource uids Grafana defines itself.
BUILT_IN_DATASOURCES = {"-- Grafana --", "-- Mixed --", "-- Dashboard --", "grafana"}


def dashboards(context: LintContext) -> list[Document]:
    """Return the dashboard documents whose top level is an object."""
    return [
        document
        for document in context.of_kind(DocumentKind.DASHBOARD)
        if isinstance(document.data, Mapping)
    ]


def template_variables(document: Document) -> list[Mapping[str, Any]]:
    templating = document.data.get("templating")
    variables = templating.get("list") if isinstance(templating, Mapping) else None
    return [v for v in variables or [] if isinstance(v, Mapping)]


def datasource_variables(document: Document) -> set[str]:
    """Return the names of the dashboard's datasource variables."""
    return {
        str(variable.get("name"))
        for variable in template_variables(document)
        if variable.get("type") == "datasource"
    }


def datasource_references(document: Document) -> Iterator[tuple[JsonPath, Any]]:
    """Yield every `datasource` value of panels, targets, variables and annotations."""
    data = document.data
    for index, panel in enumerate(data.get("panels") or []):
        yield from _panel_references(panel, ("panels", index))
    for index, variable in enumerate(template_variables(document)):
        if "datasource" in variable and variable.get("type") != "datasource":
            yield ("templating", "list", index, "datasource"), variable["datasource"]
    annotations = data.get("annotations")
    items = annotations.get("list") if isinstance(annotations, Mapping) else None
    for index, annotation in enumerate(items or []):
        if isinstance(annotation, Mapping) and "datasource" in annotation:
            path = ("annotations", "list", index, "datasource")
            yield path, annotation["datasource"]


def _panel_references(panel: Any, path: JsonPath) -> Iterator[tuple[JsonPath, Any]]:
    if not isinstance(panel, Mapping):
        return
    if "datasource" in panel:
        yield (*path, "datasource"), panel["datasource"]
    for index, target in enumerate(panel.get("targets") or []):
        if isinstance(target, Mapping) and "datasource" in target:
            yield (*path, "targets", index, "datasource"), target["datasource"]
    for index, child in enumerate(panel.get("panels") or []):
        yield from _panel_references(child, (*path, "panels", index))


def strings_in(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Yield every string value in a JSON value, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings_in(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, (*path, index))


def variable_reference(uid: str) -> str | None:
    """Return the variable name in a uid such as `${datasource}` or `$ds`."""
    if uid.startswith("${") and uid.endswith("}"):
        return uid[2:-1].split(":")[0]
    if uid.startswith("$"):
        return uid[1:]
    return None
