"""Importing rule and dashboard definition modules from a project's folders."""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from obsgen.definitions.dashboards import DashboardDefinition
from obsgen.definitions.rules import RuleGroupDefinition
from obsgen.errors import DefinitionError, ObsgenError, SourceLocation, display_path

T = TypeVar("T")


@dataclass(frozen=True)
class RuleModule:
    """The rule groups of one definition module; they become one rule file.

    `source` names the module as `<rules folder name>/<file name>`, such as
    `rules/http.py`, the same from any working folder.
    """

    name: str
    path: Path
    source: str
    groups: tuple[RuleGroupDefinition, ...]


@dataclass(frozen=True)
class Definitions:
    """Every rule group and dashboard definition of a project."""

    rule_modules: tuple[RuleModule, ...]
    dashboards: tuple[DashboardDefinition, ...]


def load_definitions(rules_dir: Path, dashboards_dir: Path) -> Definitions:
    """Import the modules in `rules_dir` and `dashboards_dir` and collect definitions.

    Modules are read in file name order; files whose names start with `_` are
    skipped, so they can hold helpers.
    """
    rule_modules = []
    for path in _module_paths(rules_dir, "rules"):
        module = _import(path, "rules")
        groups = _collect(module, RuleGroupDefinition)
        _reject_duplicates(groups, f"rule group in {display_path(path)}")
        if groups:
            source = f"{rules_dir.resolve().name}/{path.name}"
            rule_modules.append(RuleModule(path.stem, path, source, tuple(groups)))

    dashboards = []
    for path in _module_paths(dashboards_dir, "dashboards"):
        dashboards.extend(_collect(_import(path, "dashboards"), DashboardDefinition))
    _reject_duplicates(dashboards, "dashboard")

    if not rule_modules and not dashboards:
        raise DefinitionError(
            f"no definitions found in {display_path(rules_dir)} or "
            f"{display_path(dashboards_dir)}",
            hint="run obsgen from the project folder that contains rules/ and "
            "dashboards/, or pass --rules and --dashboards",
        )
    return Definitions(tuple(rule_modules), tuple(dashboards))


def _module_paths(directory: Path, kind: str) -> list[Path]:
    if not directory.is_dir():
        raise DefinitionError(
            f"{kind} folder not found: {display_path(directory)}",
            hint=f"create it, or pass --{kind} with the folder of your {kind} modules",
        )
    return sorted(
        path for path in directory.glob("*.py") if not path.name.startswith("_")
    )


def _import(path: Path, kind: str) -> ModuleType:
    module_name = f"obsgen_definitions.{kind}.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError(f"cannot import {display_path(path)}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    call_definition(lambda: spec.loader.exec_module(module), path)
    return module


def _collect(module: ModuleType, kind: type[T]) -> list[T]:
    return [value for value in vars(module).values() if isinstance(value, kind)]


def _reject_duplicates(definitions: list, kind: str) -> None:
    first_seen: dict[str, SourceLocation] = {}
    for definition in definitions:
        if definition.name in first_seen:
            raise DefinitionError(
                f"duplicate {kind} name {definition.name!r}, first defined at "
                f"{first_seen[definition.name]}",
                location=definition.location,
                hint="give each one a unique name",
            )
        first_seen[definition.name] = definition.location


_LIBRARY_DIRS = tuple(
    str(Path(directory).resolve())
    for directory in {
        sysconfig.get_paths()["stdlib"],
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
        str(Path(__file__).resolve().parents[1]),
    }
)


def _is_user_file(filename: str) -> bool:
    if filename.startswith("<"):
        return False
    return not str(Path(filename).resolve()).startswith(_LIBRARY_DIRS)


def call_definition(function: Callable[[], T], path: Path) -> T:
    """Run user definition code, turning its exceptions into one DefinitionError.

    The error points at the innermost line of the traceback that lies in a
    definition file, so the user sees their own line, not obsgen's.
    """
    try:
        return function()
    except ObsgenError:
        raise
    except SyntaxError as error:
        raise DefinitionError(
            f"invalid Python syntax: {error.msg}",
            location=SourceLocation(error.filename or str(path), error.lineno or 1),
            hint="fix the syntax at that line",
        ) from None
    except Exception as error:  # noqa: BLE001 - any error in user code
        location = SourceLocation(str(path), 1)
        for frame in traceback.extract_tb(error.__traceback__):
            if _is_user_file(frame.filename):
                location = SourceLocation(frame.filename, frame.lineno or 1)
        raise DefinitionError(
            f"definition raised {type(error).__name__}: {error}",
            location=location,
            hint="fix the definition code at that line",
        ) from None
