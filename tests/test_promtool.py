"""promtool accepts every generated rule file and the test Prometheus configuration."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from obsgen.config import ServiceConfig
from tests.support.bundle import rule_files, rule_groups
from tests.support.prometheus import ScrapeTarget, copy_rule_files, render_config

RULES_FOUND_RE = re.compile(
    r"^Checking (?P<path>\S+)\n  SUCCESS: (?P<count>\d+) rules found$", re.MULTILINE
)


def run_promtool(promtool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *map(str, args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def count_rules(path: Path) -> int:
    return sum(len(group.get("rules") or []) for group in rule_groups(path))


def rules_found(output: str) -> dict[str, int]:
    return {
        match["path"]: int(match["count"]) for match in RULES_FOUND_RE.finditer(output)
    }


def test_bundle_has_rule_files(example_bundle: Path) -> None:
    assert rule_files(example_bundle), "the bundle has no prometheus/rules/*.yaml"


def test_check_rules_each_file(example_bundle: Path, promtool: str) -> None:
    for path in rule_files(example_bundle):
        result = run_promtool(promtool, "check", "rules", path)
        output = result.stdout + result.stderr

        assert result.returncode == 0, f"promtool check rules {path}:\n{output}"
        assert "FAILED" not in output, output
        assert rules_found(output) == {str(path): count_rules(path)}, output


def test_check_rules_rejects_invalid(promtool: str, tmp_path: Path) -> None:
    # Shows that the checks above can fail: promtool parses the PromQL.
    path = tmp_path / "broken.rules.yaml"
    path.write_text(
        "groups:\n- name: broken\n  rules:\n  - alert: Broken\n    expr: rate(up[5m]\n"
    )

    result = run_promtool(promtool, "check", "rules", path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED" in result.stdout + result.stderr


def test_check_test_prometheus_config(
    example_bundle: Path,
    promtool: str,
    service_config: ServiceConfig,
    tmp_path: Path,
) -> None:
    copies = copy_rule_files(rule_files(example_bundle), tmp_path / "rules", "1s")
    target = ScrapeTarget("127.0.0.1:9", service_config.job, service_config.namespace)
    config_path = tmp_path / "prometheus.yml"
    config_path.write_text(render_config(copies, target))

    result = run_promtool(promtool, "check", "config", config_path)
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert f"SUCCESS: {len(copies)} rule files found" in output, output
    assert f"SUCCESS: {config_path} is valid prometheus config file syntax" in output
    assert rules_found(output) == {str(path): count_rules(path) for path in copies}
