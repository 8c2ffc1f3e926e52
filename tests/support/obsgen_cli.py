"""Running the obsgen command line in a subprocess, as users and CI do."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support.paths import EXAMPLE_CONFIG, REPO_ROOT

TIMEOUT_SECONDS = 120


def run_obsgen(
    *args: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO_ROOT,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m obsgen ARGS` from the repository root and capture its output.

    Running from the repository root imports this checkout's obsgen package,
    whatever copy of obsgen is installed. `env` entries are added to the
    current environment.
    """
    return subprocess.run(
        [sys.executable, "-m", "obsgen", *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def build_example_bundle(
    out_dir: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Build the example service's bundle into `out_dir`; raise if obsgen fails."""
    result = run_obsgen("build", "--config", EXAMPLE_CONFIG, "--out", out_dir, env=env)
    if result.returncode != 0:
        raise AssertionError(
            f"obsgen build exited {result.returncode}\n"
            f"--- stderr ---\n{result.stderr}--- stdout ---\n{result.stdout}"
        )
    return result


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """Format a finished run for an assertion message."""
    return (
        f"exit code {result.returncode}\n--- stderr ---\n{result.stderr}"
        f"--- stdout ---\n{result.stdout}"
    )
