"""Checking a bundle built from definitions: positions and suppressions."""

from __future__ import annotations

import pytest

from obsgen.bundle.build import build_bundle
from obsgen.errors import DefinitionError
from obsgen.lint.bundle import lint_bundle
from tests.support.project import CLEAN_RULES, Project


def _problems(project: Project):
    bundle = build_bundle(
        project.config,
        project.rules,
        project.dashboards,
        run_checks=False,
    )
    return lint_bundle(bundle)


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path)
    project.write_config()
    project.write_rules("demo", CLEAN_RULES)
    return project


def test_fixture_project_is_clean(project):
    project.copy_fixture_dashboard()
    assert _problems(project) == []


def test_example_rules_are_clean(project):
    (project.rules / "demo.py").unlink()
    project.copy_example_rules()
    project.copy_fixture_dashboard()
    assert _problems(project) == []


def test_panel_problem_points_at_title_line(project):
    path = project.copy_fixture_dashboard({'.unit("reqps")': ""})
    [problem] = _problems(project)
    assert problem.check == "dashboards/panel-unit"
    assert problem.path.endswith("dashboards/traffic.py")
    assert problem.line == project.line_of(path, '.title("Request rate")')
    assert problem.artifact.startswith("grafana/dashboards/traffic.json:")
    assert problem.json_path == "panels[1]"


def test_panel_query_problem_points_at_panel(project):
    path = project.copy_fixture_dashboard({"[$__rate_interval]": "[$__interval]"})
    [problem] = _problems(project)
    assert problem.check == "dashboards/rate-interval"
    assert "$__interval" in problem.message
    assert problem.line == project.line_of(path, '.title("Request rate")')
    assert problem.json_path == "panels[1].targets[0].expr"


def test_invalid_panel_query_points_at_query(project):
    # The dashboard renderer rejects invalid PromQL before the checks run, at
    # the line of the query; promql/syntax covers dashboards read from files.
    path = project.copy_fixture_dashboard(
        {"[$__rate_interval]))": "[$__rate_interval])"}
    )
    with pytest.raises(DefinitionError) as caught:
        _problems(project)
    assert "invalid PromQL" in caught.value.message
    # The location is the line of the query(...) call, just above its text.
    query_text = project.line_of(path, '"sum by (method) (rate(http_requests_total"')
    assert caught.value.location.line == query_text - 1


def test_panel_suppression_hides_problem(project):
    # The fixture's "Pods" panel has no unit, and a reasoned suppression.
    project.copy_fixture_dashboard()
    assert all(
        problem.check != "dashboards/panel-unit" for problem in _problems(project)
    )
    reason = '"dashboards/panel-unit": "a count of pods has no unit"'
    project.copy_fixture_dashboard({reason: '"promql/syntax": "unrelated"'})
    assert [problem.check for problem in _problems(project)] == [
        "dashboards/panel-unit"
    ]


def test_dashboard_suppression_hides_problem(project):
    project.copy_fixture_dashboard(
        {
            '.unit("reqps")': "",
            '@grafana_dashboard("traffic")': '@grafana_dashboard("traffic", '
            'suppress={"dashboards/panel-unit": "units are in the titles"})',
        }
    )
    assert _problems(project) == []


def test_rule_suppression_hides_problem(project):
    project.copy_fixture_dashboard()
    project.write_rules(
        "demo",
        CLEAN_RULES.replace(
            '[5m]))",',
            '[30s]))",\n'
            '            suppress={"promql/rate-window": "scraped every 5s"},',
        ),
    )
    assert _problems(project) == []


def test_rule_suppression_needs_reason(project):
    project.copy_fixture_dashboard()
    path = project.write_rules(
        "demo",
        CLEAN_RULES.replace(
            '[5m]))",', '[5m]))",\n            suppress={"promql/rate-window": " "},'
        ),
    )
    with pytest.raises(DefinitionError) as raised:
        _problems(project)
    assert "has no reason" in raised.value.message
    assert raised.value.location.path == str(path)


def test_rule_suppression_of_unknown_check(project):
    project.copy_fixture_dashboard()
    project.write_rules(
        "demo",
        CLEAN_RULES.replace(
            '[5m]))",', '[5m]))",\n            suppress={"promql/rate": "typo"},'
        ),
    )
    with pytest.raises(DefinitionError) as raised:
        _problems(project)
    assert "unknown check 'promql/rate'" in raised.value.message
