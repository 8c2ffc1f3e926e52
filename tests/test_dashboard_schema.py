"""The built dashboards against Grafana's published dashboard JSON schemas.

The schemas (Draft 7, schemaVersion 42) come from the grafana-foundation-sdk
repository and are kept outside this project, beside the repository.
dashboard.jsonschema.json covers the dashboard and panel frame. One file per
panel kind covers `options` and `fieldConfig.defaults.custom`, and
prometheus.jsonschema.json covers each query. The structural rules obsgen
adds (uid, ids, layout, datasources, variables) are checked here as well.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from obsgen.render.grafana import variables_in
from tests.dashboard_support import (
    DASHBOARD_SLUGS,
    cli_bundle,
    iter_panels,
    iter_targets,
)

SCHEMA_DIR = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "grafana-dashboard-schema"
)

# Panel type ids and the schema file of each kind.
PANEL_SCHEMAS = {
    "bargauge": "bargauge",
    "gauge": "gauge",
    "heatmap": "heatmap",
    "histogram": "histogram",
    "piechart": "piechart",
    "stat": "stat",
    "state-timeline": "statetimeline",
    "status-history": "statushistory",
    "table": "table",
    "text": "text",
    "timeseries": "timeseries",
}

UID_RE = re.compile(r"^[a-z0-9-]{1,40}$")
GRID_COLUMNS = 24

# Variables that obsgen adds, and the ones each variable's query uses.
SERVICE_VARIABLES = ("job", "namespace", "pod")


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    if not (SCHEMA_DIR / "dashboard.jsonschema.json").is_file():
        pytest.fail(
            f"Grafana dashboard schemas not found in {SCHEMA_DIR}; they are "
            "expected in shared/reference/grafana-dashboard-schema beside the "
            "repository"
        )
    return SCHEMA_DIR


@pytest.fixture(scope="session")
def dashboards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return cli_bundle(tmp_path_factory.getbasetemp() / "cli-bundle")


@cache
def load_schema(directory: Path, name: str) -> dict[str, Any]:
    return json.loads((directory / f"{name}.jsonschema.json").read_text("utf-8"))


def validator_for(directory: Path, name: str, definition: str | None = None):
    """Return a Draft 7 validator for a schema file or one of its definitions."""
    schema = load_schema(directory, name)
    if definition is not None:
        schema = {
            "$ref": f"#/definitions/{definition}",
            "definitions": schema["definitions"],
        }
    return jsonschema.Draft7Validator(schema)


def schema_errors(validator: jsonschema.Draft7Validator, instance: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def unit_ids(directory: Path) -> set[str]:
    units = load_schema(directory, "units")["definitions"].values()
    return {unit["const"] for unit in units if "const" in unit}


def content_panels(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in iter_panels(document) if panel["type"] != "row"]


def panel_errors(directory: Path, panel: dict[str, Any]) -> list[str]:
    """Validate a panel's options and custom field config against its kind."""
    kind = PANEL_SCHEMAS.get(panel["type"])
    if kind is None:
        return [f"no schema file for panel type {panel['type']!r}"]
    errors = schema_errors(
        validator_for(directory, kind, "Options"), panel.get("options", {})
    )
    custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
    definitions = load_schema(directory, kind)["definitions"]
    if "FieldConfig" in definitions:
        custom_validator = validator_for(directory, kind, "FieldConfig")
        errors += schema_errors(custom_validator, custom or {})
    elif custom:
        errors.append(f"{panel['type']} panels take no custom field config")
    return errors


# The oracle itself


def test_schemas_reject_invalid_documents(
    schema_dir: Path, dashboards: dict[str, dict[str, Any]]
) -> None:
    document = copy.deepcopy(dashboards["health-checks"])
    document["id"] = "1"
    assert schema_errors(validator_for(schema_dir, "dashboard"), document)

    stat = copy.deepcopy(
        next(p for p in content_panels(document) if p["type"] == "stat")
    )
    del stat["options"]["reduceOptions"]
    assert panel_errors(schema_dir, stat)

    target = copy.deepcopy(stat["targets"][0])
    target["expression"] = target.pop("expr")
    assert schema_errors(validator_for(schema_dir, "prometheus"), target)


# Schemas


def test_build_writes_every_dashboard(dashboards: dict[str, dict[str, Any]]) -> None:
    assert tuple(sorted(dashboards)) == DASHBOARD_SLUGS


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_dashboard_matches_schema(
    schema_dir: Path, dashboards: dict[str, dict[str, Any]], slug: str
) -> None:
    errors = schema_errors(validator_for(schema_dir, "dashboard"), dashboards[slug])

    assert errors == []


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_panel_options_match_kind_schema(
    schema_dir: Path, dashboards: dict[str, dict[str, Any]], slug: str
) -> None:
    errors = {
        panel["title"]: panel_errors(schema_dir, panel)
        for panel in content_panels(dashboards[slug])
    }

    assert {title: found for title, found in errors.items() if found} == {}


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_targets_match_prometheus_schema(
    schema_dir: Path, dashboards: dict[str, dict[str, Any]], slug: str
) -> None:
    validator = validator_for(schema_dir, "prometheus")
    targets = list(iter_targets(dashboards[slug]))
    errors = {
        f"{panel['title']} {target.get('refId')}": schema_errors(validator, target)
        for panel, target in targets
    }

    assert targets
    assert {name: found for name, found in errors.items() if found} == {}


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_panel_units_are_grafana_units(
    schema_dir: Path, dashboards: dict[str, dict[str, Any]], slug: str
) -> None:
    known = unit_ids(schema_dir)
    units = {
        panel["title"]: panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        for panel in content_panels(dashboards[slug])
    }

    assert {title: unit for title, unit in units.items() if unit not in known} == {}


# Structure that obsgen adds


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_uid_and_id(dashboards: dict[str, dict[str, Any]], slug: str) -> None:
    document = dashboards[slug]

    assert UID_RE.match(document["uid"])
    assert "id" in document
    assert document["id"] is None


def test_uids_are_unique(dashboards: dict[str, dict[str, Any]]) -> None:
    uids = [document["uid"] for document in dashboards.values()]

    assert len(set(uids)) == len(uids)


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_panel_ids_are_unique(dashboards: dict[str, dict[str, Any]], slug: str) -> None:
    ids = [panel.get("id") for panel in iter_panels(dashboards[slug])]

    assert all(isinstance(panel_id, int) for panel_id in ids)
    assert len(set(ids)) == len(ids)


def grid_cells(panel: dict[str, Any]) -> set[tuple[int, int]]:
    pos = panel["gridPos"]
    return {
        (x, y)
        for x in range(pos["x"], pos["x"] + pos["w"])
        for y in range(pos["y"], pos["y"] + pos["h"])
    }


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_panels_fit_grid_without_overlap(
    dashboards: dict[str, dict[str, Any]], slug: str
) -> None:
    # Panels of a collapsed row take their place below it only when it is
    # expanded, so each collapsed row is a layout of its own.
    document = dashboards[slug]
    layouts = [document["panels"]] + [
        panel["panels"] for panel in document["panels"] if panel.get("collapsed")
    ]
    for panels in layouts:
        occupied_by: dict[tuple[int, int], str] = {}
        for panel in panels:
            pos = panel["gridPos"]
            assert pos["x"] >= 0, panel["title"]
            assert pos["w"] >= 1, panel["title"]
            assert pos["x"] + pos["w"] <= GRID_COLUMNS, panel["title"]
            for cell in grid_cells(panel):
                owner = occupied_by.get(cell)
                assert owner is None, f"{panel['title']} overlaps {owner}"
                occupied_by[cell] = panel["title"]


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_panels_and_targets_reference_datasource(
    dashboards: dict[str, dict[str, Any]], slug: str
) -> None:
    for panel in content_panels(dashboards[slug]):
        assert set(panel["datasource"]) == {"type", "uid"}, panel["title"]
        assert panel["datasource"]["type"] == "prometheus", panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"], panel["title"]


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_datasource_variable(dashboards: dict[str, dict[str, Any]], slug: str) -> None:
    variables = {v["name"]: v for v in dashboards[slug]["templating"]["list"]}

    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"


def variables_used_by_panels(document: dict[str, Any]) -> set[str]:
    used = set()
    for panel in iter_panels(document):
        used |= variables_in(panel.get("title", ""))
        for target in panel.get("targets", []):
            used |= variables_in(target.get("expr", ""))
            used |= variables_in(target.get("legendFormat", ""))
    return used


@pytest.mark.parametrize("slug", DASHBOARD_SLUGS)
def test_service_variables_exist_where_used(
    dashboards: dict[str, dict[str, Any]], slug: str
) -> None:
    document = dashboards[slug]
    variables = {v["name"]: v for v in document["templating"]["list"]}
    # A variable is needed when a panel uses it or a needed variable's query does.
    needed = variables_used_by_panels(document)
    for variable in reversed(document["templating"]["list"]):
        if variable["name"] in needed:
            needed |= variables_in(variable.get("query", "") or "")

    for name in SERVICE_VARIABLES:
        assert (name in variables) == (name in needed), name


def test_pod_variable_only_on_pod_dashboards(
    dashboards: dict[str, dict[str, Any]],
) -> None:
    with_pod = {
        slug
        for slug, document in dashboards.items()
        if any(v["name"] == "pod" for v in document["templating"]["list"])
    }

    assert with_pod == {"infrastructure"}


def test_pod_variable_all_means_service_pods(
    dashboards: dict[str, dict[str, Any]],
) -> None:
    variables = dashboards["infrastructure"]["templating"]["list"]
    pod = next(v for v in variables if v["name"] == "pod")

    assert pod["includeAll"] is True
    assert pod["multi"] is True
    assert pod["allValue"] == "example-service-.*"
    assert 'pod=~"example-service-.*"' in pod["query"]
