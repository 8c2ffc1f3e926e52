"""A throwaway bundle project: configuration, rule and dashboard modules."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = ROOT / "examples" / "example-service" / "service.yaml"
CATALOG = ROOT / "catalogs" / "fastapi-template.yaml"
FIXTURE_DASHBOARDS = ROOT / "tests" / "fixtures" / "dashboards"


class Project:
    """A project folder with `service.yaml`, `rules/` and `dashboards/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rules = root / "rules"
        self.dashboards = root / "dashboards"
        self.config = root / "service.yaml"
        self.out = root / "bundle"

    def write_config(self, replacements: dict[str, str] | None = None) -> None:
        text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
        text = text.replace("../../catalogs/fastapi-template.yaml", str(CATALOG))
        for old, new in (replacements or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        self.config.write_text(text, encoding="utf-8")

    def write_rules(self, name: str, source: str) -> Path:
        self.rules.mkdir(exist_ok=True)
        path = self.rules / f"{name}.py"
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
        return path

    def write_dashboard(self, name: str, source: str) -> Path:
        self.dashboards.mkdir(exist_ok=True)
        path = self.dashboards / f"{name}.py"
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
        return path

    def copy_fixture_dashboard(
        self, replacements: dict[str, str] | None = None
    ) -> Path:
        self.dashboards.mkdir(exist_ok=True)
        text = (FIXTURE_DASHBOARDS / "traffic.py").read_text(encoding="utf-8")
        for old, new in (replacements or {}).items():
            assert old in text, old
            text = text.replace(old, new)
        path = self.dashboards / "traffic.py"
        path.write_text(text, encoding="utf-8")
        return path

    def copy_example_rules(self) -> None:
        shutil.copytree(ROOT / "rules", self.rules, dirs_exist_ok=True)

    def args(self) -> list[str]:
        return [
            "--config",
            str(self.config),
            "--rules",
            str(self.rules),
            "--dashboards",
            str(self.dashboards),
        ]

    def line_of(self, path: Path, text: str) -> int:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if text in line:
                return number
        raise AssertionError(f"{text!r} not in {path}")


CLEAN_RULES = """
    from obsgen import AlertingRule, ExpectedAlert, RecordingRule, fires, rule_group
    from obsgen import stays_silent
    from obsgen.definitions.shapes import healthy_traffic, no_traffic


    @rule_group("demo")
    def demo(service):
        sel = service.selector
        yield RecordingRule(
            record="namespace_job:http_requests:rate5m",
            expr=f"sum by (namespace, job) (rate(http_requests_total{{{sel}}}[5m]))",
        )
        yield AlertingRule(
            alert="NoTraffic",
            expr=f"namespace_job:http_requests:rate5m{{{sel}}} == 0",
            for_="10m",
            labels=service.alert_labels("warning"),
            annotations={
                "summary": "No traffic in {{ $labels.namespace }}",
                "description": "The service received no request for 10 minutes.",
                "runbook_url": service.runbook_url("no-traffic"),
            },
            scenarios=[
                fires(
                    "requests stop",
                    series=no_traffic(service),
                    at="30m",
                    alerts=ExpectedAlert(
                        labels={"namespace": service.namespace, "job": service.job},
                        annotations={"summary": f"No traffic in {service.namespace}"},
                    ),
                ),
                stays_silent(
                    "steady traffic", series=healthy_traffic(service), at="30m"
                ),
            ],
        )
"""
