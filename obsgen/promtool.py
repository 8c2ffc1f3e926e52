"""Running `promtool test rules` on a bundle's test files and reading its output.

promtool 2.42 prints failures on stderr, naming the test group of a failed
alert test but not of a failed expression test, and it only warns, with exit
status 0, when a `rule_files` pattern matches no file. obsgen counts warnings
as failures, and runs each test group of a failed file on its own to tell
which scenarios failed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from obsgen.errors import BundleError, ToolError, display_path
from obsgen.render.serialize import dump_yaml

DEFAULT_TIMEOUT_SECONDS = 600
INSTALL_HINT = (
    "install promtool with Debian's prometheus package (apt-get install "
    "prometheus), or pass --promtool with its path"
)

_WARNING_RE = re.compile(r"^\s*WARNING\b.*$", re.MULTILINE)


@dataclass(frozen=True)
class FileResult:
    """The outcome of `promtool test rules` on one test file."""

    path: Path
    returncode: int
    output: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class FailedTest:
    """A test group that failed when promtool ran it on its own."""

    test_file: Path
    name: str
    output: str


def find_promtool(promtool: str) -> str:
    """Return the path of the promtool executable, or raise ToolError."""
    found = shutil.which(promtool)
    if found is None:
        raise ToolError(f"promtool not found: {promtool}", hint=INSTALL_HINT)
    return found


def test_files_of(bundle_dir: Path) -> list[Path]:
    """Return the bundle's promtool test files, or raise BundleError."""
    tests_dir = bundle_dir / "prometheus" / "tests"
    files = sorted(tests_dir.glob("*.yaml"))
    if not files:
        raise BundleError(
            f"no promtool test files in {display_path(tests_dir)}",
            hint="build the bundle with obsgen build, whose rules carry scenarios",
        )
    return files


def _run(promtool: str, test_file: Path, timeout: float) -> FileResult:
    try:
        completed = subprocess.run(
            [promtool, "test", "rules", test_file.name],
            cwd=test_file.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(
            f"promtool test rules {display_path(test_file)} timed out after "
            f"{timeout:g} seconds",
            hint="pass a larger --timeout, or shorten the scenarios",
        ) from None
    except OSError as error:
        raise ToolError(
            f"cannot run {promtool}: {error.strerror}", hint=INSTALL_HINT
        ) from None
    output = completed.stdout + completed.stderr
    if completed.returncode not in (0, 1):
        raise ToolError(
            f"promtool test rules {display_path(test_file)} exited with status "
            f"{completed.returncode}:\n{output.strip()}",
            hint="check that promtool works: promtool --version",
        )
    warnings = tuple(match.strip() for match in _WARNING_RE.findall(output))
    return FileResult(test_file, completed.returncode, output, warnings)


def run_test_files(
    promtool: str, test_files: list[Path], timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> list[FileResult]:
    """Run promtool on each test file, in parallel, and return the results in
    the order of `test_files`."""
    workers = max(1, min(len(test_files), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda path: _run(promtool, path, timeout), test_files))


def find_failed_tests(
    promtool: str, result: FileResult, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> list[FailedTest]:
    """Run each test group of a failed test file on its own; return those that
    fail, with promtool's output for each."""
    try:
        document = yaml.safe_load(result.path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    if not isinstance(document, dict) or not isinstance(document.get("tests"), list):
        return []
    base = result.path.parent
    rule_files = [
        str((base / pattern).resolve()) for pattern in document.get("rule_files") or []
    ]

    with tempfile.TemporaryDirectory(prefix="obsgen-promtool-") as scratch:
        single_files = []
        for index, test in enumerate(document["tests"]):
            single = {**document, "rule_files": rule_files, "tests": [test]}
            path = Path(scratch) / f"test-{index:04d}.yaml"
            path.write_bytes(dump_yaml(single))
            single_files.append((test, path))
        results = run_test_files(promtool, [path for _, path in single_files], timeout)

    failed = []
    for (test, _), single_result in zip(single_files, results, strict=True):
        if single_result.returncode != 0:
            name = str(test.get("name") or "(unnamed test group)")
            failed.append(FailedTest(result.path, name, single_result.output))
    return failed
