"""Importing rule and dashboard definition modules from a project's folders.

Every `*.py` file in the rules and dashboards folders whose name does not
start with `_` is a definition module. The loader imports them in file name
order. A definition belongs to the module whose import creates it, so a group
made in a loop, kept in a list or made by a helper function counts like one
assigned to a global. Each rule module with at least one group becomes one
rule file.

Files whose names start with `_` are helper modules. While the loader imports
the modules of a folder, they can import its helpers in three ways, which
work the same under `obsgen` and `python -m obsgen`, from any working folder:

- `from _helpers import x` finds `_helpers.py` (or the package `_helpers/`)
  in the importing module's own folder;
- `from ._helpers import x` does the same by a relative import;
- `from rules._helpers import x` names the definition folder, here `rules`.

Like the folder of a script, the helpers and the folder names take
precedence over installed modules of the same name. Import helpers at the
top of a module: the loader removes them from `sys.modules` when the folder
is loaded, so that two projects built in one process never share a helper.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import signal
import sys
import sysconfig
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from obsgen.definitions.collect import collect_definitions
from obsgen.definitions.dashboards import DashboardDefinition
from obsgen.definitions.rules import RuleGroupDefinition
from obsgen.errors import DefinitionError, ObsgenError, SourceLocation, display_path

T = TypeVar("T")

# The shell's exit code for a process stopped by SIGINT (Ctrl-C).
EXIT_INTERRUPTED = 128 + signal.SIGINT

# The package that definition modules are imported into, one subpackage per
# kind, so `from ._helpers import x` resolves in the module's own folder.
PACKAGE = "obsgen_definitions"


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


class BuildInterrupted(ObsgenError):
    """The user interrupted obsgen (Ctrl-C) while definition code ran."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted")

    def render(self) -> str:
        return "error: interrupted"


def load_definitions(rules_dir: Path, dashboards_dir: Path) -> Definitions:
    """Import the modules in `rules_dir` and `dashboards_dir` and collect definitions.

    Raises DefinitionError when a module fails, when two rule groups or two
    dashboards share a name, or when neither folder defines anything.
    """
    rule_paths = _module_paths(rules_dir, "rules")
    dashboard_paths = _module_paths(dashboards_dir, "dashboards")
    module_files = {path.resolve() for path in [*rule_paths, *dashboard_paths]}
    folders = {"rules": rules_dir, "dashboards": dashboards_dir}

    rule_modules = []
    with _folder_imports("rules", folders):
        for path in rule_paths:
            created = _import(path, "rules", module_files)
            groups = _of_kind(created, RuleGroupDefinition, path, "rules")
            if groups:
                source = f"{rules_dir.resolve().name}/{path.name}"
                rule_modules.append(RuleModule(path.stem, path, source, groups))
    _reject_duplicates(
        [group for module in rule_modules for group in module.groups],
        "rule group",
        "the groups of all rule files go into one PrometheusRule, so each "
        "needs a unique name",
    )

    dashboards: list[DashboardDefinition] = []
    with _folder_imports("dashboards", folders):
        for path in dashboard_paths:
            created = _import(path, "dashboards", module_files)
            dashboards.extend(
                _of_kind(created, DashboardDefinition, path, "dashboards")
            )
    _reject_duplicates(dashboards, "dashboard", "give each one a unique name")

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


def _import(path: Path, kind: str, module_files: set[Path]) -> list[object]:
    """Import one definition module; return the definitions its import created.

    Definitions whose code lies in another definition module are left out:
    the module imported them, and they belong to the module they come from.
    """
    module_name = f"{PACKAGE}.{kind}.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError(f"cannot import {display_path(path)}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    with collect_definitions() as created:
        call_definition(lambda: spec.loader.exec_module(module), path)

    own_file = path.resolve()
    return [
        definition
        for definition in created
        if _defined_in(definition) == own_file
        or _defined_in(definition) not in module_files
    ]


def _defined_in(definition: object) -> Path:
    return Path(definition.location.path).resolve()


def _of_kind(
    created: list[object], kind: type[T], path: Path, folder: str
) -> tuple[T, ...]:
    other_folder = "dashboards" if folder == "rules" else "rules"
    for definition in created:
        if not isinstance(definition, kind):
            raise DefinitionError(
                f"{definition.name!r} is declared in {display_path(path)}, a "
                f"module of the {folder} folder, but is not a {folder[:-1]} "
                "definition",
                location=definition.location,
                hint=f"move it to a module of the {other_folder} folder",
            )
    return tuple(created)


def _reject_duplicates(definitions: Sequence, kind: str, hint: str) -> None:
    first_seen: dict[str, SourceLocation] = {}
    for definition in definitions:
        if definition.name in first_seen:
            raise DefinitionError(
                f"duplicate {kind} name {definition.name!r}, first defined at "
                f"{first_seen[definition.name]}",
                location=definition.location,
                hint=hint,
            )
        first_seen[definition.name] = definition.location


class _HelperFinder(importlib.abc.MetaPathFinder):
    """An import finder for one folder's helpers and the definition folders."""

    def __init__(self, helper_dir: Path, folders: dict[str, Path]) -> None:
        self.helper_dir = str(helper_dir)
        self.parents = {
            folder.resolve().name: str(folder.resolve().parent)
            for folder in folders.values()
        }

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if path is not None:
            return None
        if fullname.startswith("_"):
            search = self.helper_dir
        elif fullname in self.parents:
            search = self.parents[fullname]
        else:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [search])


@contextmanager
def _folder_imports(kind: str, folders: dict[str, Path]) -> Iterator[None]:
    """Make the helpers of the `kind` folder importable inside the block."""
    finder = _HelperFinder(folders[kind], folders)
    # Just before the finder of sys.path, as if the folder came first on
    # sys.path, but only for helpers and folder names: rules/http.py must not
    # hide the standard library's http package.
    path_finder = importlib.machinery.PathFinder
    if path_finder in sys.meta_path:
        sys.meta_path.insert(sys.meta_path.index(path_finder), finder)
    else:
        sys.meta_path.append(finder)
    package = ModuleType(f"{PACKAGE}.{kind}")
    package.__path__ = [str(folders[kind])]
    sys.modules.setdefault(PACKAGE, _namespace(PACKAGE))
    sys.modules[package.__name__] = package
    # Another project loaded earlier in this process may have left a stale
    # directory listing in the import system's cache.
    importlib.invalidate_caches()
    before = set(sys.modules)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        resolved = [folder.resolve() for folder in folders.values()]
        for name in sorted(set(sys.modules) - before):
            module = sys.modules.get(name)
            if _is_definition_module(name, module, finder, resolved):
                del sys.modules[name]
        sys.modules.pop(package.__name__, None)
        sys.modules.pop(PACKAGE, None)


def _namespace(name: str) -> ModuleType:
    module = ModuleType(name)
    module.__path__ = []
    return module


def _is_definition_module(
    name: str, module: ModuleType | None, finder: _HelperFinder, folders: list[Path]
) -> bool:
    top = name.partition(".")[0]
    if top == PACKAGE:
        return True
    if not top.startswith("_") and top not in finder.parents:
        return False
    locations = list(getattr(module, "__path__", None) or [])
    if getattr(module, "__file__", None):
        locations.append(module.__file__)
    return any(
        Path(location).resolve().is_relative_to(folder)
        for location in locations
        for folder in folders
    )


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


def _user_location(error: BaseException, path: Path) -> SourceLocation:
    """Return the innermost line of the traceback that lies in a user file."""
    location = SourceLocation(str(path), 1)
    for frame in traceback.extract_tb(error.__traceback__):
        if _is_user_file(frame.filename):
            location = SourceLocation(frame.filename, frame.lineno or 1)
    return location


def call_definition(function: Callable[[], T], path: Path) -> T:
    """Run user definition code, turning its exceptions into one DefinitionError.

    The error points at the innermost line of the traceback that lies in a
    definition file, so the user sees their own line, not obsgen's. A
    `sys.exit()` in definition code is an error too, and KeyboardInterrupt
    becomes BuildInterrupted.
    """
    try:
        return function()
    except ObsgenError:
        raise
    except KeyboardInterrupt:
        raise BuildInterrupted() from None
    except SyntaxError as error:
        raise DefinitionError(
            f"invalid Python syntax: {error.msg}",
            location=SourceLocation(error.filename or str(path), error.lineno or 1),
            hint="fix the syntax at that line",
        ) from None
    except SystemExit as error:
        raise DefinitionError(
            f"definition code called sys.exit({error.code!r})",
            location=_user_location(error, path),
            hint="remove the call; to stop the build, raise an exception with a "
            "message",
        ) from None
    except Exception as error:  # noqa: BLE001 - any error in user code
        raise DefinitionError(
            f"definition raised {type(error).__name__}: {error}",
            location=_user_location(error, path),
            hint="fix the definition code at that line",
        ) from None
