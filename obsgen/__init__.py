"""obsgen: Prometheus rules and Grafana dashboards from Python definitions."""

from obsgen.config import ServiceConfig
from obsgen.definitions.dashboards import grafana_dashboard
from obsgen.definitions.rules import AlertingRule, RecordingRule, RuleGroup, rule_group
from obsgen.definitions.suppress import suppress

__all__ = [
    "AlertingRule",
    "RecordingRule",
    "RuleGroup",
    "ServiceConfig",
    "grafana_dashboard",
    "rule_group",
    "suppress",
]
