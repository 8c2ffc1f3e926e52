"""The bundle's README: a Markdown index for reviewers of the infra repo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from obsgen.config.service import ServiceConfig


@dataclass(frozen=True)
class AlertEntry:
    name: str
    scope: str
    severity: str
    threshold: str
    for_: str
    summary: str
    runbook_url: str
    file: str


@dataclass(frozen=True)
class RecordingRuleEntry:
    name: str
    group: str
    file: str


@dataclass(frozen=True)
class PanelEntry:
    title: str
    type: str
    unit: str


@dataclass(frozen=True)
class DashboardEntry:
    title: str
    uid: str
    file: str
    panels: tuple[PanelEntry, ...]


def _markdown_cell(value: Any) -> str:
    """Escape a value for a Markdown table cell: it is data, never markup."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")
    return " ".join(text.split())


def _markdown_url(value: str) -> str:
    return value.replace(" ", "%20").replace(")", "%29").replace("(", "%28")


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("obsgen.render", "templates"),
    autoescape=False,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=False,
)
_ENVIRONMENT.filters["cell"] = _markdown_cell
_ENVIRONMENT.filters["url"] = _markdown_url


def render_index(
    service: ServiceConfig,
    config_path: str,
    alerts: list[AlertEntry],
    recording_rules: list[RecordingRuleEntry],
    dashboards: list[DashboardEntry],
    files: list[str],
) -> bytes:
    """Render the index. User strings reach the template only as variables."""
    template = _ENVIRONMENT.get_template("index.md.j2")
    text = template.render(
        service=service,
        config_path=config_path,
        alerts=alerts,
        recording_rules=recording_rules,
        dashboards=dashboards,
        files=files,
    )
    return text.encode("utf-8")
