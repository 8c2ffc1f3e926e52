"""Suppressions: a definition's reasoned exceptions to one lint check."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from obsgen.errors import DefinitionError, SourceLocation, caller_location

# The attribute of a panel model that carries its suppressions. The SDK's
# JSON encoder writes only the model's declared fields, so it never reaches
# the dashboard JSON.
PANEL_ATTRIBUTE = "_obsgen_suppress"

T = TypeVar("T")


def validate_suppressions(
    owner: str, suppress: Any, location: SourceLocation | None
) -> Mapping[str, str]:
    """Return `suppress` as a read-only mapping of check id to reason.

    Raises DefinitionError for an unknown check id or a missing reason.
    """
    # Imported here: the registry imports every check, and checks must stay
    # importable without the definition API.
    from obsgen.lint.registry import REGISTRY

    if suppress is None:
        return MappingProxyType({})
    if not isinstance(suppress, Mapping):
        raise DefinitionError(
            f"{owner}: suppress must be a mapping of check id to reason, got "
            f"{type(suppress).__name__}",
            location=location,
            hint='write suppress={"promql/rate-window": "why the finding is fine"}',
        )
    for check_id, reason in suppress.items():
        if check_id not in REGISTRY:
            raise DefinitionError(
                f"{owner}: suppression of unknown check {check_id!r}",
                location=location,
                hint="use a check id listed in docs/checks.md",
            )
        if not isinstance(reason, str) or not reason.strip():
            raise DefinitionError(
                f"{owner}: suppression of {check_id} has no reason",
                location=location,
                hint=f'write suppress={{"{check_id}": "why the finding is fine"}}',
            )
    return MappingProxyType(dict(suppress))


def suppress(panel: T, checks: Mapping[str, str]) -> T:
    """Suppress lint checks for one dashboard panel, each with a reason.

    `panel` is a panel builder of grafana_foundation_sdk (or its built model,
    or a grafanalib panel); it is returned, so the call can wrap the builder
    where the dashboard adds it::

        .with_panel(suppress(text.Panel().title("Notes"),
                             {"dashboards/panel-unit": "text has no unit"}))
    """
    location = caller_location()
    validated = validate_suppressions("panel", checks, location)
    model = getattr(panel, "_internal", panel)
    merged = {**getattr(model, PANEL_ATTRIBUTE, {}), **validated}
    try:
        setattr(model, PANEL_ATTRIBUTE, MappingProxyType(merged))
    except AttributeError:
        raise DefinitionError(
            f"cannot attach suppressions to {type(panel).__name__}",
            location=location,
            hint="pass a panel builder or panel object",
        ) from None
    return panel


def panel_suppressions(model: object) -> Mapping[str, str]:
    """Return the suppressions attached to a panel model, or an empty mapping."""
    return getattr(model, PANEL_ATTRIBUTE, MappingProxyType({}))
