"""Validation of the label and annotation mappings that definitions pass."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from obsgen.errors import DefinitionError, SourceLocation

LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def freeze_string_map(
    owner: str,
    kind: str,
    values: Mapping[str, str],
    location: SourceLocation | None,
    *,
    reject_reserved: bool = False,
) -> Mapping[str, str]:
    """Return `values` as a read-only mapping sorted by name, after checking it.

    `kind` is the singular word for an entry, such as "label" or "annotation".
    With `reject_reserved`, names starting with `__` are rejected, because
    Prometheus reserves them for internal use.
    """
    if not isinstance(values, Mapping):
        raise DefinitionError(
            f"{owner}: {kind}s must be a mapping of strings, "
            f"got {type(values).__name__}",
            location=location,
        )
    for name, value in values.items():
        if not isinstance(name, str) or not LABEL_NAME_RE.match(name):
            raise DefinitionError(
                f"{owner}: invalid {kind} name {name!r}",
                location=location,
                hint="use letters, digits and underscores, not starting with a digit",
            )
        if reject_reserved and name.startswith("__"):
            raise DefinitionError(
                f"{owner}: {kind} name {name!r} starts with '__', which Prometheus "
                "reserves for internal use",
                location=location,
                hint=f"rename the {kind}",
            )
        if not isinstance(value, str):
            raise DefinitionError(
                f"{owner}: {kind} {name!r} has the non-string value {value!r}",
                location=location,
                hint=f"quote it: {name}={str(value)!r}",
            )
    return MappingProxyType(dict(sorted(values.items())))
