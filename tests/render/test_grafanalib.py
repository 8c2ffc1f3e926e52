"""grafanalib dashboards: upgraded to obsgen's model, then checked like its own."""

from __future__ import annotations

import json

import jsonschema
import pytest

from obsgen.bundle.build import build_bundle
from obsgen.lint.bundle import lint_bundle
from obsgen.render.legacy import upgrade_dashboard
from tests.support.project import ROOT, Project

GRAFANA_SCHEMA = (
    ROOT.parent
    / "shared"
    / "reference"
    / "grafana-dashboard-schema"
    / "dashboard.jsonschema.json"
)

LEGACY_DASHBOARD = """
import grafanalib.core as G

from obsgen import grafana_dashboard

SELECTOR = 'job="$job", namespace="$namespace"'


@grafana_dashboard("legacy")
def legacy(service):
    return G.Dashboard(
        title=f"{service.name} / Legacy",
        uid="replaced-by-obsgen",
        templating=G.Templating(list=[
            G.Template(
                name="instance",
                query=f"label_values(up{{{SELECTOR}}}, instance)",
                dataSource="Prometheus",
                includeAll=True,
            ),
        ]),
        rows=[
            G.Row(title="Traffic", showTitle=True, height=G.Pixels(300), panels=[
                G.Graph(
                    title="Request rate",
                    dataSource="Prometheus",
                    targets=[G.Target(
                        expr="sum by (method) (rate(http_requests_total"
                        f"{{{SELECTOR}}}[$__rate_interval]))",
                        legendFormat="{{method}}",
                        refId="A",
                    )],
                    yAxes=G.YAxes(G.YAxis(format="reqps")),
                    span=8,
                ),
                G.SingleStat(
                    title="Targets up",
                    dataSource="Prometheus",
                    targets=[G.Target(expr='sum(up{job="$job"})', refId="A")],
                    format="none",
                    span=4,
                ),
            ]),
            G.Row(title="Health", showTitle=True, panels=[
                G.Graph(
                    title="Health status",
                    dataSource="Prometheus",
                    targets=[
                        G.Target(expr=f"health_check_status{{{SELECTOR}}}", refId="A")
                    ],
                    yAxes=G.YAxes(G.YAxis(format="none")),
                ),
            ]),
        ],
    ).auto_panel_ids()
"""

MODERN_DASHBOARD = """
import grafanalib.core as G

from obsgen import grafana_dashboard


@grafana_dashboard("modern")
def modern(service):
    return G.Dashboard(
        title=f"{service.name} / Modern",
        panels=[
            G.TimeSeries(
                title="Memory",
                dataSource="Prometheus",
                targets=[
                    G.Target(
                        expr="sum(container_memory_working_set_bytes"
                        '{namespace="$namespace", pod=~"$pod"})',
                        refId="A",
                    )
                ],
                gridPos=G.GridPos(h=8, w=12, x=0, y=0),
            ),
        ],
    ).auto_panel_ids()
"""


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path)
    project.write_config()
    project.rules.mkdir()
    (project.rules / "none.py").write_text("")
    return project


def _bundle(project: Project):
    return build_bundle(
        project.config,
        project.rules,
        project.dashboards,
        run_checks=False,
    )


def _nulls(value, path=""):
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nulls(item, f"{path}[{index}]")


def _panels(document):
    for panel in document["panels"]:
        yield panel
        yield from panel.get("panels", [])


def test_legacy_dashboard_upgraded(project):
    project.write_dashboard("legacy", LEGACY_DASHBOARD)
    bundle = _bundle(project)
    document = json.loads(bundle.files["grafana/dashboards/legacy.json"])
    assert document["schemaVersion"] == 42
    assert document["uid"] == "example-service-legacy"
    assert "rows" not in document
    assert list(_nulls(document)) == [".id"]

    panels = list(_panels(document))
    assert [panel["type"] for panel in panels] == [
        "row",
        "timeseries",
        "stat",
        "row",
        "timeseries",
    ]
    assert [panel["id"] for panel in panels] == [1, 2, 3, 4, 5]
    # grafanalib gives a row's only panel span 12, the full width.
    assert [panel["gridPos"]["w"] for panel in panels] == [24, 16, 8, 24, 24]
    assert panels[1]["gridPos"]["h"] == 8
    assert panels[1]["fieldConfig"]["defaults"]["unit"] == "reqps"
    assert panels[2]["fieldConfig"]["defaults"]["unit"] == "none"
    for panel in panels[1:3]:
        for legacy_key in ("span", "yaxes", "isNew"):
            assert legacy_key not in panel
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"][0]["datasource"] == panel["datasource"]
        assert "intervalFactor" not in panel["targets"][0]

    variables = {v["name"]: v for v in document["templating"]["list"]}
    assert variables["instance"]["datasource"] == {
        "type": "prometheus",
        "uid": "${datasource}",
    }
    assert {"datasource", "job", "namespace", "instance"} <= set(variables)


def test_legacy_dashboard_passes_lint(project):
    project.write_dashboard("legacy", LEGACY_DASHBOARD)
    assert lint_bundle(_bundle(project)) == []


def test_upgraded_dashboard_matches_grafana_schema(project):
    project.write_dashboard("legacy", LEGACY_DASHBOARD)
    project.write_dashboard("modern", MODERN_DASHBOARD)
    schema = json.loads(GRAFANA_SCHEMA.read_text(encoding="utf-8"))
    bundle = _bundle(project)
    for name in ("legacy", "modern"):
        document = json.loads(bundle.files[f"grafana/dashboards/{name}.json"])
        jsonschema.Draft7Validator(schema).validate(document)


def test_grafanalib_findings_point_at_definition(project):
    path = project.write_dashboard("modern", MODERN_DASHBOARD)
    problems = lint_bundle(_bundle(project))
    assert [problem.check for problem in problems] == ["dashboards/panel-unit"]
    assert problems[0].path.endswith("dashboards/modern.py")
    assert problems[0].line == project.line_of(path, 'title="Memory"')


def test_upgrade_keeps_modern_references():
    document = {
        "title": "T",
        "rows": [],
        "panels": [
            {
                "type": "timeseries",
                "title": "A",
                "datasource": {"type": "prometheus", "uid": "main"},
                "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
                "targets": [{"refId": "A", "expr": "up", "step": 10}],
            }
        ],
        "schemaVersion": 12,
        "hideControls": False,
    }
    upgraded = upgrade_dashboard(document)
    [panel] = upgraded["panels"]
    assert panel["datasource"] == {"type": "prometheus", "uid": "main"}
    assert panel["targets"] == [
        {
            "refId": "A",
            "expr": "up",
            "datasource": {"type": "prometheus", "uid": "main"},
        }
    ]
    assert "schemaVersion" not in upgraded
    assert "hideControls" not in upgraded
