"""The registry of lint checks, by id."""

from __future__ import annotations

from obsgen.lint.check import Check
from obsgen.lint.checks import ALL_CHECKS


class UnknownCheckError(KeyError):
    """A check id that the registry does not contain."""

    def __init__(self, check_id: str) -> None:
        super().__init__(check_id)
        self.check_id = check_id

    def __str__(self) -> str:
        return f"unknown check id {self.check_id!r}; see docs/checks.md for the ids"


REGISTRY: dict[str, type[Check]] = {check.id: check for check in ALL_CHECKS}


def get_check(check_id: str) -> type[Check]:
    """Return the check class registered as `check_id`."""
    try:
        return REGISTRY[check_id]
    except KeyError:
        raise UnknownCheckError(check_id) from None


def check_ids() -> list[str]:
    """Return every registered check id, sorted."""
    return sorted(REGISTRY)
