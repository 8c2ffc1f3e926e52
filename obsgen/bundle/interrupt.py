"""Stopping obsgen cleanly on SIGINT, SIGTERM and SIGHUP.

Python raises KeyboardInterrupt on SIGINT (Ctrl-C), so `finally` blocks and
`except BaseException` handlers run. SIGTERM and SIGHUP kill the process at
once by default. Inside `terminate_as_interrupt` they raise the same kind of
exception, so a bundle write can restore the previous bundle on any of them.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

TERMINATING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
INTERRUPTING_SIGNALS = (signal.SIGINT, *TERMINATING_SIGNALS)


class Interrupted(KeyboardInterrupt):
    """A signal that stopped obsgen the way Ctrl-C does.

    `bundle_replaced` is True when the signal arrived after the new bundle had
    already taken the previous bundle's place.
    """

    def __init__(
        self, signum: int = signal.SIGINT, *, bundle_replaced: bool = False
    ) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.bundle_replaced = bundle_replaced


def signal_number(interrupt: KeyboardInterrupt) -> int:
    """Return the signal behind `interrupt`: SIGINT for a plain KeyboardInterrupt."""
    if isinstance(interrupt, Interrupted):
        return interrupt.signum
    return signal.SIGINT


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _in_main_thread() -> bool:
    # Only the main thread can set signal handlers, and Python runs them there.
    return threading.current_thread() is threading.main_thread()


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Raise Interrupted on SIGTERM and SIGHUP inside the block.

    A signal whose handler is not the default one (ignored, or set by the
    program that embeds obsgen) keeps its handler. Outside the main thread
    the block changes nothing.
    """
    previous = {}
    if _in_main_thread():
        for signum in TERMINATING_SIGNALS:
            if signal.getsignal(signum) == signal.SIG_DFL:
                previous[signum] = signal.signal(signum, _raise_interrupted)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ignore SIGINT, SIGTERM and SIGHUP inside the block.

    A restore of the previous bundle runs in such a block, so that a second
    Ctrl-C cannot stop it halfway. Signals that arrive meanwhile are dropped.
    A handler that was not set from Python cannot be restored, so it stays.
    """
    previous = {}
    if _in_main_thread():
        for signum in INTERRUPTING_SIGNALS:
            if signal.getsignal(signum) is not None:
                previous[signum] = signal.signal(signum, signal.SIG_IGN)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Block SIGINT, SIGTERM and SIGHUP inside the block; deliver them after it.

    A folder created inside such a block is always known to the code that
    cleans it up: the signal cannot land between the mkdir and the assignment.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTING_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
