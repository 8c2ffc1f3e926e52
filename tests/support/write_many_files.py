"""Write a bundle of many files with write_bundle, for tests that signal it.

Usage: python -m tests.support.write_many_files OUT_DIR FILE_COUNT

Prints `writing` when the write starts and `wrote SECONDS` when it ends. On
an interrupt it exits 128 + the signal number, as `obsgen build` does, after
printing `replaced` when the new bundle was already in place.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from obsgen.bundle.build import MARKER_FILE, MARKER_TEXT
from obsgen.bundle.interrupt import Interrupted, signal_number
from obsgen.bundle.write import write_bundle


def many_files(count: int) -> dict[str, bytes]:
    """Return `count` files of 2 KiB each plus the bundle marker."""
    files = {MARKER_FILE: MARKER_TEXT}
    for number in range(count):
        files[f"data/{number // 100:03d}/{number:05d}.txt"] = (
            f"{number}\n".encode() * 400
        )[:2048]
    return files


def main() -> int:
    out_dir = Path(sys.argv[1])
    files = many_files(int(sys.argv[2]))
    print("writing", flush=True)
    started = time.monotonic()
    try:
        write_bundle(files, out_dir)
    except KeyboardInterrupt as interrupt:
        if isinstance(interrupt, Interrupted) and interrupt.bundle_replaced:
            print("replaced", flush=True)
        return 128 + signal_number(interrupt)
    print(f"wrote {time.monotonic() - started:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
