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


def _prometheus_url(check_id, request):
    # Live checks run against a real Prometheus; the others need none.
    if check_id.startswith("live/"):
        return request.getfixturevalue("reference_prometheus")
    return None


@pytest.mark.parametrize("check_id", check_ids())
def test_failing_example_fails(check_id, tmp_path, fastapi_catalog, request):
    example = examples(get_check(check_id))[0]
    paths = _write_example(tmp_path, example.files)
    url = _prometheus_url(check_id, request)
    problems = lint_files(paths, fastapi_catalog, SCRAPE_INTERVAL_MS, url)
    assert check_id in {problem.check for problem in problems}, problems


@pytest.mark.parametrize("check_id", check_ids())
def test_passing_example_is_clean(check_id, tmp_path, fastapi_catalog, request):
    example = examples(get_check(check_id))[1]
    paths = _write_example(tmp_path, example.files)
    url = _prometheus_url(check_id, request)
    problems = lint_files(paths, fastapi_catalog, SCRAPE_INTERVAL_MS, url)
    assert problems == []
