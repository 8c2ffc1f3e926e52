"""Compiling the rules' scenarios into the bundle's promtool test files."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

import promql_parser

from obsgen.definitions.rules import AlertingRule, RecordingRule, RuleGroup
from obsgen.errors import DefinitionError, SourceLocation
from obsgen.render.promtool_tests import (
    alert_test_group,
    display_names,
    expr_test_group,
    render_test_file,
)

TESTS_DIR = "prometheus/tests"


@dataclass(frozen=True)
class RuleFile:
    """The rule groups of one definition module and the rule file they went to."""

    module: str
    source: str
    path: str
    groups: tuple[RuleGroup, ...]


@dataclass(frozen=True)
class ScenarioEntry:
    """Where a test group of the bundle was defined, for obsgen test's messages."""

    test_name: str
    test_file: str
    location: SourceLocation | None


def check_scenario_coverage(rule_files: Sequence[RuleFile]) -> None:
    """Raise DefinitionError for the first alert without a firing or a silent
    scenario: an alert not proven both ways may never fire, or always fire."""
    for rule_file in rule_files:
        for group in rule_file.groups:
            for rule in group.alerts:
                missing = []
                if not rule.firing_scenarios:
                    missing.append("no firing scenario")
                if not rule.silent_scenarios:
                    missing.append("no silent scenario")
                if missing:
                    raise DefinitionError(
                        f"alert {rule.alert!r} has {' and '.join(missing)}",
                        location=rule.location,
                        hint="add scenarios=(fires(...), stays_silent(...)) to prove "
                        "that it fires when it should and stays silent otherwise",
                    )


def render_scenario_tests(
    rule_files: Sequence[RuleFile], evaluation_interval: str
) -> tuple[dict[str, bytes], list[ScenarioEntry]]:
    """Return the test files of all scenarios, and where each test was defined."""
    rules = [
        rule
        for rule_file in rule_files
        for group in rule_file.groups
        for rule in group.rules
    ]
    names = display_names([(rule.name, rule.labels) for rule in rules])
    display = {id(rule): name for rule, name in zip(rules, names, strict=True)}
    recorded_in = {
        rule.record: rule_file.path
        for rule_file in rule_files
        for group in rule_file.groups
        for rule in group.rules
        if isinstance(rule, RecordingRule)
    }

    files: dict[str, bytes] = {}
    entries: list[ScenarioEntry] = []
    for rule_file in rule_files:
        path = f"{TESTS_DIR}/{rule_file.module}.test.yaml"
        tests = []
        for group in rule_file.groups:
            for rule in group.rules:
                for scenario in rule.scenarios:
                    if isinstance(rule, AlertingRule):
                        test = alert_test_group(rule, display[id(rule)], scenario)
                    else:
                        test = expr_test_group(rule, display[id(rule)], scenario)
                    tests.append(test)
                    entries.append(ScenarioEntry(test["name"], path, scenario.location))
        if not tests:
            continue
        needed = [rule_file.path, *_files_recording(rule_file, recorded_in)]
        relative = [posixpath.relpath(needed_path, TESTS_DIR) for needed_path in needed]
        files[path] = render_test_file(
            rule_file.source, relative, evaluation_interval, tests
        )
    return files, entries


def _files_recording(rule_file: RuleFile, recorded_in: dict[str, str]) -> list[str]:
    """Return the other rule files whose recorded series the rules of `rule_file`
    read, so that promtool evaluates them too."""
    read: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            read.add(node.name)

    for group in rule_file.groups:
        for rule in group.rules:
            promql_parser.walk(promql_parser.parse(rule.expr), pre_visit=visit)
    paths = {recorded_in[name] for name in read if name in recorded_in}
    paths.discard(rule_file.path)
    return sorted(paths)
