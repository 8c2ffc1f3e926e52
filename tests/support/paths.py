"""Locations of the repository and of the reference files that tests read."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = REPO_ROOT / "examples" / "example-service" / "service.yaml"
COMMITTED_BUNDLE = REPO_ROOT / "examples" / "example-service" / "bundle"

# The reference files sit in a shared folder beside the repository checkout,
# both in a development worktree and in CI's fresh clone.
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
CAPTURE_FILE = REFERENCE_DIR / "fastapi-template-metrics.prom"


def read_reference(path: Path) -> str:
    """Return the text of a reference file, or raise FileNotFoundError with the fix.

    Tests that need the reference must fail, not skip, when it is missing, so a
    CI run without it cannot pass by testing less.
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"reference file not found: {path}; the tests expect the shared "
            f"reference folder at {REFERENCE_DIR} (beside the repository checkout)"
        )
    return path.read_text(encoding="utf-8")
