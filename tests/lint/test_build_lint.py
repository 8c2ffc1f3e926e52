"""obsgen build runs the checks: errors stop it, warnings do not."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from obsgen.cli import main
from tests.support.project import CLEAN_RULES, Project


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path)
    project.write_config()
    project.write_rules("demo", CLEAN_RULES)
    project.copy_fixture_dashboard()
    return project


def _build(project: Project):
    runner = CliRunner()
    return runner.invoke(main, ["build", *project.args(), "--out", str(project.out)])


def test_clean_project_builds(project):
    result = _build(project)
    assert result.exit_code == 0, result.output
    assert (project.out / "prometheus" / "rules" / "demo.rules.yaml").is_file()


def test_error_stops_build_and_writes_nothing(project):
    path = project.write_rules("demo", CLEAN_RULES.replace("[5m]))", "[30s]))"))
    result = _build(project)
    assert result.exit_code == 3, result.output
    assert not project.out.exists()
    line = project.line_of(path, "yield RecordingRule(")
    assert f"demo.py:{line}:1: error promql/rate-window" in result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_warning_is_logged_and_build_goes_on(project):
    project.copy_fixture_dashboard({'.unit("reqps")': ""})
    result = _build(project)
    assert result.exit_code == 0, result.output
    assert "warning dashboards/panel-unit" in result.stderr
    assert (project.out / "grafana" / "dashboards" / "traffic.json").is_file()


def test_error_keeps_previous_bundle(project):
    assert _build(project).exit_code == 0
    before = (project.out / "prometheus" / "rules" / "demo.rules.yaml").read_bytes()
    project.write_rules("demo", CLEAN_RULES.replace('"warning"', '"page"'))
    result = _build(project)
    assert result.exit_code == 3
    assert "alerts/severity" in result.stderr
    assert (
        project.out / "prometheus" / "rules" / "demo.rules.yaml"
    ).read_bytes() == before
