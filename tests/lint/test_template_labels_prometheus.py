"""Why alerts/template-labels reports rule labels: Prometheus does not expose them.

Prometheus 2.42 expands annotation templates with the labels of the series
that fired, not with the rule's own `labels:`. This test shows it on a
running Prometheus, so the check's behaviour rests on evidence.
"""

from __future__ import annotations

import time

import requests

from obsgen.lint.gotemplate import check_template
from tests.support.lintserver import prometheus_scraping_reference

RULES = """\
groups:
  - name: template-labels
    interval: 1s
    rules:
      - alert: TemplateLabels
        expr: health_check_status{provider="cache"} == 1
        labels:
          severity: critical
        annotations:
          summary: "severity={{ $labels.severity }} provider={{ $labels.provider }}"
"""
TIMEOUT_SECONDS = 60


def _firing_annotation(url: str) -> str:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        alerts = requests.get(f"{url}/api/v1/alerts", timeout=5).json()["data"][
            "alerts"
        ]
        if alerts:
            return alerts[0]["annotations"]["summary"]
        time.sleep(0.25)
    raise AssertionError(f"no alert fired within {TIMEOUT_SECONDS}s")


def test_rule_labels_invisible_to_templates(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with prometheus_scraping_reference(tmp_path, [rules]) as url:
        summary = _firing_annotation(url)
    assert summary == "severity= provider=cache"


def test_template_reads_both_labels():
    report = check_template(
        "severity={{ $labels.severity }} provider={{ $labels.provider }}"
    )
    assert report.labels == ["severity", "provider"]
