"""The validated service configuration that definitions are parametrized by."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from obsgen.promql import quote


@dataclass(frozen=True)
class HealthProvider:
    """One health check provider of the service, as HEALTH_<NAME>__* configures it."""

    name: str
    enabled: bool
    critical_for_readiness: bool = False

    @property
    def severity(self) -> str:
        """Return the severity of this provider's alerts: readiness-critical pages."""
        return "critical" if self.critical_for_readiness else "warning"


@dataclass(frozen=True)
class DatasourceConfig:
    """The Prometheus datasource that Grafana queries."""

    name: str
    uid: str
    url: str
    basic_auth_user: str | None = None
    basic_auth_password_file: str | None = None


@dataclass(frozen=True)
class AlertmanagerConfig:
    """The Alertmanager routing of the service's alerts. Secrets are referenced by
    file path only."""

    group_by: tuple[str, ...] = ("alertname", "namespace", "service")
    pagerduty_routing_key_file: str | None = None
    slack_api_url_file: str | None = None
    slack_channel: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """Alert thresholds. Defaults are the FastAPI template's production values."""

    error_ratio_warning: float = 0.01
    error_ratio_critical: float = 0.05
    min_request_rate: float = 0.0
    latency_p95_warning_seconds: float = 2.0
    latency_p95_critical_seconds: float = 5.0
    latency_regression_ratio: float = 1.5
    latency_baseline_offset: str = "1d"
    health_flapping_transitions_per_second: float = 0.1
    health_check_errors_per_second: float = 0.01
    pool_utilization_warning: float = 0.7
    pool_utilization_critical: float = 0.9
    pod_restarts_per_5m: int = 3
    memory_growth_horizon: str = "4h"


def default_providers() -> tuple[HealthProvider, ...]:
    """Return the template's production health providers (.env.production)."""
    return (
        HealthProvider("database", enabled=True, critical_for_readiness=True),
        HealthProvider("cache", enabled=True),
        HealthProvider("rabbitmq", enabled=True),
        HealthProvider("accent_auth", enabled=True),
        HealthProvider("consul", enabled=True),
        HealthProvider("s3", enabled=False),
    )


@dataclass(frozen=True)
class ServiceConfig:
    """Everything about one service that its rules and dashboards depend on."""

    name: str
    job: str
    namespace: str
    folder: str
    datasource: DatasourceConfig
    environment: str = "production"
    team: str = "platform"
    runbook_base_url: str = "https://wiki.example.com/runbooks"
    scrape_interval: str = "15s"
    evaluation_interval: str = "30s"
    pod_regex: str = ""
    container: str = ""
    dashboards_path: str = ""
    rule_labels: tuple[tuple[str, str], ...] = ()
    alertmanager: AlertmanagerConfig = field(default_factory=AlertmanagerConfig)
    thresholds: Thresholds = field(default_factory=Thresholds)
    providers: tuple[HealthProvider, ...] = field(default_factory=default_providers)
    source_path: Path | None = None
    # The metric catalog lint checks queries against; None when not configured.
    catalog_path: Path | None = None

    @property
    def selector(self) -> str:
        """Return the label matchers that select the service's own series."""
        return f"job={quote(self.job)}, namespace={quote(self.namespace)}"

    @property
    def pod_selector(self) -> str:
        """Return the label matchers that select the service's pods in cAdvisor
        and kube-state-metrics series."""
        return f"namespace={quote(self.namespace)}, pod=~{quote(self.pod_regex)}"

    @property
    def container_selector(self) -> str:
        """Return `pod_selector` narrowed to the service's own container."""
        return f"{self.pod_selector}, container={quote(self.container)}"

    @property
    def enabled_providers(self) -> tuple[HealthProvider, ...]:
        """Return the enabled health providers, in configuration order."""
        return tuple(provider for provider in self.providers if provider.enabled)

    def provider(self, name: str) -> HealthProvider | None:
        """Return the enabled provider called `name`, or None."""
        for provider in self.enabled_providers:
            if provider.name == name:
                return provider
        return None

    def alert_labels(self, severity: str) -> dict[str, str]:
        """Return the labels every alert of this service carries."""
        return {"severity": severity, "service": self.name, "team": self.team}

    def runbook_url(self, slug: str) -> str:
        """Return the runbook URL of an alert, below the configured base URL."""
        return f"{self.runbook_base_url.rstrip('/')}/{slug}"
