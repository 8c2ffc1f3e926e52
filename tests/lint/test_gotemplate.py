"""The Go template checker agrees with promtool on what Prometheus rejects."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from obsgen.lint.gotemplate import check_template

PROMTOOL = shutil.which("promtool")

# (template, error substring or None, labels read)
CASES = [
    ("{{ $labels.instance }} is {{ $value | humanizePercentage }}", None, ["instance"]),
    ("{{ $label.instance }}", "undefined variable $label", []),
    ("{{ $labels.instance }", "unclosed action", []),
    ("{{ humanise $value }}", "function 'humanise' is not defined", []),
    ("{{ if gt $value 1.0 }}high{{ end }}", None, []),
    ("{{ if gt $value 1.0 }}high", "has no '{{ end }}'", []),
    ("{{ end }}", "without an open", []),
    ("{{ $x := $labels.pod }}{{ $x }}", None, ["pod"]),
    ("{{- $labels.pod -}}", None, ["pod"]),
    ("{{/* a comment */}}", None, []),
    ('{{ index $labels "team" }}', None, ["team"]),
    ("{{ .Labels.env }} {{ .Value }}", None, ["env"]),
    ('{{ printf "%.2f" $value }}', None, []),
    ("{{ ($value }}", "unclosed '('", []),
    ('{{ "}}" }}', None, []),
    ("{{ $value | humanizeDuration }} {{ $externalLabels.cluster }}", None, []),
    ('{{ range query "up" }}{{ .Labels.job }}{{ end }}', None, ["job"]),
    ("{{ stripPort $labels.instance }}", None, ["instance"]),
    ("{{ toDuration $value }}", "function 'toDuration' is not defined", []),
]
# Go prints a stray `}}` as text; obsgen rejects it on purpose.
STRICTER_THAN_GO = [("{ $labels.instance }}", "without an opening")]


@pytest.mark.parametrize("template, error, labels", CASES)
def test_template_cases(template, error, labels):
    report = check_template(template)
    if error is None:
        assert report.errors == []
    else:
        assert len(report.errors) == 1, report.errors
        assert error in report.errors[0]
    assert report.labels == labels


@pytest.mark.parametrize("template, error", STRICTER_THAN_GO)
def test_stray_closing_braces(template, error):
    [message] = check_template(template).errors
    assert error in message


def _promtool_accepts(template: str, tmp_path) -> bool:
    rule = {"alert": "A", "expr": "up == 0", "annotations": {"summary": template}}
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [rule]}]}))
    result = subprocess.run(
        [PROMTOOL, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode == 0


@pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed")
@pytest.mark.parametrize("template, error, labels", CASES)
def test_agrees_with_promtool(template, error, labels, tmp_path):
    assert _promtool_accepts(template, tmp_path) == (error is None)
