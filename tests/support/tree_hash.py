"""Hashing a folder tree, to prove that a failed build changed nothing."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


def hash_tree(root: Path) -> dict[str, str]:
    """Return every entry below `root` by relative POSIX path, with a fingerprint.

    A file's fingerprint is the sha256 of its bytes and its mode, a folder's is
    its mode, and a symlink's is its target: symlinks are not followed.
    """
    fingerprints = {}
    for folder, folder_names, file_names in os.walk(root):
        for name in sorted(folder_names + file_names):
            path = Path(folder, name)
            fingerprints[path.relative_to(root).as_posix()] = _fingerprint(path)
    return dict(sorted(fingerprints.items()))


def _fingerprint(path: Path) -> str:
    status = path.lstat()
    mode = oct(stat.S_IMODE(status.st_mode))
    if stat.S_ISLNK(status.st_mode):
        return f"symlink -> {os.readlink(path)}"
    if stat.S_ISDIR(status.st_mode):
        return f"folder {mode}"
    if stat.S_ISREG(status.st_mode):
        return f"file {mode} sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}"
    return f"special {oct(status.st_mode)}"
