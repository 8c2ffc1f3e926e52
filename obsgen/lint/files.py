"""Checking existing files: rule YAML, dashboard JSON and provisioning YAML."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from obsgen.catalog.model import Catalog
from obsgen.lint.model import DEFAULT_SCRAPE_INTERVAL_MS, LintContext
from obsgen.lint.problem import Problem
from obsgen.lint.run import run_checks
from obsgen.lint.sources import load_files


def files_context(
    paths: Iterable[Path],
    catalog: Catalog | None = None,
    scrape_interval_ms: int = DEFAULT_SCRAPE_INTERVAL_MS,
    prometheus_url: str | None = None,
) -> tuple[LintContext, list[Problem]]:
    """Load `paths` and return their lint context and the files that failed."""
    loaded = load_files(paths)
    context = LintContext(
        documents=loaded.documents,
        catalog=catalog,
        scrape_interval_ms=scrape_interval_ms,
        datasource_uids=loaded.datasource_uids,
        prometheus_url=prometheus_url,
    )
    return context, loaded.problems


def lint_files(
    paths: Iterable[Path],
    catalog: Catalog | None = None,
    scrape_interval_ms: int = DEFAULT_SCRAPE_INTERVAL_MS,
    prometheus_url: str | None = None,
) -> list[Problem]:
    """Run every check on the files in `paths` and return the problems."""
    context, problems = files_context(
        paths, catalog, scrape_interval_ms, prometheus_url
    )
    return sorted([*problems, *run_checks(context)])
