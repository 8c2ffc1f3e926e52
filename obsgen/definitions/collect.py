"""Recording the definitions that the import of a definition module creates.

The `rule_group` and `grafana_dashboard` decorators report each definition
they create here. While the loader imports a module, it collects these
reports, so a definition counts whether the module keeps it in a global, in
a list or a dict, or drops it after a loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from obsgen.errors import SourceLocation

# One list per active collect_definitions(), innermost last.
_collectors: list[list[object]] = []


@contextmanager
def collect_definitions() -> Iterator[list[object]]:
    """Yield a list that receives every definition created inside the block."""
    created: list[object] = []
    _collectors.append(created)
    try:
        yield created
    finally:
        _collectors.pop()


def record_definition(definition: object) -> None:
    """Add `definition` to the innermost active collection, if there is one."""
    if _collectors:
        _collectors[-1].append(definition)


def function_location(function: object) -> SourceLocation | None:
    """Return where a Python function is defined: its first decorator's line.

    Returns None for an object without Python code, such as a class.
    """
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    return SourceLocation(code.co_filename, code.co_firstlineno)
