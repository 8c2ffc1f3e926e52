"""Fixtures shared by the test suite: the example bundle, Prometheus tools, servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from obsgen.catalog import Catalog, load_catalog
from obsgen.config import ServiceConfig, load_service_config
from tests.support.lintserver import prometheus_scraping_reference
from tests.support.metrics_server import MetricsServer
from tests.support.obsgen_cli import build_example_bundle
from tests.support.paths import CAPTURE_FILE, EXAMPLE_CONFIG, read_reference
from tests.support.prometheus import (
    PrometheusServer,
    ScrapeTarget,
    ToolMissingError,
    find_tool,
)


@pytest.fixture(scope="session")
def example_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the example service's bundle once with the CLI and return its folder."""
    out_dir = tmp_path_factory.mktemp("example") / "bundle"
    build_example_bundle(out_dir)
    return out_dir


@pytest.fixture(scope="session")
def service_config() -> ServiceConfig:
    """Return the example service's configuration."""
    return load_service_config(EXAMPLE_CONFIG)


def _require_tool(name: str) -> str:
    # A missing tool fails the test instead of skipping it: CI must not pass
    # by testing less.
    try:
        return find_tool(name)
    except ToolMissingError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def promtool() -> str:
    """Return the path of promtool, failing the test when it is not installed."""
    return _require_tool("promtool")


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    """Return the path of prometheus, failing the test when it is not installed."""
    return _require_tool("prometheus")


@pytest.fixture(scope="session")
def capture_text() -> str:
    """Return the real `/metrics` capture of the FastAPI template."""
    try:
        return read_reference(CAPTURE_FILE)
    except FileNotFoundError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


@pytest.fixture
def metrics_server() -> Iterator[MetricsServer]:
    """Yield a started metrics server with an empty body."""
    with MetricsServer() as server:
        yield server


StartPrometheus = Callable[..., PrometheusServer]


@pytest.fixture
def start_prometheus(
    prometheus_binary: str, service_config: ServiceConfig, tmp_path: Path
) -> Iterator[StartPrometheus]:
    """Yield a function that starts Prometheus scraping a metrics server.

    `start_prometheus(rule_files, metrics_server, **options)` returns a ready
    PrometheusServer whose scrape target carries the example service's job
    and namespace. `options` are passed on to PrometheusServer. Every server
    is stopped when the test ends.
    """
    servers: list[PrometheusServer] = []

    def start(
        rule_files: Sequence[Path], metrics: MetricsServer, **options: Any
    ) -> PrometheusServer:
        target = ScrapeTarget(
            address=metrics.address,
            job=service_config.job,
            namespace=service_config.namespace,
        )
        work_dir = tmp_path / f"prometheus-{len(servers)}"
        server = PrometheusServer(
            rule_files=rule_files, target=target, work_dir=work_dir, **options
        )
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def fastapi_catalog() -> Catalog:
    """Return the FastAPI template's metric catalog."""
    root = Path(__file__).resolve().parents[1]
    return load_catalog(root / "catalogs/fastapi-template.yaml")


@pytest.fixture(scope="session")
def reference_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the URL of a Prometheus that scrapes the reference capture."""
    with prometheus_scraping_reference(tmp_path_factory.mktemp("prometheus")) as url:
        yield url
