"""Writing a bundle atomically, and comparing it with what is on disk."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from obsgen.bundle.build import MARKER_FILE
from obsgen.errors import OutputError, display_path


@dataclass(frozen=True)
class Drift:
    """How the bundle on disk differs from a fresh build."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.missing or self.unexpected)


def _files_on_disk(out_dir: Path) -> dict[str, Path]:
    return {
        path.relative_to(out_dir).as_posix(): path
        for path in sorted(out_dir.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


def compare_bundle(files: dict[str, bytes], out_dir: Path) -> Drift:
    """Compare the built files with the bundle in `out_dir`, writing nothing."""
    on_disk = _files_on_disk(out_dir) if out_dir.is_dir() else {}
    changed = []
    for name, content in files.items():
        path = on_disk.get(name)
        if path is not None and path.read_bytes() != content:
            changed.append(name)
    missing = [name for name in files if name not in on_disk]
    unexpected = [name for name in on_disk if name not in files]
    return Drift(tuple(changed), tuple(missing), tuple(unexpected))


def _check_replaceable(out_dir: Path) -> None:
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputError(
            f"output path {display_path(out_dir)} exists and is not a folder",
            hint="pass --out with a folder path",
        )
    if any(out_dir.iterdir()) and not (out_dir / MARKER_FILE).is_file():
        raise OutputError(
            f"output folder {display_path(out_dir)} is not empty and was not "
            f"written by obsgen (it has no {MARKER_FILE} file)",
            hint="pass --out with an empty or new folder; obsgen replaces its "
            "output folder whole",
        )


def write_bundle(files: dict[str, bytes], out_dir: Path) -> None:
    """Replace `out_dir` with exactly `files`.

    The files are written to a temporary sibling folder first, which then
    takes the place of the old bundle by rename. A failed or interrupted
    build leaves the previous bundle in place.
    """
    out_dir = out_dir.absolute()
    _check_replaceable(out_dir)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as error:
        raise OutputError(
            f"cannot create a folder in {display_path(parent)}: {error.strerror}",
            hint="check that the folder is writable",
        ) from None

    retired = parent / f".{out_dir.name}.old-{os.getpid()}"
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            os.chmod(path, 0o644)
        os.chmod(staging, 0o755)
        if out_dir.exists():
            os.rename(out_dir, retired)
        os.rename(staging, out_dir)
    except OSError as error:
        if retired.exists() and not out_dir.exists():
            os.rename(retired, out_dir)
        raise OutputError(
            f"cannot write the bundle to {display_path(out_dir)}: {error}",
            hint="check the free space and permissions; the previous bundle is "
            "unchanged",
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
