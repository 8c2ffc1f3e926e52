"""How many firing and silent scenarios each rule of a bundle has, read from its
rule files and promtool test files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from obsgen.errors import BundleError, display_path
from obsgen.render.promtool_tests import display_names, parse_test_name


@dataclass
class RuleCoverage:
    """The scenarios of one rule: firing and silent ones for an alerting rule,
    expression scenarios for a recording rule."""

    name: str
    alerting: bool
    firing: int = 0
    silent: int = 0
    records: int = 0

    @property
    def proven(self) -> bool:
        """Return whether an alert fires in one scenario and stays silent in one."""
        return self.firing > 0 and self.silent > 0


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise BundleError(
            f"cannot read {display_path(path)}: {error}",
            hint="rebuild the bundle with obsgen build",
        ) from None


def _rules_of(bundle_dir: Path) -> list[tuple[str, dict[str, str], bool]]:
    rules = []
    for path in sorted((bundle_dir / "prometheus" / "rules").glob("*.yaml")):
        document = _load(path) or {}
        for group in document.get("groups") or []:
            for rule in group.get("rules") or []:
                alerting = "alert" in rule
                name = rule.get("alert") if alerting else rule.get("record")
                rules.append((str(name), dict(rule.get("labels") or {}), alerting))
    return rules


def read_coverage(bundle_dir: Path, test_files: list[Path]) -> list[RuleCoverage]:
    """Return the coverage of every rule in the bundle's rule files, in order."""
    rules = _rules_of(bundle_dir)
    names = display_names([(name, labels) for name, labels, _ in rules])
    coverage = {
        name: RuleCoverage(name, alerting)
        for name, (_, _, alerting) in zip(names, rules, strict=True)
    }

    for path in test_files:
        document = _load(path) or {}
        for test in document.get("tests") or []:
            parsed = parse_test_name(str(test.get("name") or ""))
            if parsed is None or parsed[0] not in coverage:
                continue
            entry = coverage[parsed[0]]
            for alert_test in test.get("alert_rule_test") or []:
                if alert_test.get("exp_alerts"):
                    entry.firing += 1
                else:
                    entry.silent += 1
            if not test.get("alert_rule_test"):
                entry.records += len(test.get("promql_expr_test") or [])
    return list(coverage.values())
