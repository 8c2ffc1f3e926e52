"""`obsgen build` as a subprocess: determinism, drift check, errors and summary."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.bundle import read_tree, rule_files, rule_groups
from tests.support.dashboards import iter_panels, load_dashboards
from tests.support.obsgen_cli import build_example_bundle, describe, run_obsgen
from tests.support.paths import EXAMPLE_CONFIG

SUMMARY_RE = re.compile(
    r"^obsgen: wrote (?P<files>\d+) files to (?P<out>.+): (?P<alerts>\d+) alerts, "
    r"(?P<recording>\d+) recording rules, (?P<dashboards>\d+) dashboards, "
    r"(?P<panels>\d+) panels$",
    re.MULTILINE,
)


def assert_clean_error(result, exit_code: int, location: str | None = None) -> None:
    """Assert one `error:` line, a location and a hint, no traceback, no stdout."""
    error_lines = [
        line for line in result.stderr.splitlines() if line.startswith("error:")
    ]

    assert result.returncode == exit_code, describe(result)
    assert result.stdout == "", describe(result)
    assert len(error_lines) == 1, describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    assert "  hint: " in result.stderr, describe(result)
    if location is not None:
        assert f"  at {location}\n" in result.stderr + "\n", describe(result)


# Determinism.


def test_build_twice_identical(tmp_path: Path) -> None:
    first = tmp_path / "first"
    second = tmp_path / "second"

    build_example_bundle(first)
    snapshot = read_tree(first)
    build_example_bundle(first)
    build_example_bundle(second)

    assert snapshot, "the build wrote no files"
    assert read_tree(first) == snapshot
    assert read_tree(second) == snapshot


def test_build_independent_of_hash_seed(tmp_path: Path) -> None:
    trees = {}
    for seed in ("0", "1", "random"):
        out_dir = tmp_path / f"seed-{seed}"
        build_example_bundle(out_dir, env={"PYTHONHASHSEED": seed})
        trees[seed] = read_tree(out_dir)

    assert trees["0"] == trees["1"]
    assert trees["0"] == trees["random"]


# Drift check.


def test_check_fresh_bundle(tmp_path: Path) -> None:
    out_dir = tmp_path / "bundle"
    build_example_bundle(out_dir)

    result = run_obsgen(
        "build", "--config", EXAMPLE_CONFIG, "--out", out_dir, "--check"
    )

    assert result.returncode == 0, describe(result)
    assert result.stdout == ""
    assert "up to date" in result.stderr


@dataclass(frozen=True)
class Drift:
    kind: str
    name: str


def modify_file(out_dir: Path) -> Drift:
    path = rule_files(out_dir)[0]
    path.write_bytes(path.read_bytes() + b"# edited by hand\n")
    return Drift("changed", path.relative_to(out_dir).as_posix())


def add_file(out_dir: Path) -> Drift:
    path = out_dir / "prometheus" / "rules" / "extra.rules.yaml"
    path.write_text("groups: []\n")
    return Drift("unexpected", path.relative_to(out_dir).as_posix())


def delete_file(out_dir: Path) -> Drift:
    path = rule_files(out_dir)[-1]
    path.unlink()
    return Drift("missing", path.relative_to(out_dir).as_posix())


@pytest.mark.parametrize("change", [modify_file, add_file, delete_file])
def test_check_names_drifted_file(tmp_path: Path, change) -> None:
    out_dir = tmp_path / "bundle"
    build_example_bundle(out_dir)
    drift = change(out_dir)
    before = read_tree(out_dir)

    result = run_obsgen(
        "build", "--config", EXAMPLE_CONFIG, "--out", out_dir, "--check"
    )

    assert result.returncode == 1, describe(result)
    assert result.stdout == ""
    assert f"{drift.kind}: {out_dir / drift.name}\n" in result.stderr, describe(result)
    assert (
        len(re.findall(r"^(changed|missing|unexpected): ", result.stderr, re.MULTILINE))
        == 1
    )
    assert "out of date" in result.stderr
    assert read_tree(out_dir) == before, "--check changed the bundle"


# Invalid configuration.


def test_invalid_config_keeps_bundle(tmp_path: Path) -> None:
    out_dir = tmp_path / "bundle"
    build_example_bundle(out_dir)
    before = read_tree(out_dir)
    lines = EXAMPLE_CONFIG.read_text().splitlines(keepends=True)
    line_number = next(
        number
        for number, line in enumerate(lines, start=1)
        if line.strip().startswith("error_ratio_critical:")
    )
    lines[line_number - 1] = "  error_ratio_critical: 5\n"
    config = tmp_path / "service.yaml"
    config.write_text("".join(lines))

    result = run_obsgen("build", "--config", config, "--out", out_dir)

    assert_clean_error(result, 3, f"{config}:{line_number}")
    assert "thresholds.error_ratio_critical" in result.stderr
    assert read_tree(out_dir) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "bundle",
        "service.yaml",
    ]


# Invalid definitions. Each case is a module written into a project folder of
# its own; `# <-` marks the line the error must point at.

RULE_HEADER = """\
from obsgen import AlertingRule, RecordingRule, ServiceConfig, rule_group

"""

DASHBOARD_HEADER = """\
from grafana_foundation_sdk.builders import dashboard

from obsgen import ServiceConfig, grafana_dashboard

"""

BAD_DEFINITIONS = {
    "bad_for_duration": (
        "rules",
        RULE_HEADER
        + """
@rule_group("bad")
def bad(service: ServiceConfig):
    yield AlertingRule(  # <-
        alert="Bad",
        expr="up == 0",
        for_="5 minutes",
    )
""",
        "invalid for duration '5 minutes'",
    ),
    "invalid_promql": (
        "rules",
        RULE_HEADER
        + """
@rule_group("bad")
def bad(service: ServiceConfig):
    yield RecordingRule(record="job:up:sum", expr="sum(rate(up[5m])")  # <-
""",
        "invalid PromQL",
    ),
    "exception_in_rule_group": (
        "rules",
        RULE_HEADER
        + """
@rule_group("bad")
def bad(service: ServiceConfig):
    limit = service.thresholds.no_such_threshold  # <-
    yield AlertingRule(alert="Bad", expr=f"up > {limit}")
""",
        "AttributeError",
    ),
    "exception_in_dashboard": (
        "dashboards",
        DASHBOARD_HEADER
        + """
@grafana_dashboard("bad")
def bad(service: ServiceConfig):
    columns = 24 // len(service.enabled_providers[10:])  # <-
    return dashboard.Dashboard("Bad")
""",
        "ZeroDivisionError",
    ),
    "exception_at_import": (
        "rules",
        RULE_HEADER
        + 'THRESHOLDS = {"warning": 1}\nCRITICAL = THRESHOLDS["critical"]  # <-\n',
        "KeyError",
    ),
    "syntax_error": (
        "rules",
        RULE_HEADER
        + """
@rule_group("bad")
def bad(service: ServiceConfig):
    yield AlertingRule(alert="Bad", expr="up == 0"  # <-
""",
        "invalid Python syntax",
    ),
    "non_string_label": (
        "rules",
        RULE_HEADER
        + """
@rule_group("bad")
def bad(service: ServiceConfig):
    yield AlertingRule(  # <-
        alert="Bad",
        expr="up == 0",
        labels={"severity": "critical", "priority": 1},
    )
""",
        "label 'priority' has the non-string value 1",
    ),
}


def marked_line(source: str) -> int:
    return next(
        number
        for number, line in enumerate(source.splitlines(), start=1)
        if line.rstrip().endswith("# <-")
    )


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
def test_bad_definition_points_at_line(tmp_path: Path, case: str) -> None:
    kind, source, message = BAD_DEFINITIONS[case]
    (tmp_path / "rules").mkdir()
    (tmp_path / "dashboards").mkdir()
    module = tmp_path / kind / "bad.py"
    module.write_text(textwrap.dedent(source))
    out_dir = tmp_path / "out"

    result = run_obsgen(
        "build",
        "--config",
        EXAMPLE_CONFIG,
        "--rules",
        tmp_path / "rules",
        "--dashboards",
        tmp_path / "dashboards",
        "--out",
        out_dir,
    )

    assert_clean_error(result, 3, f"{module}:{marked_line(source)}")
    assert message in result.stderr, describe(result)
    assert not out_dir.exists()


# Output folder.


def test_refuses_foreign_folder(tmp_path: Path) -> None:
    out_dir = tmp_path / "somebody-elses"
    out_dir.mkdir()
    (out_dir / "notes.txt").write_text("keep me\n")

    result = run_obsgen("build", "--config", EXAMPLE_CONFIG, "--out", out_dir)

    assert_clean_error(result, 4)
    assert str(out_dir) in result.stderr
    assert read_tree(out_dir) == {"notes.txt": b"keep me\n"}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["somebody-elses"]


# Summary.


def test_summary_counts_bundle(tmp_path: Path) -> None:
    out_dir = tmp_path / "bundle"

    result = build_example_bundle(out_dir)
    summary = SUMMARY_RE.search(result.stderr)
    groups = [group for path in rule_files(out_dir) for group in rule_groups(path)]
    rules = [rule for group in groups for rule in group["rules"]]
    dashboards = load_dashboards(out_dir)
    panels = [
        panel
        for _, document in dashboards
        for panel in iter_panels(document)
        if panel.get("type") != "row"
    ]

    assert result.stdout == ""
    assert summary is not None, describe(result)
    assert summary["out"] == str(out_dir)
    assert int(summary["files"]) == len(read_tree(out_dir))
    assert int(summary["alerts"]) == sum("alert" in rule for rule in rules)
    assert int(summary["recording"]) == sum("record" in rule for rule in rules)
    assert int(summary["dashboards"]) == len(dashboards)
    assert int(summary["panels"]) == len(panels)
    assert int(summary["alerts"]) > 0
