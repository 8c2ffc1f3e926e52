"""Dashboard definitions: functions that build a Grafana dashboard with the SDK."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grafana_foundation_sdk.builders import dashboard as dashboard_builder

from obsgen.definitions.collect import function_location, record_definition
from obsgen.definitions.suppress import validate_suppressions
from obsgen.errors import DefinitionError, SourceLocation, caller_location
from obsgen.render.legacy import (
    LegacyDashboardBuilder,
    grafanalib_json,
    is_grafanalib_dashboard,
)

if TYPE_CHECKING:
    from obsgen.config.service import ServiceConfig

DASHBOARD_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")

DashboardFunction = Callable[["ServiceConfig"], dashboard_builder.Dashboard]


@dataclass(frozen=True)
class DashboardDefinition:
    """A function that returns a dashboard builder for a service configuration.

    `name` is a short slug such as `health-checks`; obsgen derives the
    dashboard's uid and file name from it and the service name. `suppress`
    maps lint check ids to reasons for the whole dashboard.
    """

    name: str
    function: DashboardFunction
    location: SourceLocation
    suppress: Mapping[str, str] = field(default_factory=dict)

    def build(self, service: ServiceConfig) -> dashboard_builder.Dashboard:
        """Call the definition and return its builder.

        A grafanalib Dashboard is accepted too: its JSON is upgraded to the
        model obsgen emits and wrapped in a builder of that model.
        """
        builder = self.function(service)
        if is_grafanalib_dashboard(builder):
            return LegacyDashboardBuilder(grafanalib_json(builder))
        if not isinstance(builder, dashboard_builder.Dashboard):
            raise DefinitionError(
                f"dashboard {self.name!r} returned {type(builder).__name__}, "
                "not a grafana_foundation_sdk dashboard builder or a grafanalib "
                "Dashboard",
                location=self.location,
                hint="return dashboard.Dashboard(title) from "
                "grafana_foundation_sdk.builders, without calling .build()",
            )
        return builder


def grafana_dashboard(
    name: str, *, suppress: Mapping[str, str] | None = None
) -> Callable[[DashboardFunction], DashboardDefinition]:
    """Declare a dashboard built by the decorated function.

    The function receives the ServiceConfig and returns a
    `grafana_foundation_sdk.builders.dashboard.Dashboard`. `suppress` maps
    lint check ids to the reason each is accepted for this dashboard; a
    single panel takes `obsgen.suppress(panel, {...})` instead.
    """
    location = caller_location()
    if callable(name):
        raise DefinitionError(
            "grafana_dashboard is used without a dashboard name",
            location=function_location(name) or location,
            hint='write @grafana_dashboard("name") with parentheses and a name, '
            "such as health-checks",
        )
    if not isinstance(name, str) or not DASHBOARD_NAME_RE.match(name):
        raise DefinitionError(
            f"invalid dashboard name {name!r}",
            location=location,
            hint="use lowercase letters, digits and dashes, such as health-checks",
        )

    suppressions = validate_suppressions(f"dashboard {name!r}", suppress, location)

    def decorate(function: DashboardFunction) -> DashboardDefinition:
        where = function_location(function)
        if where is None:
            raise DefinitionError(
                f"grafana_dashboard({name!r}) decorates {function!r}, which is not "
                "a function",
                location=location,
                hint="put @grafana_dashboard on a def that returns the dashboard",
            )
        definition = DashboardDefinition(name, function, where, suppressions)
        record_definition(definition)
        return definition

    return decorate
