"""The test Prometheus helper: scrape labels, metric changes, start errors, stop."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from obsgen.config import ServiceConfig
from tests.support.metrics_server import MetricsServer
from tests.support.prometheus import PrometheusError, PrometheusServer, ScrapeTarget


def listening_addresses(port: int) -> set[str]:
    """Return the local IPv4 addresses, in /proc/net/tcp hex, listening on `port`."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, port_hex = fields[1].split(":")
        if fields[3] == "0A" and int(port_hex, 16) == port:
            addresses.add(address)
    return addresses


def test_metrics_server_serves_text() -> None:
    with MetricsServer("demo_value 1\n") as metrics:
        address = metrics.address
        first = requests.get(metrics.url, timeout=5)
        metrics.set_metrics("demo_value 2\n")
        second = requests.get(metrics.url, timeout=5)
        missing = requests.get(metrics.url.replace("/metrics", "/other"), timeout=5)

    assert address.startswith("127.0.0.1:")
    assert first.text == "demo_value 1\n"
    assert first.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert second.text == "demo_value 2\n"
    assert missing.status_code == 404
    assert metrics.scrape_count == 2


def test_scrape_labels_and_changes(
    start_prometheus, metrics_server: MetricsServer, service_config: ServiceConfig
) -> None:
    metrics_server.set_metrics("demo_value 1\n")
    server = start_prometheus([], metrics_server)

    first = server.wait_for(
        lambda: server.query("demo_value"), timeout=10, description="demo_value"
    )
    metrics_server.set_metrics("demo_value 2\n")
    server.wait_for(
        lambda: server.query("demo_value == 2"), timeout=10, description="value 2"
    )

    assert first[0]["metric"] == {
        "__name__": "demo_value",
        "job": service_config.job,
        "namespace": service_config.namespace,
        "pod": "example-service-0",
        "instance": metrics_server.address,
    }
    assert first[0]["value"][1] == "1"
    # 0100007F is 127.0.0.1 in /proc/net/tcp's byte order.
    assert listening_addresses(server.port) == {"0100007F"}


def test_stop_ends_process_and_storage(
    prometheus_binary: str, metrics_server: MetricsServer, tmp_path: Path
) -> None:
    target = ScrapeTarget(metrics_server.address, "demo", "default")
    server = PrometheusServer(rule_files=[], target=target, work_dir=tmp_path)
    server.start()
    process = server._process
    url = server.url

    server.stop()

    assert process is not None
    assert process.poll() is not None
    assert not server.storage_dir.exists()
    assert server.log_path.exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/-/ready", timeout=2)


def test_invalid_rule_file_fails_start(
    prometheus_binary: str, metrics_server: MetricsServer, tmp_path: Path
) -> None:
    rules = tmp_path / "broken.rules.yaml"
    rules.write_text(
        "groups:\n- name: broken\n  rules:\n  - alert: Broken\n    expr: rate(up[5m]\n"
    )
    target = ScrapeTarget(metrics_server.address, "demo", "default")
    server = PrometheusServer(
        rule_files=[rules], target=target, work_dir=tmp_path / "prometheus"
    )

    with pytest.raises(PrometheusError) as raised:
        server.start()

    assert "Prometheus exited" in str(raised.value)
    assert "--- Prometheus log" in str(raised.value)
    assert "parse error" in str(raised.value)
    assert server._process is None
