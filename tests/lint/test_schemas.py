"""The project's JSON Schemas: valid, met by the bundle, naming JSON paths."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from obsgen.bundle.build import build_bundle
from obsgen.lint.files import lint_files
from tests.support.project import ROOT, Project

SCHEMAS = sorted((ROOT / "obsgen" / "schemas").glob("*.schema.json"))
GRAFANA_SCHEMA = (
    ROOT.parent
    / "shared"
    / "reference"
    / "grafana-dashboard-schema"
    / "dashboard.jsonschema.json"
)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda path: path.name)
def test_schema_is_valid(path: Path):
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


@pytest.fixture
def bundle(tmp_path):
    project = Project(tmp_path)
    project.write_config()
    project.copy_example_rules()
    project.copy_fixture_dashboard()
    return build_bundle(
        project.config,
        project.rules,
        project.dashboards,
        run_checks=False,
    )


def _schema(name: str) -> dict:
    return json.loads((ROOT / "obsgen" / "schemas" / f"{name}.schema.json").read_text())


def test_bundle_meets_project_schemas(bundle):
    for path, content in bundle.files.items():
        if path.startswith("prometheus/rules/"):
            name, data = "prometheus-rules", yaml.safe_load(content)
        elif path.startswith("grafana/dashboards/"):
            name, data = "grafana-dashboard", json.loads(content)
        elif path.startswith("grafana/provisioning/"):
            name, data = "grafana-provisioning", yaml.safe_load(content)
        else:
            continue
        jsonschema.Draft202012Validator(_schema(name)).validate(data)


def test_bundle_dashboard_meets_grafana_schema(bundle):
    schema = json.loads(GRAFANA_SCHEMA.read_text(encoding="utf-8"))
    document = json.loads(bundle.files["grafana/dashboards/traffic.json"])
    jsonschema.Draft7Validator(schema).validate(document)


def test_violation_names_file_and_json_path(tmp_path):
    path = tmp_path / "alerts.rules.yaml"
    path.write_text(
        """\
groups:
  - name: availability
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: JobDown
        expr: job:up:sum == 0
        labels:
          severity: 2
        annotations:
          summary: The job is down
          description: Every target of the job is down.
          runbook_url: https://wiki.example.com/runbooks/down
"""
    )
    problems = lint_files([path])
    schema_problems = [p for p in problems if p.check == "schema/rule-file"]
    assert len(schema_problems) == 1
    problem = schema_problems[0]
    assert problem.path.endswith("alerts.rules.yaml")
    assert "groups[0].rules[1].labels.severity" in problem.message
    assert problem.json_path == "groups[0].rules[1].labels.severity"
    assert (problem.line, problem.column) == (9, 21)


@pytest.mark.parametrize(
    "document, fragment",
    [
        (
            {"groups": [{"name": "g", "rules": [{"alert": "A"}]}]},
            "'expr' is a required",
        ),
        ({"groups": [{"name": "g", "limit": -1, "rules": []}]}, "groups[0].limit"),
        ({"groups": [], "extra": 1}, "unknown key 'extra'"),
    ],
)
def test_rule_file_schema_cases(document, fragment, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(document))
    messages = [p.message for p in lint_files([path]) if p.check == "schema/rule-file"]
    assert any(fragment in message for message in messages), messages


def test_grafana_api_response_unwrapped(tmp_path):
    dashboard = {"title": "HTTP", "uid": "bad uid", "schemaVersion": 42, "panels": []}
    path = tmp_path / "response.json"
    path.write_text(
        json.dumps({"meta": {"slug": "http"}, "dashboard": dashboard}, indent=2)
    )
    [problem] = lint_files([path])
    assert problem.check == "dashboards/uid"
    assert problem.json_path == "uid"
    assert (problem.line, problem.column) == (7, 12)
