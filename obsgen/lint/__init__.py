"""Lint checks for rule files, dashboards and provisioning, built or on disk.

`lint_bundle` checks a bundle built in memory, `lint_files` existing files;
both return sorted Problem values. The checks are listed in
obsgen.lint.checks and documented in docs/checks.md.
"""

from obsgen.lint.bundle import lint_bundle
from obsgen.lint.files import lint_files
from obsgen.lint.problem import Problem, Severity
from obsgen.lint.registry import REGISTRY, UnknownCheckError, get_check

__all__ = [
    "REGISTRY",
    "Problem",
    "Severity",
    "UnknownCheckError",
    "get_check",
    "lint_bundle",
    "lint_files",
]
