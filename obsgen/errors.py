"""Errors that obsgen reports to its user as one message, without a traceback."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

# Exit codes of the command line, documented in the README.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INVALID_INPUT = 3
EXIT_COULD_NOT_RUN = 4

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


@dataclass(frozen=True)
class SourceLocation:
    """A file and 1-based line that a definition or configuration value came from."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


def display_path(path: str | os.PathLike[str]) -> str:
    """Return `path` relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return os.path.abspath(path)
    return relative


def caller_location() -> SourceLocation | None:
    """Return the location of the innermost caller outside the obsgen package.

    Definitions call obsgen constructors and decorators; the frame just outside
    obsgen is the line of the user's definition.
    """
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        inside_obsgen = filename.startswith(_PACKAGE_DIR + os.sep)
        if not inside_obsgen and not filename.startswith("<"):
            return SourceLocation(filename, frame.f_lineno)
        frame = frame.f_back
    return None


class ObsgenError(Exception):
    """An error with what failed, where, and what to do about it."""

    exit_code = EXIT_COULD_NOT_RUN

    def __init__(
        self,
        message: str,
        *,
        location: SourceLocation | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def render(self) -> str:
        """Format the error as the lines the command line prints."""
        lines = [f"error: {self.message}"]
        if self.location is not None:
            lines.append(f"  at {self.location}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class DefinitionError(ObsgenError):
    """A rule or dashboard definition is invalid."""

    exit_code = EXIT_INVALID_INPUT


class ConfigError(ObsgenError):
    """A service configuration file is missing or invalid."""

    exit_code = EXIT_INVALID_INPUT


class OutputError(ObsgenError):
    """The bundle could not be written or compared."""

    exit_code = EXIT_COULD_NOT_RUN


class BundleError(ObsgenError):
    """A bundle folder given as input lacks files or contains invalid ones."""

    exit_code = EXIT_INVALID_INPUT


class ToolError(ObsgenError):
    """An external tool such as promtool is missing, crashed or timed out."""

    exit_code = EXIT_COULD_NOT_RUN
