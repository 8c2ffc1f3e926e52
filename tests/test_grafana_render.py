"""The Grafana renderer's checks and layout, and the obsgen.panels helpers."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import promql_parser
import pytest
from grafana_foundation_sdk.builders import dashboard
from grafana_foundation_sdk.models.common import DataSourceRef

from obsgen import ServiceConfig, grafana_dashboard
from obsgen.config import load_service_config
from obsgen.errors import EXIT_INVALID_INPUT, DefinitionError
from obsgen.panels import (
    label_matcher,
    new_dashboard,
    pod_series,
    query,
    ratio,
    stat_panel,
    sum_rate,
    timeseries_panel,
)
from obsgen.render.grafana import render_dashboard, sample_interpolation
from tests.dashboard_support import EXAMPLE_CONFIG, REPO, iter_panels


@pytest.fixture(scope="module")
def service() -> ServiceConfig:
    return load_service_config(EXAMPLE_CONFIG)


def render(service: ServiceConfig, *panels: Any, rows: Any = ()) -> dict[str, Any]:
    @grafana_dashboard("render-test")
    def definition(service: ServiceConfig) -> dashboard.Dashboard:
        board = new_dashboard(service, "Render test", "Renderer test dashboard.")
        for panel in panels:
            board = board.with_panel(panel)
        for row in rows:
            board = board.with_row(row)
        return board

    return render_dashboard(definition, definition.build(service), service)


def line_of(text: str) -> int:
    """Return the line of this file where `text` first appears in a string."""
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if f'"{text}"' in line)


def variable_names(document: dict[str, Any]) -> list[str]:
    return [variable["name"] for variable in document["templating"]["list"]]


# Query checks


def test_invalid_promql_is_rejected(service: ServiceConfig) -> None:
    panel = timeseries_panel("Broken", "short", query("sum(rate(x[$__rate_interval])"))

    with pytest.raises(DefinitionError) as caught:
        render(service, panel)

    assert "panel 'Broken'" in caught.value.message
    assert "invalid PromQL" in caught.value.message
    assert caught.value.location.path == __file__
    assert caught.value.location.line == line_of("Broken")


def test_undefined_variable_is_rejected(service: ServiceConfig) -> None:
    panel = timeseries_panel("Regional", "short", query('up{region="$region"}'))

    with pytest.raises(DefinitionError) as caught:
        render(service, panel)

    assert "$region" in caught.value.message
    assert "panel 'Regional'" in caught.value.message
    assert caught.value.location.line == line_of("Regional")


def test_label_replace_group_is_no_variable(service: ServiceConfig) -> None:
    expr = 'label_replace(up{job="$job"}, "class", "${1}xx", "code", "(.)..")'

    document = render(service, timeseries_panel("Classes", "short", query(expr)))

    assert "1" not in variable_names(document)


def test_datasource_without_type_is_rejected(service: ServiceConfig) -> None:
    panel = timeseries_panel("Untyped", "short", query("up")).datasource(
        DataSourceRef(uid="prometheus")
    )

    with pytest.raises(DefinitionError) as caught:
        render(service, panel)

    assert "lacks a type or uid" in caught.value.message


def test_sample_interpolation_replaces_interval_variables() -> None:
    expr = "rate(x[$__rate_interval]) * ${__range_s} / $__interval_ms + $__rangex"

    assert sample_interpolation(expr) == "rate(x[1m]) * 3600 / 60000 + $__rangex"


def test_build_reports_broken_dashboard(tmp_path: Path) -> None:
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    (tmp_path / "rules").mkdir()
    (dashboards / "broken.py").write_text(
        "from obsgen import grafana_dashboard\n"
        "from obsgen.panels import new_dashboard, query, timeseries_panel\n"
        "\n"
        "\n"
        '@grafana_dashboard("broken")\n'
        "def broken(service):\n"
        '    board = new_dashboard(service, "Broken", "A broken dashboard.")\n'
        '    return board.with_panel(timeseries_panel("P", "short", query("sum(")))\n',
        encoding="utf-8",
    )

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "obsgen",
            "build",
            "--config",
            str(EXAMPLE_CONFIG),
            "--rules",
            str(tmp_path / "rules"),
            "--dashboards",
            str(dashboards),
            "--out",
            str(tmp_path / "bundle"),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == EXIT_INVALID_INPUT
    assert result.stderr.startswith("error: query 1 of panel 'P'")
    assert f"at {dashboards / 'broken.py'}:8" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "bundle").exists()


# Rows, ids and layout


def test_open_row_panels_move_to_top_level(service: ServiceConfig) -> None:
    row = dashboard.Row("Open").with_panel(stat_panel("Inside", "short", query("up")))
    row = row.collapsed(False)

    document = render(service, rows=[row])

    assert [p["type"] for p in document["panels"]] == ["row", "stat"]
    assert document["panels"][0]["panels"] == []
    assert document["panels"][1]["gridPos"]["y"] == 1


def test_collapsed_row_keeps_panels(service: ServiceConfig) -> None:
    row = dashboard.Row("Closed").with_panel(stat_panel("Inside", "short", query("up")))

    document = render(service, stat_panel("Before", "short", query("up")), rows=[row])
    panels = list(iter_panels(document))

    assert [p["type"] for p in document["panels"]] == ["stat", "row"]
    assert [p["id"] for p in panels] == [1, 2, 3]
    assert panels[2]["gridPos"]["y"] == panels[1]["gridPos"]["y"] + 1


def test_panels_wrap_at_grid_width(service: ServiceConfig) -> None:
    panels = [stat_panel(f"S{i}", "short", query("up")).span(10) for i in range(3)]

    document = render(service, *panels)
    positions = [(p["gridPos"]["x"], p["gridPos"]["y"]) for p in document["panels"]]

    assert positions == [(0, 0), (10, 0), (0, 9)]


# Variables


def test_variables_follow_queries(service: ServiceConfig) -> None:
    plain = render(service, stat_panel("Up", "short", query("up")))
    pods = render(service, stat_panel("Pods", "short", query(pod_series("x"))))

    assert variable_names(plain) == ["datasource"]
    assert variable_names(pods) == ["datasource", "job", "namespace", "pod"]


def test_pod_all_value_is_escaped_regex(service: ServiceConfig) -> None:
    service = dataclasses.replace(service, pod_regex=r'api-\d+"x')

    document = render(service, stat_panel("Pods", "short", query(pod_series("x"))))
    pod = document["templating"]["list"][-1]
    expr = pod_series("x").replace("$pod", pod["allValue"])
    matchers = promql_parser.parse(expr).matchers.matchers

    assert pod["allValue"] == r"api-\\d+\"x"
    assert matchers[-1].value == r'api-\d+"x'


# obsgen.panels


def test_label_matcher_quotes_value() -> None:
    value = 'api "main" \\ ü'

    selector = promql_parser.parse(f"up{{{label_matcher('container', value)}}}")

    assert selector.matchers.matchers[0].value == value


def test_ratio_parses_with_aggregations() -> None:
    expr = ratio(sum_rate("a_total", 'code="5"'), sum_rate("a_total"))

    parsed = promql_parser.parse(sample_interpolation(expr))

    assert str(parsed.op) == "/"
