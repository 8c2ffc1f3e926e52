"""Reading a built bundle from disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_tree(root: Path) -> dict[str, bytes]:
    """Return every file below `root` by relative POSIX path, with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def rule_files(bundle_dir: Path) -> list[Path]:
    """Return the bundle's Prometheus rule files in name order."""
    return sorted((bundle_dir / "prometheus" / "rules").glob("*.yaml"))


def rule_groups(path: Path) -> list[dict[str, Any]]:
    """Return the groups of one Prometheus rule file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return document.get("groups") or []
