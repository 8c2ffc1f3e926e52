"""The generated alerts on a real Prometheus that scrapes a controlled exporter.

The rules keep their expressions and 5m windows; the test's copy only waits
less: every `for` is 3s and groups are evaluated every second. The exporter
drives counters steeply, so a 5m window reacts within seconds.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from obsgen.bundle.build import build_bundle
from tests.support.alerting import (
    AlertLog,
    MetricsExporter,
    Prometheus,
    TemplateMetrics,
    shorten_durations,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = ROOT / "examples" / "example-service" / "service.yaml"
SHORT_FOR = "3s"
# Each step of the test gets this long; Prometheus reacts in a few seconds.
STEP_TIMEOUT = 45


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Prometheus with the example rules, scraping a template service."""
    assert shutil.which("prometheus"), (
        "prometheus not found: install Debian's prometheus"
    )
    workdir = tmp_path_factory.mktemp("live")
    (workdir / "dashboards").mkdir()
    bundle = build_bundle(EXAMPLE_CONFIG, ROOT / "rules", workdir / "dashboards")
    rules_dir = workdir / "rules"
    rules_dir.mkdir()
    rule_files = []
    for name, content in bundle.files.items():
        if name.startswith("prometheus/rules/"):
            path = rules_dir / Path(name).name
            path.write_text(
                shorten_durations(content.decode(), for_=SHORT_FOR, interval="1s")
            )
            rule_files.append(path)

    service = bundle.service
    providers = [provider.name for provider in service.enabled_providers]
    metrics = TemplateMetrics(providers)
    with (
        MetricsExporter(metrics) as exporter,
        Prometheus(
            workdir,
            rule_files,
            exporter.address,
            job=service.job,
            namespace=service.namespace,
        ) as prometheus,
    ):
        yield metrics, providers, prometheus, exporter.address


@pytest.fixture
def live(server):
    """The server with a healthy service and no active alert; a fresh AlertLog."""
    metrics, providers, prometheus, address = server
    metrics.set_traffic(per_second=100)
    for provider in providers:
        metrics.set_status(provider, 1)
    # Prometheus scrapes for the first time about 5s after it starts, and
    # until then NoHealthyInstances is pending; with the short `for` it even
    # fires. Each test starts once the service looks healthy.
    wait_for(
        lambda: prometheus.query(
            "namespace_job:http_requests_errors:ratio_rate5m < 0.01"
        ),
        timeout=STEP_TIMEOUT,
        what="a healthy error ratio to be recorded",
    )
    wait_for(
        lambda: prometheus.alerts() == [],
        timeout=STEP_TIMEOUT,
        what="no alert to be active",
    )
    return metrics, AlertLog(prometheus), address


def wait_until_firing(log: AlertLog, alertname: str, **labels: str) -> dict:
    return wait_for(
        lambda: _firing(log.poll(), alertname, **labels),
        timeout=STEP_TIMEOUT,
        what=f"{alertname} {labels} to fire",
    )


def _firing(log: AlertLog, alertname: str, **labels: str) -> dict | None:
    alert = log.find(alertname, **labels)
    if alert is not None and alert["state"] == "firing":
        return alert
    return None


def wait_until_resolved(log: AlertLog, alertname: str, **labels: str) -> None:
    wait_for(
        lambda: log.poll().find(alertname, **labels) is None,
        timeout=STEP_TIMEOUT,
        what=f"{alertname} {labels} to resolve",
    )


def test_provider_unhealthy_and_back(live):
    metrics, log, instance = live

    metrics.set_status("database", 0)
    firing = wait_until_firing(log, "ServiceUnhealthy", provider="database")
    metrics.set_status("database", 1)
    wait_until_resolved(log, "ServiceUnhealthy", provider="database")

    assert log.states("ServiceUnhealthy", provider="database") == ["pending", "firing"]
    assert firing["labels"]["severity"] == "critical"
    assert firing["annotations"]["summary"] == "Service database is unhealthy"
    assert firing["annotations"]["description"].startswith(
        f"Health check for database has been unhealthy for 2 minutes on {instance}. "
        "Status value: 0 (1 healthy, 0.5 degraded, 0 unhealthy)."
    )
    # database_pool reports 0 whenever it is idle, and never alerts.
    assert log.states("ServiceUnhealthy", provider="database_pool") == []
    assert log.seen_names == {"ServiceUnhealthy"}


def test_error_burst_up_and_down(live):
    metrics, log, _ = live

    metrics.set_traffic(per_second=500, error_ratio=0.5)
    high = wait_until_firing(log, "HighErrorRate")
    elevated = wait_until_firing(log, "ElevatedErrorRate")
    # Steep healthy traffic outweighs the burst in the 5m window within seconds.
    metrics.set_traffic(per_second=200_000)
    wait_until_resolved(log, "HighErrorRate")
    wait_until_resolved(log, "ElevatedErrorRate")

    assert log.states("HighErrorRate") == ["pending", "firing"]
    assert log.states("ElevatedErrorRate") == ["pending", "firing"]
    for alert, threshold in ((high, "5%"), (elevated, "1%")):
        description = alert["annotations"]["description"]
        match = re.match(
            rf"Error rate is ([\d.]+)% \(threshold: {threshold}\)\.", description
        )
        assert match, description
        # Half of the burst's requests fail, diluted by the healthy ones before.
        assert 5 < float(match.group(1)) <= 50, description
    assert log.seen_names == {"HighErrorRate", "ElevatedErrorRate"}
