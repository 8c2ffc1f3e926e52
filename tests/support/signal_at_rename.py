"""Run the obsgen command line with os.rename patched to signal this process.

Usage: python -m tests.support.signal_at_rename SIGNAL N ARGS...

Right after the Nth call of os.rename returns, the process sends itself
SIGNAL (a name such as SIGTERM), so that the signal lands at an exact step of
the bundle swap: N=1 between the two renames, N=2 after both. ARGS are the
arguments of `obsgen`.
"""

from __future__ import annotations

import os
import signal
import sys

from obsgen.cli import run


def main() -> None:
    signum = signal.Signals[sys.argv[1]]
    signalling_call = int(sys.argv[2])
    real_rename = os.rename
    calls = 0

    def rename(source: str, destination: str) -> None:
        nonlocal calls
        real_rename(source, destination)
        calls += 1
        if calls == signalling_call:
            os.kill(os.getpid(), signum)

    os.rename = rename
    sys.argv = ["obsgen", *sys.argv[3:]]
    run()


if __name__ == "__main__":
    main()
