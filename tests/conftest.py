"""Fixtures shared by the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsgen.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
CATALOG_PATH = ROOT / "catalogs" / "fastapi-template.yaml"


@pytest.fixture(scope="session")
def fastapi_catalog() -> Catalog:
    return load_catalog(CATALOG_PATH)
