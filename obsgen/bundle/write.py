"""Writing a bundle atomically: a staging folder takes the old bundle's place."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from obsgen.bundle.build import MARKER_FILE
from obsgen.bundle.interrupt import (
    Interrupted,
    interrupts_deferred,
    interrupts_ignored,
    signal_number,
    terminate_as_interrupt,
)
from obsgen.errors import OutputError, display_path

# How long a build waits for another obsgen build that writes into the same
# parent folder.
LOCK_TIMEOUT_SECONDS = 60.0
_LOCK_POLL_SECONDS = 0.05

# Kernel file systems: creating a folder there fails with a misleading
# "No such file or directory".
_KERNEL_FILE_SYSTEMS = (Path("/proc"), Path("/sys"))


def write_bundle(files: dict[str, bytes], out_dir: Path) -> list[str]:
    """Replace the folder `out_dir` with exactly `files`; return warnings to print.

    The files go to a staging folder `.NAME.new-XXXXXXXX` beside the output.
    Then the previous bundle is renamed to `.NAME.old-PID` and the staging
    folder to NAME. An error, SIGINT, SIGTERM or SIGHUP before the second
    rename leaves the previous bundle in place, byte for byte. After it, the
    new bundle stays and the Interrupted exception has `bundle_replaced` set.
    Neither case leaves a staging or old folder behind, unless the file
    system refuses to remove it; after a write, that returns a warning.

    SIGKILL can leave both folders, and between the renames the previous
    bundle then sits in `.NAME.old-PID`. The next write to the same output
    removes folders whose names have exactly these two forms. It holds an
    flock on the parent folder meanwhile, so concurrent builds take turns and
    never remove each other's folders.

    When `out_dir` is a symlink, the symlink stays and the folder that it
    points to is replaced, the way an infra repo that links a service's
    monitoring folder to a shared checkout expects. A symlink whose target
    does not exist is rejected, so that a typo never creates folders elsewhere.

    Raises OutputError, with the path and a hint, when the output cannot be
    replaced.
    """
    target = _resolve_out_dir(out_dir)
    _check_replaceable(target)
    _create_parent(target)

    with terminate_as_interrupt(), _locked(target.parent) as locked:
        warnings = _remove_leftovers(target) if locked else []
        retired = target.parent / f".{target.name}.old-{os.getpid()}"
        staging = None
        try:
            with interrupts_deferred():
                staging = _create_staging(target)
            _write_files(staging, files)
            _swap(staging, target, retired)
            warnings += _remove_folder(retired, "the previous bundle's folder")
        except BaseException as error:  # noqa: BLE001 - restore on interrupts too
            raise _recover(error, staging, target, retired) from None
    return warnings


def check_out_dir(out_dir: Path) -> None:
    """Raise OutputError when write_bundle could not replace `out_dir`.

    Writes nothing. write_bundle runs the same checks; a build calls this
    first to reject a bad output path before its slow steps.
    """
    target = _resolve_out_dir(out_dir)
    _check_replaceable(target)
    _check_parents_are_folders(target)


# Checks of the output path.


def _resolve_out_dir(out_dir: Path) -> Path:
    """Return the real path of the output folder, following symlinks."""
    absolute = out_dir.absolute()
    _check_symlinks(absolute)
    try:
        target = absolute.resolve()
    except (OSError, RuntimeError) as error:
        raise OutputError(
            f"cannot resolve the output path {display_path(absolute)}: {error}",
            hint="fix the symlinks in that path",
        ) from None

    for kernel_file_system in _KERNEL_FILE_SYSTEMS:
        if target.is_relative_to(kernel_file_system):
            raise OutputError(
                f"output path {display_path(absolute)} is below "
                f"{kernel_file_system}, a kernel file system that cannot hold "
                "a bundle",
                hint="pass --out with a folder on a disk, such as monitoring/<service>",
            )
    return target


def _check_symlinks(absolute: Path) -> None:
    """Reject a dangling symlink or a symlink loop anywhere in `absolute`."""
    for path in (absolute, *absolute.parents):
        if not path.is_symlink():
            continue
        try:
            path.stat()
        except OSError as error:
            raise OutputError(
                f"output path {display_path(absolute)} goes through the symlink "
                f"{display_path(path)} -> {os.readlink(path)}, which cannot be "
                f"followed: {error.strerror}",
                hint="create the folder that the symlink points to, fix the "
                "symlink, or pass --out with a real folder path",
            ) from None


def _check_replaceable(target: Path) -> None:
    try:
        if not target.exists():
            return
        if not target.is_dir():
            raise OutputError(
                f"output path {display_path(target)} exists and is not a folder",
                hint="pass --out with a folder path",
            )
        foreign = any(target.iterdir()) and not (target / MARKER_FILE).is_file()
    except OSError as error:
        raise OutputError(
            f"cannot read the output folder {display_path(target)}: {error.strerror}",
            hint="check that the folder is readable by this user",
        ) from None

    if foreign:
        raise OutputError(
            f"output folder {display_path(target)} is not empty and was not "
            f"written by obsgen (it has no {MARKER_FILE} file)",
            hint="pass --out with an empty or new folder; obsgen replaces its "
            "output folder whole",
        )


def _check_parents_are_folders(target: Path) -> None:
    for ancestor in (*reversed(target.parent.parents), target.parent):
        if ancestor.exists() and not ancestor.is_dir():
            raise OutputError(
                f"cannot create the output folder {display_path(target)}: "
                f"{display_path(ancestor)} is a file, not a folder",
                hint="pass --out with a path whose parents are folders",
            )


def _create_parent(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _check_parents_are_folders(target)
        raise OutputError(
            f"cannot create the folder {display_path(target.parent)}: {error.strerror}",
            hint="check that the folder is writable",
        ) from None


# The lock and leftovers of killed builds.


@contextmanager
def _locked(folder: Path) -> Iterator[bool]:
    """Hold an exclusive lock on `folder`; yield False where locks do not work.

    flock on the folder itself needs no lock file, and the kernel releases it
    when its holder dies, even by SIGKILL. While one build has the lock, no other
    build can remove its staging folder as a leftover.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise OutputError(
            f"cannot open the folder {display_path(folder)}: {error.strerror}",
            hint="check that the folder is readable by this user",
        ) from None

    try:
        yield _acquire_lock(descriptor, folder)
    finally:
        os.close(descriptor)


def _acquire_lock(descriptor: int, folder: Path) -> bool:
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except OSError as error:
            # Some network file systems do not support flock.
            if error.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                return False
            raise
        if time.monotonic() > deadline:
            raise OutputError(
                f"another obsgen build has been writing into "
                f"{display_path(folder)} for {LOCK_TIMEOUT_SECONDS:.0f} seconds",
                hint="wait for that build to finish, or stop it",
            )
        time.sleep(_LOCK_POLL_SECONDS)


def _leftover_pattern(target: Path) -> re.Pattern[str]:
    # The names that _create_staging (tempfile.mkdtemp adds 8 characters of
    # [a-z0-9_]) and write_bundle's retired folder use, and nothing else.
    prefix = re.escape(f".{target.name}.")
    return re.compile(prefix + r"(?:new-[a-z0-9_]{8}|old-[0-9]+)")


def _remove_leftovers(target: Path) -> list[str]:
    pattern = _leftover_pattern(target)
    try:
        with os.scandir(target.parent) as entries:
            leftovers = sorted(
                Path(entry.path)
                for entry in entries
                if pattern.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
            )
    except OSError as error:
        raise OutputError(
            f"cannot list the folder {display_path(target.parent)}: {error.strerror}",
            hint="check that the folder is readable by this user",
        ) from None

    warnings = []
    for folder in leftovers:
        warnings += _remove_folder(folder, "the leftover folder of a stopped build")
    return warnings


def _remove_folder(folder: Path, description: str) -> list[str]:
    """Remove `folder`; return one warning when some of it stays."""
    if not os.path.lexists(folder):
        return []
    failures: list[tuple[str, OSError]] = []
    shutil.rmtree(
        folder, onerror=lambda _function, path, info: failures.append((path, info[1]))
    )
    if not failures:
        return []
    path, error = failures[0]
    return [
        f"cannot remove {description} {display_path(folder)}: {error.strerror} on "
        f"{display_path(path)}; remove it by hand"
    ]


# Writing and swapping.


def _create_staging(target: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as error:
        raise OutputError(
            f"cannot create a folder in {display_path(target.parent)}: "
            f"{error.strerror}",
            hint="check that the folder is writable",
        ) from None


def _write_files(staging: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        os.chmod(path, 0o644)
    os.chmod(staging, 0o755)


def _swap(staging: Path, target: Path, retired: Path) -> None:
    if os.path.lexists(target):
        os.rename(target, retired)
    os.rename(staging, target)


def _recover(
    error: BaseException, staging: Path | None, target: Path, retired: Path
) -> BaseException:
    """Finish or undo a write that `error` stopped; return the exception to raise."""
    with interrupts_ignored():
        replaced = _settle(staging, target, retired)

    if replaced and isinstance(error, KeyboardInterrupt):
        return Interrupted(signal_number(error), bundle_replaced=True)
    if isinstance(error, OSError):
        return OutputError(
            f"cannot write the bundle to {display_path(target)}: "
            f"{error.strerror} ({display_path(error.filename or target)})",
            hint="check the free space and permissions; the previous bundle is "
            "unchanged",
        )
    return error


def _settle(staging: Path | None, target: Path, retired: Path) -> bool:
    """Undo a swap that has not completed, or finish one that has.

    Returns whether the new bundle is in place. The staging folder exists
    from its creation until the second rename, so its presence shows how far
    the swap got.
    """
    if staging is None:
        return False
    if not os.path.lexists(staging):
        _remove_folder(retired, "the previous bundle's folder")
        return True

    if os.path.lexists(retired) and not os.path.lexists(target):
        try:
            os.rename(retired, target)
        except OSError as error:
            raise OutputError(
                f"cannot move the previous bundle back from "
                f"{display_path(retired)} to {display_path(target)}: "
                f"{error.strerror}",
                hint=f"move {display_path(retired)} back to "
                f"{display_path(target)} by hand",
            ) from None
    shutil.rmtree(staging, ignore_errors=True)
    return False
