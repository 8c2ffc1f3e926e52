"""obsgen: Prometheus rules and Grafana dashboards from Python definitions."""

from obsgen.config import ServiceConfig
from obsgen.definitions.dashboards import grafana_dashboard
from obsgen.definitions.notation import STALE, fraction
from obsgen.definitions.rules import AlertingRule, RecordingRule, RuleGroup, rule_group
from obsgen.definitions.scenarios import (
    AlertScenario,
    ExpectedAlert,
    ExprScenario,
    InputSeries,
    Sample,
    fires,
    records,
    stays_silent,
)
from obsgen.definitions.suppress import suppress

__all__ = [
    "STALE",
    "AlertScenario",
    "AlertingRule",
    "ExpectedAlert",
    "ExprScenario",
    "InputSeries",
    "RecordingRule",
    "RuleGroup",
    "Sample",
    "ServiceConfig",
    "fires",
    "fraction",
    "grafana_dashboard",
    "records",
    "rule_group",
    "suppress",
    "stays_silent",
]
