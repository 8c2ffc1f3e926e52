"""Live mode: selectors checked against a real Prometheus on 127.0.0.1."""

from __future__ import annotations

import json

import promql_parser
import pytest
from click.testing import CliRunner

from obsgen.cli import main
from obsgen.lint.live import selector_text
from tests.support.lintserver import free_port
from tests.support.project import CLEAN_RULES, Project


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path)
    project.write_config()
    project.write_rules("demo", CLEAN_RULES)
    project.copy_fixture_dashboard()
    return project


def _check(project: Project, url: str):
    args = ["check", *project.args(), "--prometheus-url", url, "--format", "json"]
    return CliRunner().invoke(main, args)


def test_clean_project_matches_server(project, reference_prometheus):
    result = _check(project, reference_prometheus)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_selector_without_series_reported(project, reference_prometheus):
    path = project.write_rules(
        "demo",
        CLEAN_RULES.replace(
            "{{{sel}}}[5m]", "{{job='example-service', namespace='staging'}}[5m]"
        ),
    )
    result = _check(project, reference_prometheus)
    assert result.exit_code == 1, result.output
    [problem] = json.loads(result.stdout)
    assert problem["check"] == "live/no-series"
    assert (
        'http_requests_total{job="example-service", namespace="staging"}'
        in problem["message"]
    )
    assert problem["line"] == project.line_of(path, "yield RecordingRule(")


def test_example_bundle_against_capture(project, reference_prometheus):
    # The server scrapes only the service's capture: cAdvisor and
    # kube-state-metrics series are missing, the two health counters have no
    # samples yet, and of the configured providers only cache and database
    # report a status.
    (project.rules / "demo.py").unlink()
    project.copy_example_rules()
    result = _check(project, reference_prometheus)
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)
    assert {problem["check"] for problem in problems} == {"live/no-series"}
    missing = {
        problem["message"].split(" matches no series")[0] for problem in problems
    }
    missing_names = {selector.split("{")[0] for selector in missing}
    assert missing_names == {
        "container_memory_working_set_bytes",
        "container_spec_memory_limit_bytes",
        "kube_pod_container_status_restarts_total",
        "kube_pod_status_ready",
        "health_check_errors_total",
        "health_check_status_transitions_total",
        "health_check_status",
    }
    providers = {
        s.split('provider="')[1].split('"')[0] for s in missing if "provider=" in s
    }
    assert providers == {"rabbitmq", "accent_auth", "consul"}


def test_unreachable_server_exits_four(project):
    url = f"http://127.0.0.1:{free_port()}"
    result = _check(project, url)
    assert result.exit_code == 4
    assert f"cannot reach Prometheus at {url}" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    "selector, values, expected",
    [
        ('x{job="$job"}', {"job": "api"}, 'x{job="api"}'),
        ('x{pod=~"$pod"}', {"pod": ".*"}, 'x{pod=~".*"}'),
        ('x{pod="${pod}"}', {"pod": ".*"}, 'x{pod=~".*"}'),
        ('x{job="$job", a="b"}', {}, 'x{a="b"}'),
        ('{job="$job"}', {}, None),
        ('x{a=~"5.."}', {}, 'x{a=~"5.."}'),
    ],
)
def test_selector_text(selector, values, expected):
    assert selector_text(promql_parser.parse(selector), values) == expected
