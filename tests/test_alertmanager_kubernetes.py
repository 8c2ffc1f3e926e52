"""The Alertmanager and Kubernetes targets, checked with amtool and promtool."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "examples/example-service/service.yaml"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found; run scripts/install-prometheus")
    return path


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "example-service"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "obsgen",
            "build",
            "--config",
            str(CONFIG),
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def _alerts(bundle: Path) -> list[dict]:
    alerts = []
    for path in sorted((bundle / "prometheus/rules").glob("*.yaml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            alerts.extend(rule for rule in group["rules"] if "alert" in rule)
    return alerts


def test_amtool_accepts_alertmanager_config(bundle: Path) -> None:
    result = subprocess.run(
        [
            _tool("amtool"),
            "check-config",
            str(bundle / "alertmanager/alertmanager.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_routes_by_severity(bundle: Path) -> None:
    expected_receiver = {
        "critical": "example-service-pager",
        "warning": "example-service-chat",
        "info": "example-service-chat",
    }
    alerts = _alerts(bundle)
    assert alerts
    for alert in alerts:
        labels = {**alert["labels"], "alertname": alert["alert"]}
        result = subprocess.run(
            [
                _tool("amtool"),
                "config",
                "routes",
                "test",
                f"--config.file={bundle / 'alertmanager/alertmanager.yaml'}",
                *(f"{name}={value}" for name, value in sorted(labels.items())),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        receiver = result.stdout.strip()
        assert receiver == expected_receiver[labels["severity"]], alert["alert"]


def test_other_services_alerts_go_nowhere(bundle: Path) -> None:
    result = subprocess.run(
        [
            _tool("amtool"),
            "config",
            "routes",
            "test",
            f"--config.file={bundle / 'alertmanager/alertmanager.yaml'}",
            "service=other-service",
            "severity=critical",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "null"


def test_inhibit_rules_name_bundle_alerts(bundle: Path) -> None:
    config = yaml.safe_load((bundle / "alertmanager/alertmanager.yaml").read_text())
    names = {alert["alert"] for alert in _alerts(bundle)}
    assert config["inhibit_rules"]
    for rule in config["inhibit_rules"]:
        source = rule["source_matchers"][0].split('"')[1]
        targets = rule["target_matchers"][0].split('"')[1].split("|")
        assert source in names
        assert set(targets) <= names


def test_secrets_are_referenced_by_file(bundle: Path) -> None:
    receivers = yaml.safe_load((bundle / "alertmanager/alertmanager.yaml").read_text())[
        "receivers"
    ]
    for receiver in receivers:
        for slack in receiver.get("slack_configs", []):
            assert "api_url" not in slack
            assert slack["api_url_file"].startswith("/")
        for pagerduty in receiver.get("pagerduty_configs", []):
            assert "routing_key" not in pagerduty
            assert pagerduty["routing_key_file"].startswith("/")


def test_prometheus_rule_loads_in_promtool(bundle: Path, tmp_path: Path) -> None:
    resource = yaml.safe_load((bundle / "kubernetes/prometheusrule.yaml").read_text())
    assert resource["apiVersion"] == "monitoring.coreos.com/v1"
    assert resource["kind"] == "PrometheusRule"
    assert resource["metadata"]["namespace"] == "production"
    assert resource["metadata"]["labels"]["release"] == "prometheus"

    rule_file = tmp_path / "spec.yaml"
    rule_file.write_text(yaml.safe_dump({"groups": resource["spec"]["groups"]}))
    result = subprocess.run(
        [_tool("promtool"), "check", "rules", str(rule_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_rule_matches_rule_files(bundle: Path) -> None:
    resource = yaml.safe_load((bundle / "kubernetes/prometheusrule.yaml").read_text())
    from_files = []
    for path in sorted((bundle / "prometheus/rules").glob("*.yaml")):
        from_files.extend(yaml.safe_load(path.read_text())["groups"])
    by_name = {group["name"]: group for group in resource["spec"]["groups"]}
    assert sorted(by_name) == sorted(group["name"] for group in from_files)
    for group in from_files:
        assert by_name[group["name"]] == group
