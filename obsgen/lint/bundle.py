"""Checking a bundle built in memory, with problems traced to the definitions."""

from __future__ import annotations

import json
import linecache
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsgen.catalog.model import Catalog, load_catalog
from obsgen.duration import parse_duration
from obsgen.errors import SourceLocation
from obsgen.jsonsource import parse_json
from obsgen.lint.model import Document, DocumentKind, LintContext, Origin
from obsgen.lint.problem import Problem
from obsgen.lint.run import run_checks
from obsgen.yamlsource import JsonPath, parse_yaml

if TYPE_CHECKING:
    from obsgen.bundle.build import Bundle

logger = logging.getLogger("obsgen.lint")


def bundle_context(bundle: Bundle, catalog: Catalog | None = None) -> LintContext:
    """Return the lint context of a bundle built from definitions.

    Without `catalog`, the one the service configuration names is loaded.
    """
    service = bundle.service
    if catalog is None and service.catalog_path is not None:
        catalog = load_catalog(service.catalog_path)
    if catalog is None:
        logger.warning(
            "no metric catalog configured; the catalog/* checks and the type "
            "checks of promql/* do not run (add 'catalog:' to the service "
            "configuration)"
        )
    return LintContext(
        documents=bundle_documents(bundle),
        catalog=catalog,
        scrape_interval_ms=parse_duration(service.scrape_interval),
        datasource_uids=frozenset({service.datasource.uid}),
    )


def lint_bundle(bundle: Bundle, catalog: Catalog | None = None) -> list[Problem]:
    """Run every check on a bundle and return the problems."""
    return run_checks(bundle_context(bundle, catalog))


def bundle_documents(bundle: Bundle) -> list[Document]:
    """Return the bundle's rule files, dashboards and provisioning files."""
    documents = []
    groups_by_file: dict[str, list[Any]] = {}
    for path, group in bundle.rule_groups:
        groups_by_file.setdefault(path, []).append(group)
    for path, groups in groups_by_file.items():
        documents.append(_rule_document(path, bundle.files[path], groups))
    for path, _ in bundle.dashboards:
        documents.append(_dashboard_document(bundle, path))
    documents.extend(_provisioning_documents(bundle))
    return documents


def _rule_document(path: str, content: bytes, groups: list[Any]) -> Document:
    source = parse_yaml(content.decode("utf-8"), Path(path))
    origins: dict[JsonPath, Origin] = {}
    for group_index, group in enumerate(groups):
        if group.location is not None:
            origins[("groups", group_index)] = Origin(group.location)
        for rule_index, rule in enumerate(group.rules):
            if rule.location is not None:
                key = ("groups", group_index, "rules", rule_index)
                origins[key] = Origin(rule.location, rule.suppress)
    return Document(path, DocumentKind.RULES, source, origins)


def _dashboard_document(bundle: Bundle, path: str) -> Document:
    source = parse_json(bundle.files[path].decode("utf-8"), Path(path))
    origins: dict[JsonPath, Origin] = {}
    definition, panels = bundle.dashboard_sources.get(path, (None, []))
    if definition is not None:
        origins[()] = Origin(definition.location, definition.suppress)
        for json_path, panel, suppressions in _panel_origins(source.data, panels):
            line = _title_line(definition.location, panel.get("title"))
            origins[json_path] = Origin(line, suppressions)
    return Document(
        path, DocumentKind.DASHBOARD, source, origins, folder=bundle.service.folder
    )


def _panel_origins(
    document: dict[str, Any], panels: list[tuple[Any, Any]]
) -> Iterable[tuple[JsonPath, dict[str, Any], Any]]:
    # `panels` lists (panel model, suppressions) in the order render_dashboard
    # walks them: each top-level panel, then the panels of a row.
    flat: list[tuple[JsonPath, dict[str, Any]]] = []
    for index, panel in enumerate(document.get("panels", [])):
        flat.append((("panels", index), panel))
        for child_index, child in enumerate(panel.get("panels", [])):
            flat.append((("panels", index, "panels", child_index), child))
    # Both lists come from the same model, so they have the same length.
    for (json_path, panel), (_, suppressions) in zip(flat, panels, strict=True):
        yield json_path, panel, suppressions


def _title_line(location: SourceLocation, title: object) -> SourceLocation:
    """Return the first line at or after the definition that spells `title`.

    Panel builders record no source line, so the panel's title literal is the
    best pointer to it; without one, the problem points at the definition.
    """
    if not isinstance(title, str) or not title:
        return location
    quoted = (json.dumps(title), repr(title))
    lines = linecache.getlines(location.path)
    for number in range(location.line, len(lines) + 1):
        if any(text in lines[number - 1] for text in quoted):
            return SourceLocation(location.path, number)
    return location


def _provisioning_documents(bundle: Bundle) -> list[Document]:
    service = bundle.service
    origin = Origin(SourceLocation(str(service.source_path or "service.yaml"), 1))
    documents = []
    for path, content in bundle.files.items():
        if not path.startswith("grafana/provisioning/"):
            continue
        kind = (
            DocumentKind.DATASOURCES
            if "/datasources/" in path
            else DocumentKind.DASHBOARD_PROVIDER
        )
        source = parse_yaml(content.decode("utf-8"), Path(path))
        documents.append(Document(path, kind, source, {(): origin}))
    return documents
