"""The base class of every lint check."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import ClassVar

from obsgen.lint.model import Finding, LintContext
from obsgen.lint.problem import Severity


class Check:
    """One lint check. Subclasses set `id` and `severity` and implement `run`.

    The class docstring is the check's user documentation: its first line is
    the summary, and it has a failing and a passing example.
    """

    id: ClassVar[str]
    severity: ClassVar[Severity]

    @classmethod
    def summary(cls) -> str:
        return cls.documentation().splitlines()[0].strip()

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    def run(self, context: LintContext) -> Iterable[Finding]:
        raise NotImplementedError
