"""Go templates in alert labels and annotations: obsgen build rejects the
templates that promtool rejects, with the definition line, even when the lint
check is suppressed, and writes the ones that promtool accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from obsgen.cli import main
from tests.support.project import Project

RULES = """
    from obsgen import AlertingRule, ExpectedAlert, fires, rule_group, stays_silent
    from obsgen.definitions.shapes import healthy_traffic, no_traffic


    @rule_group("traffic")
    def traffic(service):
        sel = service.selector
        yield AlertingRule(
            alert="NoTraffic",
            expr="sum by (namespace, job) "
            f"(rate(http_requests_total{{{sel}}}[5m])) == 0",
            for_="10m",
            labels={**service.alert_labels("warning"), **EXTRA_LABELS},
            annotations={
                "summary": "No traffic",
                "description": DESCRIPTION,
                "runbook_url": service.runbook_url("no-traffic"),
            },
            suppress=SUPPRESS,
            scenarios=[
                fires(
                    "requests stop",
                    series=no_traffic(service),
                    at="30m",
                    alerts=ExpectedAlert(annotations={"description": EXPECTED}),
                ),
                stays_silent(
                    "steady traffic", series=healthy_traffic(service), at="30m"
                ),
            ],
        )
"""

SUPPRESSED = {"alerts/template-syntax": "the test suppresses the lint check"}


@pytest.mark.parametrize(
    ("labels", "description", "suppress", "error"),
    [
        pytest.param(
            {},
            "Rate {{ $labels.instance",
            {},
            "invalid Go template in annotation 'description': unclosed action",
            id="annotation unclosed",
        ),
        pytest.param(
            {"rate": "{{ $value "},
            "No request",
            {},
            "invalid Go template in label 'rate': unclosed action",
            id="label unclosed",
        ),
        pytest.param(
            {"rate": "{{ humanise $value }}"},
            "No request",
            {},
            "invalid Go template in label 'rate': function 'humanise' is not defined",
            id="label unknown function",
        ),
        pytest.param(
            {},
            "Rate {{ $value",
            SUPPRESSED,
            "invalid Go template in annotation 'description': unclosed action",
            id="unclosed with lint suppressed",
        ),
        pytest.param(
            {},
            'Write {{ "{{" }} to start an action',
            {},
            None,
            id="literal braces",
        ),
        pytest.param(
            {},
            "A map }} ends here",
            SUPPRESSED,
            None,
            id="stray braces with lint suppressed",
        ),
        pytest.param(
            {"rate": "{{ $value }}"},
            "{{ $labels.job }}",
            {},
            None,
            id="valid templates",
        ),
    ],
)
def test_build_output_passes_promtool(
    tmp_path: Path,
    promtool: str,
    labels: dict[str, str],
    description: str,
    suppress: dict[str, str],
    error: str | None,
) -> None:
    project = Project(tmp_path)
    project.write_config()
    project.dashboards.mkdir()
    source = (
        RULES.replace("EXTRA_LABELS", repr(labels))
        .replace("DESCRIPTION", repr(description))
        .replace("EXPECTED", repr("the rendered text"))
        .replace("SUPPRESS", repr(suppress))
    )
    path = project.write_rules("traffic", source)

    result = CliRunner().invoke(main, ["build", *project.args(), "--out", project.out])

    if error is not None:
        assert result.exit_code == 3, result.output
        assert error in result.stderr, result.output
        line = project.line_of(path, "yield AlertingRule(")
        assert f"at {path}:{line}\n" in result.stderr, result.output
        assert not project.out.exists()
        # The same templates in a hand-written file: promtool rejects them too.
        rejected = check_rules(promtool, write_rule_file(tmp_path, labels, description))
        assert rejected.returncode != 0, rejected.stdout + rejected.stderr
        return
    assert result.exit_code == 0, result.output
    checked = check_rules(
        promtool, project.out / "prometheus" / "rules" / "traffic.rules.yaml"
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def write_rule_file(folder: Path, labels: dict[str, str], description: str) -> Path:
    rule = {
        "alert": "NoTraffic",
        "expr": "vector(1)",
        "labels": labels,
        "annotations": {"description": description},
    }
    path = folder / "hand-written.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [rule]}]}))
    return path


def check_rules(promtool: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
