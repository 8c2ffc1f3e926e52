"""Reporters: the text, JSON and GitHub Actions formats of a list of problems."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from obsgen.lint.problem import Problem, Severity


def format_text(problem: Problem) -> str:
    """Format a problem as `file:line:col: severity check-id message`."""
    text = (
        f"{problem.path}:{problem.line}:{problem.column}: "
        f"{problem.severity.label} {problem.check} {problem.message}"
    )
    if problem.artifact:
        text += f" [{problem.artifact} {problem.json_path}]"
    return text


def report_text(problems: Iterable[Problem]) -> str:
    return "".join(format_text(problem) + "\n" for problem in problems)


def report_json(problems: Iterable[Problem]) -> str:
    data = [problem.to_dict() for problem in problems]
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


_GITHUB_LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def _github_escape(text: str, *, property_value: bool = False) -> str:
    # GitHub's workflow command escaping (actions/toolkit, command.ts).
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def report_github(problems: Iterable[Problem]) -> str:
    lines = []
    for problem in problems:
        properties = ",".join(
            [
                f"file={_github_escape(problem.path, property_value=True)}",
                f"line={problem.line}",
                f"col={problem.column}",
                f"title={_github_escape(problem.check, property_value=True)}",
            ]
        )
        message = _github_escape(problem.message)
        lines.append(f"::{_GITHUB_LEVELS[problem.severity]} {properties}::{message}\n")
    return "".join(lines)


REPORTERS: dict[str, Callable[[Iterable[Problem]], str]] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
}
