"""obsgen check: output formats, severities, exit codes and streams."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from obsgen.cli import main
from tests.support.project import CATALOG, CLEAN_RULES, Project

TEXT_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): "
    r"(?P<severity>\w+) (?P<check>[a-z]+/[a-z-]+) .+$"
)

RULES_WITH_TWO_PROBLEMS = """\
groups:
  - name: http
    rules:
      - record: job:http_requests:rate30s
        expr: sum by (job) (rate(http_requests_total[30s]))
      - record: job:http_requests_errors:ratio
        expr: |
          sum by (job) (rate(http_requests_total{status=~"5.."}[5m]))
          / sum by (job) (rate(http_requests_total[5m]))
"""


def _check(*args: str):
    return CliRunner().invoke(main, ["check", *args])


@pytest.fixture
def rule_file(tmp_path):
    path = tmp_path / "http.rules.yaml"
    path.write_text(RULES_WITH_TWO_PROBLEMS, encoding="utf-8")
    return path


def test_text_format_positions(rule_file):
    result = _check(str(rule_file), "--scrape-interval", "15s")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    first, second = (TEXT_LINE.match(line) for line in lines)
    assert (first["line"], first["column"], first["severity"], first["check"]) == (
        "5",
        "15",
        "error",
        "promql/rate-window",
    )
    assert (second["line"], second["column"], second["severity"], second["check"]) == (
        "7",
        "15",
        "warning",
        "promql/ratio-guard",
    )
    assert "[30s]" in lines[0]
    assert "[1m]" in lines[0]


def test_summary_on_stderr(rule_file):
    result = _check(str(rule_file), "--scrape-interval", "15s")
    assert result.stderr.startswith("obsgen: 2 problems")
    assert "obsgen:" not in result.stdout


def test_json_format(rule_file):
    result = _check(str(rule_file), "--scrape-interval", "15s", "--format", "json")
    data = json.loads(result.stdout)
    assert [item["check"] for item in data] == [
        "promql/rate-window",
        "promql/ratio-guard",
    ]
    assert data[0]["json_path"] == "groups[0].rules[0].expr"
    assert data[0]["severity"] == "error"
    assert data[0]["line"] == 5


def test_github_format(rule_file):
    result = _check(str(rule_file), "--scrape-interval", "15s", "--format", "github")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=")
    assert ",line=5,col=15,title=promql/rate-window::" in lines[0]
    assert lines[1].startswith("::warning file=")


def test_fail_on_separate_from_show(rule_file):
    args = [str(rule_file), "--scrape-interval", "1s"]
    only_warning = _check(*args, "--fail-on", "error")
    assert only_warning.exit_code == 0
    assert "promql/ratio-guard" in only_warning.stdout
    strict = _check(*args, "--fail-on", "warning", "--show", "error")
    assert strict.exit_code == 1
    assert strict.stdout == ""
    assert "1 not shown" in strict.stderr


def test_clean_file_exits_zero(tmp_path):
    path = tmp_path / "ok.rules.yaml"
    path.write_text(
        RULES_WITH_TWO_PROBLEMS.split("      - record: job:http_requests_errors")[
            0
        ].replace("30s", "5m")
    )
    result = _check(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--scrape-interval", "15 s"], "invalid duration"),
        (["no-such-file.yaml"], "path not found"),
    ],
)
def test_usage_errors_exit_two(args, message):
    result = _check(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_paths_and_config_exclusive(rule_file, tmp_path):
    result = _check(str(rule_file), "--config", str(tmp_path / "service.yaml"))
    assert result.exit_code == 2


def test_bundle_project_points_at_definitions(tmp_path):
    project = Project(tmp_path)
    project.write_config()
    path = project.write_rules("demo", CLEAN_RULES.replace("[5m]))", "[30s]))"))
    project.copy_fixture_dashboard()
    result = _check(*project.args(), "--format", "json")
    assert result.exit_code == 1, result.output
    [problem] = json.loads(result.stdout)
    assert problem["path"].endswith("rules/demo.py")
    assert problem["line"] == project.line_of(path, "yield RecordingRule(")
    assert problem["artifact"].startswith("prometheus/rules/demo.rules.yaml:")
    assert problem["json_path"] == "groups[0].rules[0].expr"


def test_bundle_project_with_catalog_option(tmp_path, caplog):
    project = Project(tmp_path)
    project.write_config({f"catalog: {CATALOG}\n": ""})
    project.write_rules(
        "demo", CLEAN_RULES.replace("http_requests_total", "http_request_total")
    )
    project.copy_fixture_dashboard()
    without = _check(*project.args())
    assert "catalog/unknown-metric" not in without.stdout
    assert "no metric catalog configured" in caplog.text
    with_catalog = _check(*project.args(), "--catalog", str(CATALOG))
    assert with_catalog.exit_code == 1
    assert "catalog/unknown-metric" in with_catalog.stdout
