"""The bad-input corpus: each malformed input gets one clear, located report."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from obsgen.cli import main
from tests.support.project import CATALOG, Project

CORPUS = Path(__file__).resolve().parent
PROBLEM_CHECK = re.compile(r":\d+:\d+: (?:error|warning|info) ([a-z]+/[a-z-]+) ")
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


def _invoke(args: list[str]):
    return CliRunner().invoke(main, args)


def _assert_clean_failure(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_corpus_size():
    cases = sum(
        len(EXPECTED[kind]) for kind in ("files", "sets", "definitions", "configs")
    )
    assert cases >= 40
    listed = set(EXPECTED["files"]) | set(EXPECTED["sets"])
    on_disk = {p.name for p in (CORPUS / "files").iterdir()} | {
        p.name for p in (CORPUS / "sets").iterdir()
    }
    assert listed == on_disk
    assert set(EXPECTED["definitions"]) == {
        p.name for p in (CORPUS / "definitions").glob("*.py")
    }


def _check_json(path: Path, tmp_path: Path):
    before = sorted(tmp_path.rglob("*"))
    result = _invoke(
        [
            "check",
            str(path),
            "--scrape-interval",
            "15s",
            "--catalog",
            str(CATALOG),
            "--format",
            "json",
        ]
    )
    _assert_clean_failure(result)
    assert sorted(tmp_path.rglob("*")) == before
    return result, json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(EXPECTED["files"]))
def test_file_case(name, tmp_path):
    expected = EXPECTED["files"][name]
    result, problems = _check_json(CORPUS / "files" / name, tmp_path)
    assert result.exit_code in (0, 1)
    assert sorted({problem["check"] for problem in problems}) == expected["checks"]
    assert any(expected["message"] in problem["message"] for problem in problems), (
        problems
    )
    first = problems[0]
    assert f"{first['line']}:{first['column']}" == expected["position"]
    assert all(problem["path"].endswith(name) for problem in problems)


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool is not installed"
)
@pytest.mark.parametrize(
    "name", sorted(n for n in EXPECTED["files"] if n.startswith("rules-"))
)
def test_rule_file_case_agrees_with_promtool(name):
    expected = EXPECTED["files"][name].get("promtool", "accept")
    result = subprocess.run(
        ["promtool", "check", "rules", str(CORPUS / "files" / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ("accept" if result.returncode == 0 else "reject") == expected, result.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED["sets"]))
def test_set_case(name, tmp_path):
    expected = EXPECTED["sets"][name]
    result, problems = _check_json(CORPUS / "sets" / name, tmp_path)
    assert result.exit_code == 1
    assert sorted({problem["check"] for problem in problems}) == expected["checks"]
    assert any(expected["message"] in problem["message"] for problem in problems), (
        problems
    )


def _project(tmp_path: Path, module: str) -> Project:
    project = Project(tmp_path)
    project.write_config()
    project.rules.mkdir()
    project.dashboards.mkdir()
    folder = project.rules if module.startswith("rules_") else project.dashboards
    shutil.copy(CORPUS / "definitions" / module, folder / module)
    if module.startswith("dashboard_"):
        shutil.copy(
            CORPUS.parent / "fixtures" / "dashboards" / "traffic.py",
            project.dashboards / "fixture_traffic.py",
        )
    return project


@pytest.mark.parametrize("name", sorted(EXPECTED["definitions"]))
def test_definition_case(name, tmp_path):
    expected = EXPECTED["definitions"][name]
    project = _project(tmp_path, name)
    result = _invoke(["build", *project.args(), "--out", str(project.out)])
    _assert_clean_failure(result)
    assert result.exit_code == 3, result.output
    assert not project.out.exists()
    assert result.stdout == ""
    location = f"{name}:{expected['line']}"
    if "check" in expected:
        assert f"/{location}:1: error {expected['check']} " in result.stderr
        assert set(PROBLEM_CHECK.findall(result.stderr)) == {expected["check"]}
    else:
        assert result.stderr.startswith("error: "), result.stderr
        assert expected["error"] in result.stderr
        assert f"/{location}\n" in result.stderr
    assert "nothing was written" in result.stderr or "hint:" in result.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED["configs"]))
def test_config_case(name, tmp_path):
    expected = EXPECTED["configs"][name]
    project = Project(tmp_path)
    project.copy_example_rules()
    project.dashboards.mkdir()
    config = CORPUS / "configs" / name
    args = ["build", "--config", str(config), "--rules", str(project.rules)]
    result = _invoke(
        [*args, "--dashboards", str(project.dashboards), "--out", str(project.out)]
    )
    _assert_clean_failure(result)
    assert result.exit_code == 3, result.output
    assert not project.out.exists()
    assert expected["error"] in result.stderr
    assert "hint:" in result.stderr
    if expected["line"] is not None:
        assert f":{expected['line']}\n" in result.stderr
