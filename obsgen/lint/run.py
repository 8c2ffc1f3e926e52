"""Running the checks and turning their findings into problems."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from obsgen.errors import display_path
from obsgen.lint.check import Check
from obsgen.lint.checks import ALL_CHECKS
from obsgen.lint.model import Document, Finding, LintContext
from obsgen.lint.problem import Problem
from obsgen.yamlsource import JsonPath, format_json_path

logger = logging.getLogger("obsgen.lint")


def problem_at(
    check: type[Check], document: Document, json_path: JsonPath, message: str
) -> Problem:
    """Return the problem `check` finds at `json_path` of `document`.

    The problem points at the Python definition that produced the value when
    there is one, and names the generated file's position as its artifact.
    """
    line, column = document.source.position(json_path)
    origin = document.origin(json_path)
    path, artifact = document.path, ""
    if origin is not None:
        artifact = f"{document.path}:{line}:{column}"
        path, line, column = display_path(origin.location.path), origin.location.line, 1
    return Problem(
        path=path,
        line=line,
        column=column,
        check=check.id,
        severity=check.severity,
        summary=check.summary(),
        message=message,
        json_path=format_json_path(json_path) if json_path else "",
        artifact=artifact,
    )


def _suppression(finding: Finding, check: type[Check]) -> str | None:
    # A suppression without a reason suppresses nothing; lint/suppression
    # reports it.
    reason = finding.document.suppressions(finding.json_path).get(check.id)
    return reason if reason and reason.strip() else None


def run_checks(
    context: LintContext, checks: Iterable[type[Check]] = ALL_CHECKS
) -> list[Problem]:
    """Run `checks` on `context` and return their problems, sorted by position."""
    problems = set()
    suppressed = 0
    for check in checks:
        for finding in check().run(context):
            reason = _suppression(finding, check)
            if reason is not None:
                suppressed += 1
                logger.debug(
                    "suppressed %s at %s: %s", check.id, finding.document.path, reason
                )
                continue
            problems.add(
                problem_at(check, finding.document, finding.json_path, finding.message)
            )
    if suppressed:
        logger.info("%d problems suppressed by reasoned suppressions", suppressed)
    return sorted(problems)
