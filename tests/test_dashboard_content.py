"""What the dashboards show: the production checklist's queries, corrected.

Every PromQL query of the checklist's "Key Metrics to Monitor" and "Grafana
Dashboard JSON" sections (and the rollback section's health check failure
rate) must appear on a panel, compared by parsed metrics, functions and
aggregations rather than by text. The corrections: percentiles aggregate
`sum by (le, ...)`, every rate window is `$__rate_interval`, averages divide
`_sum` by `_count` rates, and every query selects the dashboard's job and
namespace (pod queries its namespace and pods).
"""

from __future__ import annotations

import dataclasses
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from obsgen.bundle.build import build_bundle
from obsgen.config import load_service_config
from tests.dashboard_support import (
    DASHBOARD_SLUGS,
    EXAMPLE_CONFIG,
    RATE_INTERVAL_SAMPLE,
    REPO,
    cli_bundle,
    iter_nodes,
    iter_panels,
    iter_targets,
    query_facts,
)

PROMTOOL = "/usr/bin/promtool"

SERVICE = (("job", "=", "$job"), ("namespace", "=", "$namespace"))
POD = (("namespace", "=", "$namespace"), ("pod", "=~", "$pod"))
CONTAINER = ("container", "=", "example-service")
STATUS_PANELS = {"stat", "state-timeline"}


@dataclass(frozen=True)
class ChecklistQuery:
    """A checklist query and what its corrected form on a dashboard contains.

    A panel matches when one of its queries reads all `metrics` with all
    `matchers`, calls all `functions` and has the `aggregation`: an operator
    and its sorted `by` labels.
    """

    checklist: str
    dashboard: str
    metrics: tuple[str, ...]
    aggregation: tuple[str, tuple[str, ...]]
    functions: tuple[str, ...] = ()
    matchers: tuple[tuple[str, str, str], ...] = ()
    quantile: float | None = None
    operators: tuple[str, ...] = ()
    panel_types: frozenset[str] | None = None

    def matches(self, panel: dict[str, Any], expr: str) -> bool:
        if self.panel_types is not None and panel["type"] not in self.panel_types:
            return False
        facts = query_facts(expr)
        return (
            set(self.metrics) <= facts.metrics
            and self.aggregation in facts.aggregations
            and set(self.functions) <= facts.functions
            and set(self.matchers) <= facts.matchers
            and (self.quantile is None or self.quantile in facts.quantiles)
            and set(self.operators) <= facts.operators
        )


def provider_status(provider: str) -> ChecklistQuery:
    return ChecklistQuery(
        f'health_check_status{{provider="{provider}"}}',
        "dependencies",
        ("health_check_status",),
        ("min", ()),
        matchers=(("provider", "=", provider),),
        panel_types=frozenset({"stat"}),
    )


def http_percentile(quantile: float) -> ChecklistQuery:
    return ChecklistQuery(
        f"histogram_quantile({quantile}, "
        "rate(http_request_duration_seconds_bucket[5m]))",
        "application",
        ("http_request_duration_seconds_bucket",),
        ("sum", ("le",)),
        functions=("histogram_quantile", "rate"),
        quantile=quantile,
        panel_types=frozenset({"timeseries"}),
    )


POOL_CAPACITY = (
    "database_pool_checkedout",
    "database_pool_size",
    "database_pool_max_overflow",
)
ERROR_RATIO = ChecklistQuery(
    'sum(rate(http_requests_total{status=~"5.."}[5m])) '
    "/ sum(rate(http_requests_total[5m])) * 100",
    "application",
    ("http_requests_total",),
    ("sum", ()),
    functions=("rate",),
    matchers=(("status", "=~", "5.."),),
    operators=("/",),
    panel_types=frozenset({"timeseries"}),
)
TRANSITIONS = ChecklistQuery(
    "rate(health_check_status_transitions_total[5m])",
    "health-checks",
    ("health_check_status_transitions_total",),
    ("sum", ("provider",)),
    functions=("rate",),
    panel_types=frozenset({"timeseries"}),
)
CHECK_LATENCY_P95 = ChecklistQuery(
    "histogram_quantile(0.95, rate(health_check_duration_seconds_bucket[5m]))",
    "health-checks",
    ("health_check_duration_seconds_bucket",),
    ("sum", ("le", "provider")),
    functions=("histogram_quantile", "rate"),
    quantile=0.95,
    panel_types=frozenset({"timeseries"}),
)

OVERALL_STATUS = ChecklistQuery(
    "health_check_status",
    "health-checks",
    ("health_check_status",),
    ("min", ()),
    panel_types=frozenset({"stat"}),
)
# database_pool reports unhealthy while idle, so the pool gauges replace it.
POOL_STATUS = ChecklistQuery(
    'health_check_status{provider="database_pool"}',
    "database",
    POOL_CAPACITY,
    ("max", ()),
    operators=("/", "+"),
)

KEY_METRICS = [
    # 1. Health check status
    OVERALL_STATUS,
    provider_status("database"),
    provider_status("cache"),
    POOL_STATUS,
    TRANSITIONS,
    # 2. Performance metrics
    http_percentile(0.5),
    http_percentile(0.95),
    http_percentile(0.99),
    ChecklistQuery(
        "sum(rate(http_requests_total[5m]))",
        "application",
        ("http_requests_total",),
        ("sum", ()),
        functions=("rate",),
    ),
    ERROR_RATIO,
    ChecklistQuery(
        "avg(rate(health_check_duration_seconds_sum[5m])) by (provider)",
        "health-checks",
        ("health_check_duration_seconds_sum", "health_check_duration_seconds_count"),
        ("sum", ("provider",)),
        functions=("rate",),
        operators=("/",),
    ),
    CHECK_LATENCY_P95,
    # 3. Resource utilization
    ChecklistQuery(
        'rate(container_cpu_usage_seconds_total{pod=~"example-service.*"}[5m])',
        "infrastructure",
        ("container_cpu_usage_seconds_total",),
        ("sum", ("pod",)),
        functions=("rate",),
        matchers=(*POD, CONTAINER),
    ),
    ChecklistQuery(
        'sum(rate(container_cpu_usage_seconds_total{pod=~"example-service.*"}[5m]))',
        "infrastructure",
        ("container_cpu_usage_seconds_total",),
        ("sum", ()),
        functions=("rate",),
        matchers=(*POD, CONTAINER),
    ),
    ChecklistQuery(
        'container_memory_working_set_bytes{pod=~"example-service.*"}',
        "infrastructure",
        ("container_memory_working_set_bytes",),
        ("sum", ("pod",)),
        matchers=(*POD, CONTAINER),
    ),
    ChecklistQuery(
        'sum(container_memory_working_set_bytes{pod=~"example-service.*"})',
        "infrastructure",
        ("container_memory_working_set_bytes",),
        ("sum", ()),
        matchers=(*POD, CONTAINER),
    ),
    # The template exports no utilization metric, but its pool gauges give it.
    ChecklistQuery(
        "database_connection_pool_utilization_percent",
        "database",
        POOL_CAPACITY,
        ("max", ()),
        operators=("/", "+"),
        panel_types=frozenset({"gauge"}),
    ),
    ChecklistQuery(
        "rate(cache_hits_total[5m]) / (rate(cache_hits_total[5m]) "
        "+ rate(cache_misses_total[5m])) * 100",
        "dependencies",
        ("cache_hits_total", "cache_misses_total"),
        ("sum", ()),
        functions=("rate",),
        operators=("/", "+"),
    ),
    # 4. Dependency health
    ChecklistQuery(
        'health_check_status{provider="database"}',
        "database",
        ("health_check_status",),
        ("min", ()),
        matchers=(("provider", "=", "database"),),
        panel_types=frozenset({"stat"}),
    ),
    ChecklistQuery(
        'avg(rate(health_check_duration_seconds_sum{provider="database"}[5m]))',
        "database",
        ("health_check_duration_seconds_sum", "health_check_duration_seconds_count"),
        ("sum", ()),
        functions=("rate",),
        matchers=(("provider", "=", "database"),),
        operators=("/",),
    ),
    provider_status("cache"),
    provider_status("rabbitmq"),
    provider_status("consul"),
]

GRAFANA_DASHBOARD_JSON = [
    # Panel 1: overall health status (thresholds are checked below).
    OVERALL_STATUS,
    CHECK_LATENCY_P95,
    TRANSITIONS,
    http_percentile(0.5),
    http_percentile(0.95),
    http_percentile(0.99),
    ERROR_RATIO,
    # Panel 6 reads health_check_detailed metadata. The pool gauges replace it.
    ChecklistQuery(
        "database pool utilization gauge",
        "database",
        POOL_CAPACITY,
        ("max", ()),
        operators=("/", "+"),
        panel_types=frozenset({"gauge"}),
    ),
]

ROLLBACK_QUERIES = [
    ChecklistQuery(
        'rate(health_check_total{status="unhealthy"}[5m])',
        "health-checks",
        ("health_check_total",),
        ("sum", ("provider",)),
        functions=("rate",),
        matchers=(("status", "=", "unhealthy"),),
    ),
]

# Panels the alerts call for, beyond the checklist's dashboard queries.
ALERT_QUERIES = [
    ChecklistQuery(
        "rate(health_check_errors_total[5m])",
        "health-checks",
        ("health_check_errors_total",),
        ("sum", ("provider",)),
        functions=("rate",),
    ),
    ChecklistQuery(
        'sum(up{job="example-service"})',
        "infrastructure",
        ("up",),
        ("sum", ()),
    ),
    ChecklistQuery(
        "kube_pod_container_status_restarts_total",
        "infrastructure",
        ("kube_pod_container_status_restarts_total",),
        ("sum", ("pod",)),
        functions=("increase",),
        matchers=(*POD, CONTAINER),
    ),
    ChecklistQuery(
        "kube_pod_status_ready",
        "infrastructure",
        ("kube_pod_status_ready",),
        ("sum", ()),
        matchers=(*POD, ("condition", "=", "true")),
    ),
]

EXPECTED = KEY_METRICS + GRAFANA_DASHBOARD_JSON + ROLLBACK_QUERIES + ALERT_QUERIES


@pytest.fixture(scope="session")
def dashboards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return cli_bundle(tmp_path_factory.getbasetemp() / "cli-bundle")


def panels_matching(
    dashboards: dict[str, dict[str, Any]], expected: ChecklistQuery
) -> list[dict[str, Any]]:
    return [
        panel
        for panel, target in iter_targets(dashboards[expected.dashboard])
        if expected.matches(panel, target["expr"])
    ]


def threshold_values(panel: dict[str, Any]) -> list[float | None]:
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    return [step["value"] for step in steps]


# Checklist queries


@pytest.mark.parametrize(
    "expected", EXPECTED, ids=[f"{q.dashboard}: {q.checklist}" for q in EXPECTED]
)
def test_checklist_query_has_panel(
    dashboards: dict[str, dict[str, Any]], expected: ChecklistQuery
) -> None:
    assert panels_matching(dashboards, expected), (
        f"no panel on {expected.dashboard} shows {expected.checklist} as "
        f"{expected.aggregation} of {expected.metrics}"
    )


def test_checklist_matcher_rejects_uncorrected_query() -> None:
    panel = {"type": "timeseries"}
    checklist_form = (
        "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))"
    )
    corrected = (
        "histogram_quantile(0.95, sum by (le) "
        "(rate(http_request_duration_seconds_bucket[$__rate_interval])))"
    )

    assert not http_percentile(0.95).matches(panel, checklist_form)
    assert not http_percentile(0.99).matches(panel, corrected)
    assert http_percentile(0.95).matches(panel, corrected)


# Corrections that apply to every query


def all_targets(dashboards: dict[str, dict[str, Any]]):
    for slug in DASHBOARD_SLUGS:
        for panel, target in iter_targets(dashboards[slug]):
            yield slug, panel, target


def test_every_range_is_rate_interval(dashboards: dict[str, dict[str, Any]]) -> None:
    windows = {}
    for slug, panel, target in all_targets(dashboards):
        for node in iter_nodes(target["expr"]):
            if isinstance(
                node, promql_parser.MatrixSelector | promql_parser.SubqueryExpr
            ):
                windows[(slug, panel["title"], target["expr"])] = node.range

    assert windows
    assert {key: w for key, w in windows.items() if w != RATE_INTERVAL_SAMPLE} == {}


def unwrap(node: Any) -> Any:
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    return node


def test_percentiles_sum_buckets_by_le(dashboards: dict[str, dict[str, Any]]) -> None:
    quantiles = 0
    for _, panel, target in all_targets(dashboards):
        for node in iter_nodes(target["expr"]):
            if not isinstance(node, promql_parser.Call):
                continue
            if node.func.name != "histogram_quantile":
                continue
            quantiles += 1
            buckets = unwrap(node.args[1])
            assert isinstance(buckets, promql_parser.AggregateExpr), panel["title"]
            assert str(buckets.op) == "sum", panel["title"]
            assert "le" in buckets.modifier.labels, panel["title"]

    assert quantiles >= 8


def is_kubernetes_metric(name: str) -> bool:
    return name.startswith(("container_", "kube_"))


def test_queries_select_service_or_pods(dashboards: dict[str, dict[str, Any]]) -> None:
    selectors = 0
    for _, panel, target in all_targets(dashboards):
        for node in iter_nodes(target["expr"]):
            if not isinstance(node, promql_parser.VectorSelector):
                continue
            selectors += 1
            matchers = query_facts(str(node)).matchers
            required = POD if is_kubernetes_metric(node.name) else SERVICE
            assert set(required) <= matchers, f"{panel['title']}: {node}"

    assert selectors > 50


def test_container_metrics_select_configured_container(
    dashboards: dict[str, dict[str, Any]],
) -> None:
    for _, panel, target in all_targets(dashboards):
        for node in iter_nodes(target["expr"]):
            if not isinstance(node, promql_parser.VectorSelector):
                continue
            if node.name.startswith(("container_", "kube_pod_container_")):
                assert CONTAINER in query_facts(str(node)).matchers, panel["title"]


def test_queries_pass_promtool(
    dashboards: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    # promtool checks each expression with Prometheus' own parser (2.42 here),
    # which may reject what promql_parser accepts.
    seconds = int(RATE_INTERVAL_SAMPLE.total_seconds())
    rules = [
        {
            "record": f"dashboard_query_{index}",
            "expr": target["expr"].replace("$__rate_interval", f"{seconds}s"),
        }
        for index, (_, _, target) in enumerate(all_targets(dashboards))
    ]
    path = tmp_path / "queries.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "queries", "rules": rules}]}))

    result = subprocess.run(
        [PROMTOOL, "check", "rules", str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout


# Panel settings


def test_every_panel_has_unit(dashboards: dict[str, dict[str, Any]]) -> None:
    for slug in DASHBOARD_SLUGS:
        for panel in iter_panels(dashboards[slug]):
            if panel["type"] != "row":
                assert panel["fieldConfig"]["defaults"].get("unit"), panel["title"]


def test_single_value_panels_show_last_value(
    dashboards: dict[str, dict[str, Any]],
) -> None:
    reducing = [
        panel
        for slug in DASHBOARD_SLUGS
        for panel in iter_panels(dashboards[slug])
        if panel["type"] in {"stat", "gauge", "bargauge"}
    ]

    assert reducing
    for panel in reducing:
        calcs = panel["options"]["reduceOptions"]["calcs"]
        assert calcs == ["lastNotNull"], panel["title"]


def test_legends_name_grouping_labels(dashboards: dict[str, dict[str, Any]]) -> None:
    for _, panel, target in all_targets(dashboards):
        if panel["type"] == "table":
            continue
        legend = target.get("legendFormat", "")
        assert legend and legend != "__auto", panel["title"]
        for label in query_facts(target["expr"]).grouping_labels:
            assert f"{{{{{label}}}}}" in legend, f"{panel['title']}: {label}"


def test_panels_are_grouped_in_rows(dashboards: dict[str, dict[str, Any]]) -> None:
    for slug in DASHBOARD_SLUGS:
        panels = dashboards[slug]["panels"]
        rows = [panel for panel in panels if panel["type"] == "row"]

        assert panels[0]["type"] == "row", slug
        assert len(rows) >= 2, slug


# Thresholds and status texts


def test_overall_status_thresholds_and_texts(
    dashboards: dict[str, dict[str, Any]],
) -> None:
    overall = panels_matching(dashboards, OVERALL_STATUS)
    assert overall
    for panel in overall:
        defaults = panel["fieldConfig"]["defaults"]
        steps = defaults["thresholds"]["steps"]
        texts = defaults["mappings"][0]["options"]

        assert [(s["value"], s["color"]) for s in steps] == [
            (None, "red"),
            (0.5, "yellow"),
            (1, "green"),
        ]
        assert texts["1"]["text"] == "Healthy"
        assert texts["0.5"]["text"] == "Degraded"
        assert texts["0"]["text"] == "Unhealthy"


def test_status_panels_map_health_values(
    dashboards: dict[str, dict[str, Any]],
) -> None:
    status_panels = [
        panel
        for slug in DASHBOARD_SLUGS
        for panel, target in iter_targets(dashboards[slug])
        if "health_check_status" in query_facts(target["expr"]).metrics
    ]

    assert len(status_panels) >= 5
    for panel in status_panels:
        assert panel["type"] in STATUS_PANELS, panel["title"]
        texts = panel["fieldConfig"]["defaults"]["mappings"][0]["options"]
        assert {texts[v]["text"] for v in ("0", "0.5", "1")} == {
            "Unhealthy",
            "Degraded",
            "Healthy",
        }


def alert_threshold_cases(service) -> list[tuple[ChecklistQuery, list]]:
    limits = service.thresholds
    latency = ChecklistQuery(
        "p95 request latency",
        "application",
        ("http_request_duration_seconds_bucket",),
        ("sum", ("le",)),
        quantile=0.95,
    )
    errors = ChecklistQuery(
        "check errors",
        "health-checks",
        ("health_check_errors_total",),
        ("sum", ("provider",)),
    )
    return [
        (
            dataclasses.replace(ERROR_RATIO, panel_types=None),
            [None, limits.error_ratio_warning, limits.error_ratio_critical],
        ),
        (
            latency,
            [
                None,
                limits.latency_p95_warning_seconds,
                limits.latency_p95_critical_seconds,
            ],
        ),
        (
            POOL_STATUS,
            [None, limits.pool_utilization_warning, limits.pool_utilization_critical],
        ),
        (TRANSITIONS, [None, limits.health_flapping_transitions_per_second]),
        (errors, [None, limits.health_check_errors_per_second]),
    ]


def assert_alert_thresholds(dashboards: dict[str, dict[str, Any]], service) -> None:
    for expected, values in alert_threshold_cases(service):
        panels = panels_matching(dashboards, expected)
        assert panels, expected.checklist
        for panel in panels:
            assert threshold_values(panel) == values, panel["title"]


def test_alert_thresholds_on_panels(dashboards: dict[str, dict[str, Any]]) -> None:
    assert_alert_thresholds(dashboards, load_service_config(EXAMPLE_CONFIG))


def test_threshold_lines_on_alert_time_series(
    dashboards: dict[str, dict[str, Any]],
) -> None:
    service = load_service_config(EXAMPLE_CONFIG)
    for expected, _ in alert_threshold_cases(service):
        for panel in panels_matching(dashboards, expected):
            if panel["type"] == "timeseries":
                custom = panel["fieldConfig"]["defaults"]["custom"]
                assert custom["thresholdsStyle"]["mode"] == "dashed", panel["title"]


# Another configuration


@pytest.fixture(scope="module")
def other_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["thresholds"].update(
        error_ratio_warning=0.02,
        error_ratio_critical=0.1,
        latency_p95_warning_seconds=0.5,
        latency_p95_critical_seconds=1.5,
        pool_utilization_warning=0.6,
        pool_utilization_critical=0.8,
        health_flapping_transitions_per_second=0.2,
        health_check_errors_per_second=0.05,
    )
    data["health"]["providers"] = {
        "database": {"enabled": False},
        "cache": {"enabled": True},
        "rabbitmq": {"enabled": False},
        "s3": {"enabled": True},
    }
    data["kubernetes"]["container"] = "api"
    # The copy lives elsewhere, so its catalog path must not be relative.
    data["catalog"] = str(REPO / "catalogs/fastapi-template.yaml")
    folder = tmp_path_factory.mktemp("other-service")
    path = folder / "service.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def other_dashboards(other_config: Path) -> dict[str, dict[str, Any]]:
    # Dashboards only: the rules are not under test here.
    no_rules = other_config.parent / "rules"
    no_rules.mkdir()
    bundle = build_bundle(other_config, no_rules, REPO / "dashboards")
    return {Path(path).stem: document for path, document in bundle.dashboards}


def test_thresholds_follow_configuration(
    other_dashboards: dict[str, dict[str, Any]], other_config: Path
) -> None:
    assert_alert_thresholds(other_dashboards, load_service_config(other_config))


def test_provider_panels_follow_enabled_providers(
    other_dashboards: dict[str, dict[str, Any]],
) -> None:
    providers = set()
    for panel, target in iter_targets(other_dashboards["dependencies"]):
        if panel["type"] != "stat":
            continue
        for name, op, value in query_facts(target["expr"]).matchers:
            if name == "provider" and op == "=":
                providers.add(value)

    assert providers == {"cache", "s3"}


def test_database_status_needs_enabled_provider(
    other_dashboards: dict[str, dict[str, Any]],
) -> None:
    metrics = [
        query_facts(target["expr"]).metrics
        for _, target in iter_targets(other_dashboards["database"])
    ]

    assert all("health_check_status" not in found for found in metrics)
    assert any("database_pool_checkedout" in found for found in metrics)


def test_container_follows_configuration(
    other_dashboards: dict[str, dict[str, Any]],
) -> None:
    containers = {
        value
        for _, target in iter_targets(other_dashboards["infrastructure"])
        for name, _, value in query_facts(target["expr"]).matchers
        if name == "container"
    }

    assert containers == {"api"}
