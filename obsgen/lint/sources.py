"""Reading existing files to check: rule files, dashboards and provisioning."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from obsgen.errors import ConfigError, display_path
from obsgen.jsonsource import parse_json
from obsgen.lint.checks.file_syntax import FileSyntax
from obsgen.lint.model import Document, DocumentKind
from obsgen.lint.problem import Problem
from obsgen.yamlsource import JsonPath, LocatedDocument, parse_yaml

logger = logging.getLogger("obsgen.lint")

FILE_SUFFIXES = (".json", ".yaml", ".yml")
# `# obsgen: suppress promql/rate-window the reason` on the lines above a rule.
_SUPPRESSION = re.compile(r"^\s*#\s*obsgen:\s*suppress\s+(\S+)\s*(.*?)\s*$")


@dataclass
class LoadedFiles:
    """The documents read from disk and the problems of the files that failed."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def datasource_uids(self) -> frozenset[str] | None:
        """Return the uids the datasource provisioning files define, if any."""
        files = [d for d in self.documents if d.kind is DocumentKind.DATASOURCES]
        if not files:
            return None
        uids = set()
        for document in files:
            for entry in document.data.get("datasources") or []:
                if isinstance(entry, Mapping) and isinstance(entry.get("uid"), str):
                    uids.add(entry["uid"])
        return frozenset(uids)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Return the files to check: each file, and the JSON and YAML files in folders."""
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    child
                    for child in path.rglob("*")
                    if child.is_file() and child.suffix in FILE_SUFFIXES
                )
            )
        else:
            files.append(path)
    return files


def load_files(paths: Iterable[Path]) -> LoadedFiles:
    """Read and classify each file; a file that fails becomes a problem."""
    loaded = LoadedFiles()
    for path in expand_paths(paths):
        try:
            loaded.documents.append(load_file(path))
        except ConfigError as error:
            loaded.problems.append(_file_problem(path, error))
    _assign_folders(loaded.documents)
    return loaded


def _file_problem(path: Path, error: ConfigError) -> Problem:
    line = error.location.line if error.location else 1
    message = error.message + (f"; {error.hint}" if error.hint else "")
    return Problem(
        path=display_path(path),
        line=line,
        column=1,
        check=FileSyntax.id,
        severity=FileSyntax.severity,
        summary=FileSyntax.summary(),
        message=message,
    )


def load_file(path: Path) -> Document:
    """Read one file and return it as a document of the kind its content shows."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"file not found: {display_path(path)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {display_path(path)}: {error}") from None

    if path.suffix == ".json":
        source = parse_json(text, path)
    else:
        source = parse_yaml(text, path)
    if _is_api_response(source.data):
        # Grafana's GET /api/dashboards/uid/<uid> wraps the dashboard with its
        # metadata; positions still point into the file as it is.
        source = source.subdocument(("dashboard",))
    kind = classify(source.data)
    if kind is None:
        raise ConfigError(
            f"{display_path(path)} is not a Prometheus rule file, Grafana dashboard "
            "or Grafana provisioning file",
            hint="expected a top-level 'groups', 'panels', 'providers' or "
            "'datasources' key",
        )
    document = Document(display_path(path), kind, source)
    if kind is DocumentKind.RULES:
        document.file_suppressions = _comment_suppressions(text, source)
    return document


def _is_api_response(data: object) -> bool:
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("dashboard"), Mapping)
        and "meta" in data
    )


def classify(data: object) -> DocumentKind | None:
    """Return the kind of file `data` was read from, or None if unknown."""
    if not isinstance(data, Mapping):
        return None
    if "groups" in data:
        return DocumentKind.RULES
    if "providers" in data:
        return DocumentKind.DASHBOARD_PROVIDER
    if "datasources" in data or "deleteDatasources" in data:
        return DocumentKind.DATASOURCES
    if "panels" in data or "schemaVersion" in data or "rows" in data:
        return DocumentKind.DASHBOARD
    return None


def _comment_suppressions(
    text: str, source: LocatedDocument
) -> dict[JsonPath, dict[str, str]]:
    lines = text.splitlines()
    found: dict[JsonPath, dict[str, str]] = {}
    groups = source.data.get("groups") if isinstance(source.data, Mapping) else None
    for group_index, group in enumerate(groups if isinstance(groups, list) else []):
        rules = group.get("rules") if isinstance(group, Mapping) else None
        for rule_index, _ in enumerate(rules if isinstance(rules, list) else []):
            path = ("groups", group_index, "rules", rule_index)
            line, _ = source.position(path)
            suppressions = _suppressions_above(lines, line - 1)
            if suppressions:
                found[path] = suppressions
    return found


def _suppressions_above(lines: list[str], index: int) -> dict[str, str]:
    suppressions = {}
    index -= 1
    while index >= 0 and lines[index].strip().startswith("#"):
        match = _SUPPRESSION.match(lines[index])
        if match is not None:
            suppressions[match.group(1)] = match.group(2)
        index -= 1
    return suppressions


def _assign_folders(documents: list[Document]) -> None:
    # NOTE: a dashboard is placed in the folder of the only provider that
    # names one; with several providers obsgen cannot tell which loads it.
    folders = {
        provider["folder"]
        for document in documents
        if document.kind is DocumentKind.DASHBOARD_PROVIDER
        for provider in document.data.get("providers") or []
        if isinstance(provider, Mapping) and isinstance(provider.get("folder"), str)
    }
    if len(folders) != 1:
        return
    folder = folders.pop()
    for document in documents:
        if document.kind is DocumentKind.DASHBOARD:
            document.folder = folder
