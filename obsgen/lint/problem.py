"""The result of a check: one immutable Problem per finding."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """The severity of a problem. Higher values are worse, so severities compare."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Return the severity called `text` (case-insensitive)."""
        try:
            return cls[text.upper()]
        except KeyError:
            names = ", ".join(severity.label for severity in cls)
            raise ValueError(
                f"unknown severity {text!r}; use one of: {names}"
            ) from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: where it is, which check found it, and what to do.

    `path`, `line` and `column` point at the Python definition when a
    definition produced the value, otherwise at the file that contains it.
    `artifact` then names the generated file and position, and `json_path`
    the value inside it, such as `groups[0].rules[1].expr`.
    """

    path: str
    line: int
    column: int
    check: str
    severity: Severity
    summary: str
    message: str
    json_path: str = ""
    artifact: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "check": self.check,
            "severity": self.severity.label,
            "summary": self.summary,
            "message": self.message,
            "json_path": self.json_path,
            "artifact": self.artifact,
        }
