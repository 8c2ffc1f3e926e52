"""The registry, the check modules and docs/checks.md agree."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import obsgen.lint.checks as checks_package
from obsgen.lint.check import Check
from obsgen.lint.docs import DOCS_PATH, examples, render_docs
from obsgen.lint.problem import Severity
from obsgen.lint.registry import REGISTRY, UnknownCheckError, check_ids, get_check

ID_PATTERN = re.compile(r"^[a-z]+/[a-z]+(-[a-z]+)*$")


def _check_modules() -> dict[str, object]:
    return {
        info.name: importlib.import_module(f"{checks_package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(checks_package.__path__)
    }


def test_every_module_is_registered():
    modules = _check_modules()
    registered_modules = {
        check.__module__.rsplit(".", 1)[1] for check in REGISTRY.values()
    }
    assert set(modules) == registered_modules


@pytest.mark.parametrize("check_id", check_ids())
def test_module_named_after_id(check_id):
    check = get_check(check_id)
    expected = check_id.replace("/", "_").replace("-", "_")
    assert check.__module__ == f"obsgen.lint.checks.{expected}"
    assert ID_PATTERN.match(check_id), check_id
    assert issubclass(check, Check)
    assert isinstance(check.severity, Severity)


@pytest.mark.parametrize("check_id", check_ids())
def test_docstring_has_examples(check_id):
    check = get_check(check_id)
    found = examples(check)
    assert [example.fails for example in found] == [True, False]
    for example in found:
        assert example.files, f"{check_id}: an example without a code block"
    assert check.summary().endswith(".")


def test_unknown_id_raises():
    with pytest.raises(UnknownCheckError) as raised:
        get_check("promql/no-such-check")
    assert "promql/no-such-check" in str(raised.value)


def test_docs_file_is_current():
    assert DOCS_PATH.read_text(encoding="utf-8") == render_docs(), (
        "docs/checks.md differs from the checks' docstrings; run "
        "python -m obsgen.lint.docs"
    )


def test_docs_lists_every_check():
    text = DOCS_PATH.read_text(encoding="utf-8")
    for check_id in check_ids():
        assert f"\n## {check_id}\n" in text
