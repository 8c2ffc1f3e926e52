"""Each check's documented examples: the failing one fails, the passing one is clean."""

from __future__ import annotations

import pytest

from obsgen.lint.docs import examples
from obsgen.lint.files import lint_files
from obsgen.lint.registry import check_ids, get_check

SCRAPE_INTERVAL_MS = 15_000


def _write_example(tmp_path, files):
    paths = []
    for index, (language, text) in enumerate(files):
        path = tmp_path / f"example{index}.{language}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("check_id", check_ids())
def test_failing_example_fails(check_id, tmp_path, fastapi_catalog):
    example = examples(get_check(check_id))[0]
    paths = _write_example(tmp_path, example.files)
    problems = lint_files(paths, fastapi_catalog, SCRAPE_INTERVAL_MS)
    assert check_id in {problem.check for problem in problems}, problems


@pytest.mark.parametrize("check_id", check_ids())
def test_passing_example_is_clean(check_id, tmp_path, fastapi_catalog):
    example = examples(get_check(check_id))[1]
    paths = _write_example(tmp_path, example.files)
    problems = lint_files(paths, fastapi_catalog, SCRAPE_INTERVAL_MS)
    assert problems == []
