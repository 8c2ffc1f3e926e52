"""obsgen's own code stays formatted and lint-clean (ruff, 88 columns)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ruff_check_clean() -> None:
    result = _ruff("check", "--output-format", "concise", ".")

    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_clean() -> None:
    result = _ruff("format", "--check", ".")

    assert result.returncode == 0, result.stdout + result.stderr
