"""promtool test files (`promtool test rules`), one per rule definition module.

Each scenario becomes one test group with its own input series, named after
the rule and the scenario, such as `HighErrorRate fires: 10% of requests
fail`. promtool prints that name when an alert test fails, and obsgen test
prints it for every failed scenario.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from obsgen.definitions.notation import format_sample_value
from obsgen.definitions.rules import AlertingRule, RecordingRule
from obsgen.definitions.scenarios import AlertScenario, ExprScenario, format_series
from obsgen.render.serialize import dump_yaml

FIRES = "fires"
STAYS_SILENT = "stays silent"
RECORDS = "records"
KINDS = (FIRES, STAYS_SILENT, RECORDS)


def display_names(rules: Sequence[tuple[str, Mapping[str, str]]]) -> list[str]:
    """Name each rule by its name and the labels that tell same-named rules apart.

    `rules` are (name, labels) pairs. ServiceUnhealthy, defined once per health
    provider, becomes `ServiceUnhealthy{provider="cache", severity="warning"}`;
    a name defined once stays as it is.
    """
    labels_by_name: dict[str, list[Mapping[str, str]]] = {}
    for name, labels in rules:
        labels_by_name.setdefault(name, []).append(labels)

    names = []
    for name, labels in rules:
        siblings = labels_by_name[name]
        distinct = {
            label: value
            for label, value in labels.items()
            if any(other.get(label) != value for other in siblings)
        }
        names.append(format_series(name, distinct))
    return names


def scenario_test_name(display: str, kind: str, description: str) -> str:
    """Return the test group name of a scenario, such as `Alert fires: burst`."""
    return f"{display} {kind}: {description}"


def parse_test_name(name: str) -> tuple[str, str, str] | None:
    """Split a test group name into (rule display name, kind, description)."""
    for kind in KINDS:
        display, separator, description = name.partition(f" {kind}: ")
        if separator:
            return display, kind, description
    return None


def _input_series(scenario: AlertScenario | ExprScenario) -> list[dict[str, str]]:
    return [{"series": item.series, "values": item.values} for item in scenario.series]


def alert_test_group(
    rule: AlertingRule, display: str, scenario: AlertScenario
) -> dict[str, Any]:
    """Return the test group that checks the alerts of `rule` in `scenario`."""
    static_annotations = {
        name: text for name, text in rule.annotations.items() if "{{" not in text
    }
    expected = []
    for alert in scenario.alerts:
        labels = {**alert.labels, **rule.labels}
        annotations = {**static_annotations, **alert.annotations}
        expected.append(
            {
                "exp_labels": dict(sorted(labels.items())),
                "exp_annotations": dict(sorted(annotations.items())),
            }
        )
    kind = FIRES if scenario.fires else STAYS_SILENT
    group: dict[str, Any] = {
        "name": scenario_test_name(display, kind, scenario.description),
        "interval": scenario.interval,
        "input_series": _input_series(scenario),
        "alert_rule_test": [
            {"eval_time": scenario.at, "alertname": rule.alert, "exp_alerts": expected}
        ],
    }
    if scenario.pending:
        # promtool checks firing alerts only; Prometheus records pending ones
        # in the ALERTS series.
        selector = format_series(
            "ALERTS", {**rule.labels, "alertname": rule.alert, "alertstate": "pending"}
        )
        group["promql_expr_test"] = [
            {
                "expr": f"count({selector})",
                "eval_time": scenario.at,
                "exp_samples": [{"labels": "{}", "value": scenario.pending}],
            }
        ]
    return group


def expr_test_group(
    rule: RecordingRule, display: str, scenario: ExprScenario
) -> dict[str, Any]:
    """Return the test group that checks the samples `rule` records in `scenario`."""
    samples = [
        {
            "labels": format_series(rule.record, {**sample.labels, **rule.labels}),
            "value": format_sample_value(sample.value),
        }
        for sample in scenario.samples
    ]
    return {
        "name": scenario_test_name(display, RECORDS, scenario.description),
        "interval": scenario.interval,
        "input_series": _input_series(scenario),
        "promql_expr_test": [
            {
                "expr": format_series(rule.record, rule.labels),
                "eval_time": scenario.at,
                "exp_samples": samples,
            }
        ],
    }


def render_test_file(
    source: str,
    rule_files: Sequence[str],
    evaluation_interval: str,
    tests: Sequence[dict[str, Any]],
) -> bytes:
    """Render one promtool test file; `rule_files` are relative to the test file."""
    header = (
        f"# Generated by obsgen from {source}. Do not edit by hand.\n"
        "# Run from the bundle folder: promtool test rules prometheus/tests/*.yaml\n"
    )
    body = dump_yaml(
        {
            "rule_files": list(rule_files),
            "evaluation_interval": evaluation_interval,
            "tests": list(tests),
        }
    )
    return header.encode("utf-8") + body
