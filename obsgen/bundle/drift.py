"""Comparing a fresh build with the bundle on disk, writing nothing."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from obsgen.errors import OutputError, display_path


@dataclass(frozen=True)
class Drift:
    """The differences between the bundle on disk and a fresh build."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.missing or self.unexpected)


def compare_bundle(files: dict[str, bytes], out_dir: Path) -> Drift:
    """Compare the built files with the bundle in `out_dir`, writing nothing.

    `out_dir` itself may be a symlink to the bundle folder. Inside the bundle,
    symlinks are never followed: obsgen writes regular files only, so a
    symlink, a folder or a device at a file's path counts as changed, and a
    symlink at any other path as unexpected. Raises OutputError when a folder
    cannot be listed or a file cannot be read.
    """
    on_disk = _entries_on_disk(out_dir) if _is_folder(out_dir) else {}
    # A real folder at a file's path is not in on_disk: it counts as changed.
    missing = [
        name
        for name in files
        if name not in on_disk and not os.path.lexists(out_dir / name)
    ]
    changed = [
        name
        for name, content in files.items()
        if name not in missing
        and (name not in on_disk or _read_regular_file(on_disk[name]) != content)
    ]
    unexpected = [name for name in on_disk if name not in files]
    return Drift(tuple(changed), tuple(missing), tuple(unexpected))


def _entries_on_disk(out_dir: Path) -> dict[str, Path]:
    """Return every entry below `out_dir` that is not a real folder, by POSIX path."""
    entries: dict[str, Path] = {}
    pending = [out_dir]
    while pending:
        folder = pending.pop()
        for entry in _list_folder(folder):
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            else:
                entries[path.relative_to(out_dir).as_posix()] = path
    return dict(sorted(entries.items()))


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError as error:
        raise OutputError(
            f"cannot read the bundle folder {display_path(path)}: {error.strerror}",
            hint="check that the folder is readable by this user",
        ) from None


def _list_folder(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as iterator:
            return list(iterator)
    except OSError as error:
        raise OutputError(
            f"cannot list the bundle folder {display_path(folder)}: {error.strerror}",
            hint="check that the folder is readable by this user",
        ) from None


def _read_regular_file(path: Path) -> bytes | None:
    """Return the bytes of `path`, or None when it is not a regular file."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        # O_NOFOLLOW and O_NONBLOCK: a file swapped for a symlink or a named
        # pipe after the lstat must neither be followed nor block the read.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise _read_error(path, error) from None

    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            return file.read()
    except OSError as error:
        raise _read_error(path, error) from None
    finally:
        os.close(descriptor)


def _read_error(path: Path, error: OSError) -> OutputError:
    return OutputError(
        f"cannot read {display_path(path)}: {error.strerror}",
        hint="check that the bundle's files are readable by this user, or "
        "rebuild the bundle with obsgen build",
    )
