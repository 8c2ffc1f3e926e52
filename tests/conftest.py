"""Fixtures shared by the test suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from obsgen.catalog import Catalog, load_catalog
from tests.support.lintserver import prometheus_scraping_reference

ROOT = Path(__file__).resolve().parents[1]
CATALOG_PATH = ROOT / "catalogs" / "fastapi-template.yaml"


@pytest.fixture(scope="session")
def fastapi_catalog() -> Catalog:
    return load_catalog(CATALOG_PATH)


@pytest.fixture(scope="session")
def reference_prometheus(tmp_path_factory) -> Iterator[str]:
    """Return the URL of a Prometheus that scrapes the reference capture."""
    with prometheus_scraping_reference(tmp_path_factory.mktemp("prometheus")) as url:
        yield url
