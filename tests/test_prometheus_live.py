"""The bundle against a real Prometheus that scrapes the real `/metrics` capture.

Prometheus loads every rule file of the bundle, scrapes the FastAPI template's
capture every second, with its counters advancing so that rates are not 0,
and evaluates every group every second. Then every rule
must be healthy, and every dashboard query must run. A query must also return
data when each of its selectors, run on its own, returns series: the capture
has the metric with those labels, or a recording rule of the bundle has
written it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from obsgen.config import ServiceConfig
from tests.support.advancing import advancing_capture
from tests.support.bundle import rule_files, rule_groups
from tests.support.dashboards import (
    current_values,
    dashboard_queries,
    load_dashboards,
    query_variables,
)
from tests.support.grafana_variables import (
    UndefinedVariableError,
    VariableValue,
    builtin_variables,
    substitute_variables,
)
from tests.support.metrics_server import MetricsServer
from tests.support.prometheus import PrometheusError, PrometheusServer, ScrapeTarget
from tests.support.query_check import (
    QueryOutcome,
    capture_metric_names,
    classify_metrics,
    evaluate,
    report,
)

SCRAPE_INTERVAL_SECONDS = 1
# Grafana's $__rate_interval for a 1s scrape interval and a 1s $__interval:
# max($__interval + scrape interval, 4 * scrape interval).
RATE_INTERVAL_SECONDS = 4 * SCRAPE_INTERVAL_SECONDS
RANGE_SECONDS = 3600
# The maximum wait for queries to return data, for all queries together.
DATA_TIMEOUT_SECONDS = 20.0

LABEL_VALUES_RE = re.compile(
    r"^\s*label_values\((?P<selector>.+),\s*(?P<label>\w+)\s*\)\s*$", re.DOTALL
)
LABEL_VALUES_ONLY_RE = re.compile(r"^\s*label_values\(\s*(?P<label>\w+)\s*\)\s*$")
QUERY_RESULT_RE = re.compile(r"^\s*query_result\((?P<expr>.+)\)\s*$", re.DOTALL)


@dataclass
class LivePrometheus:
    server: PrometheusServer
    groups: list[dict[str, Any]]


@pytest.fixture(scope="module")
def live(
    example_bundle: Path,
    capture_text: str,
    service_config: ServiceConfig,
    prometheus_binary: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LivePrometheus]:
    with MetricsServer(advancing_capture(capture_text)) as metrics:
        target = ScrapeTarget(
            address=metrics.address,
            job=service_config.job,
            namespace=service_config.namespace,
        )
        server = PrometheusServer(
            rule_files=rule_files(example_bundle),
            target=target,
            work_dir=tmp_path_factory.mktemp("prometheus-live"),
            scrape_interval=f"{SCRAPE_INTERVAL_SECONDS}s",
            evaluation_interval=f"{SCRAPE_INTERVAL_SECONDS}s",
            rule_group_interval=f"{SCRAPE_INTERVAL_SECONDS}s",
        )
        with server:
            # rate() over $__rate_interval needs two samples inside it. The rules
            # are then evaluated twice more on top of those samples.
            server.wait_for_samples(2, f"{RATE_INTERVAL_SECONDS}s")
            groups = server.wait_for_rule_evaluations(2)
            yield LivePrometheus(server, groups)


def variable_values(
    document: dict[str, Any], service_config: ServiceConfig
) -> dict[str, VariableValue]:
    """Return the values a dashboard's variables take for the example service."""
    return {
        **current_values(document),
        "job": service_config.job,
        "namespace": service_config.namespace,
        # The pod variable's "All" choice is a regex. The service's pod regex
        # is the narrowest one that still selects every pod.
        "pod": service_config.pod_regex,
        **builtin_variables(
            rate_interval_seconds=RATE_INTERVAL_SECONDS,
            interval_seconds=SCRAPE_INTERVAL_SECONDS,
            range_seconds=RANGE_SECONDS,
        ),
    }


def recorded_names(bundle_dir: Path) -> set[str]:
    return {
        rule["record"]
        for path in rule_files(bundle_dir)
        for group in rule_groups(path)
        for rule in group.get("rules") or []
        if "record" in rule
    }


@pytest.fixture(scope="module")
def query_outcomes(
    live: LivePrometheus,
    example_bundle: Path,
    capture_text: str,
    service_config: ServiceConfig,
) -> list[QueryOutcome]:
    capture_names = capture_metric_names(capture_text)
    recorded = recorded_names(example_bundle)
    outcomes = []
    for name, document in load_dashboards(example_bundle):
        values = variable_values(document, service_config)
        for query in dashboard_queries(name, document):
            outcome = QueryOutcome(label=str(query), expr=query.expr)
            try:
                outcome.expr = substitute_variables(query.expr, values)
            except UndefinedVariableError as error:
                outcome.error = str(error)
                outcomes.append(outcome)
                continue
            outcomes.append(evaluate(live.server, outcome))
            if outcome.error is None:
                outcome.metric_sources = classify_metrics(
                    outcome.expr, capture_names, recorded
                )
    return outcomes


def test_every_rule_group_loaded(live: LivePrometheus) -> None:
    expected = {}
    for path in live.server.rule_files:
        for group in rule_groups(path):
            names = [rule.get("alert") or rule.get("record") for rule in group["rules"]]
            expected[(str(path), group["name"])] = names

    loaded = {
        (group["file"], group["name"]): [rule["name"] for rule in group["rules"]]
        for group in live.groups
    }

    assert expected, "the bundle has no rule groups"
    assert sorted(loaded) == sorted(expected)
    assert loaded == expected


def test_every_rule_healthy(live: LivePrometheus) -> None:
    unhealthy = [
        f"{group['name']} / {rule['name']}: health={rule['health']} "
        f"lastError={rule.get('lastError')!r}\n    {rule['query']}"
        for group in live.groups
        for rule in group["rules"]
        if rule["health"] != "ok" or rule.get("lastError")
    ]
    rule_count = sum(len(group["rules"]) for group in live.groups)

    assert rule_count > 0
    assert not unhealthy, "unhealthy rules:\n" + "\n".join(unhealthy)


def test_bundle_has_dashboard_queries(example_bundle: Path) -> None:
    dashboards = load_dashboards(example_bundle)
    queries = [
        query
        for name, document in dashboards
        for query in dashboard_queries(name, document)
    ]

    assert dashboards, "the bundle has no grafana/dashboards/*.json"
    assert queries, "no dashboard panel has a Prometheus query"


def test_dashboard_queries_succeed(query_outcomes: list[QueryOutcome]) -> None:
    failed = [outcome for outcome in query_outcomes if outcome.error is not None]

    assert not failed, (
        f"{len(failed)} of {len(query_outcomes)} dashboard queries failed:\n"
        f"{report(failed)}\n\nall queries:\n{report(query_outcomes)}"
    )


def test_dashboard_queries_return_data(
    live: LivePrometheus, query_outcomes: list[QueryOutcome]
) -> None:
    deadline = time.monotonic() + DATA_TIMEOUT_SECONDS
    waiting = [o for o in query_outcomes if o.expects_data and o.series == 0]
    # Recorded series appear one evaluation after their inputs, so an empty
    # result is retried until the deadline.
    while waiting and time.monotonic() < deadline:
        time.sleep(0.5)
        waiting = [
            outcome
            for outcome in waiting
            if evaluate(live.server, outcome).expects_data and outcome.series == 0
        ]

    assert not waiting, (
        f"{len(waiting)} dashboard queries returned no data although each of their "
        f"selectors has series:\n{report(waiting)}\n\nall queries:\n"
        f"{report(query_outcomes)}"
    )


def label_values(server: PrometheusServer, query: str) -> tuple[list[str], str | None]:
    """Run a Grafana variable query and return its values and its selector."""
    if match := LABEL_VALUES_RE.match(query):
        label = match["label"]
        result = server.query(match["selector"])
        values = {
            series["metric"][label] for series in result if label in series["metric"]
        }
        return sorted(values), match["selector"]
    if match := LABEL_VALUES_ONLY_RE.match(query):
        return sorted(server.api(f"/api/v1/label/{match['label']}/values")), None
    if match := QUERY_RESULT_RE.match(query):
        result = server.query(match["expr"])
        return [str(series["metric"]) for series in result], match["expr"]
    raise ValueError(
        f"unsupported variable query {query!r}. The test supports "
        "label_values(selector, label), label_values(label) and query_result(expr)"
    )


def test_query_variables_resolve(
    live: LivePrometheus, example_bundle: Path, service_config: ServiceConfig
) -> None:
    checked = 0
    for name, document in load_dashboards(example_bundle):
        values = variable_values(document, service_config)
        for variable in query_variables(name, document):
            where = f"{name} variable {variable.name!r} ({variable.query!r})"
            query = substitute_variables(variable.query, values)
            try:
                options, selector = label_values(live.server, query)
            except (PrometheusError, ValueError) as error:
                pytest.fail(f"{where} failed: {error}")
            checked += 1

            if selector is None or not live.server.query(selector):
                # Nothing to select from: the capture lacks this variable's
                # series, such as kube-state-metrics' kube_pod_info.
                continue
            assert options, f"{where} returned no values"
            expected = values.get(variable.name)
            if isinstance(expected, str):
                # The configured value, or the pod regex, must be selectable.
                assert any(re.fullmatch(expected, option) for option in options), (
                    f"{where} returned {options}, none matching {expected!r}"
                )

    assert checked > 0 or not load_dashboards(example_bundle)
