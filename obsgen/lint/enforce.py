"""The lint step of `obsgen build`: errors stop the build, warnings are shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from obsgen.errors import EXIT_INVALID_INPUT, ObsgenError
from obsgen.lint.problem import Problem, Severity
from obsgen.lint.report import format_text

if TYPE_CHECKING:
    from obsgen.bundle.build import Bundle


class CheckError(ObsgenError):
    """Lint found problems of severity error in a bundle."""

    exit_code = EXIT_INVALID_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"{len(problems)} lint problem(s) of severity error; nothing was written",
            hint="fix the definitions, or suppress a check with a reason "
            '(suppress={"check/id": "reason"}); see docs/checks.md',
        )
        self.problems = problems

    def render(self) -> str:
        lines = [format_text(problem) for problem in self.problems]
        return "\n".join([*lines, super().render()])


def enforce_checks(bundle: Bundle) -> list[Problem]:
    """Run the checks on `bundle`; raise CheckError if one finds an error.

    Returns the problems below severity error, for the caller to show.
    """
    from obsgen.lint.bundle import lint_bundle

    problems = lint_bundle(bundle)
    errors = [problem for problem in problems if problem.severity >= Severity.ERROR]
    if errors:
        raise CheckError(errors)
    return problems
