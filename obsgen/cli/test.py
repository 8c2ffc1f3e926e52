"""`obsgen test`: run the bundle's scenarios with the real promtool."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import click

from obsgen.bundle.build import build_bundle
from obsgen.bundle.coverage import RuleCoverage, read_coverage
from obsgen.bundle.write import write_bundle
from obsgen.cli.build import DEFAULT_CONFIG
from obsgen.cli.options import dashboards_option, rules_option
from obsgen.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    ObsgenError,
    SourceLocation,
)
from obsgen.promtool import (
    DEFAULT_TIMEOUT_SECONDS,
    FileResult,
    find_failed_tests,
    find_promtool,
    run_test_files,
    test_files_of,
)


@click.command()
@click.option(
    "--config",
    "config_path",
    # A folder is reported by the loader, with the exit code of invalid input.
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="Service configuration file (YAML).",
)
@rules_option
@dashboards_option
@click.option(
    "--bundle",
    "bundle_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Test this built bundle folder instead of building one from the definitions.",
)
@click.option(
    "--promtool",
    default="promtool",
    show_default=True,
    help="The promtool executable: a name on PATH or a path.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds that one promtool run may take.",
)
def test(
    config_path: Path,
    rules_dir: Path,
    dashboards_dir: Path,
    bundle_dir: Path | None,
    promtool: str,
    timeout: float,
) -> None:
    """Run every scenario with promtool test rules.

    Fails when a scenario fails, when promtool prints a warning, or when an
    alert lacks a firing or a silent scenario.
    """
    sys.exit(
        _run_test(config_path, rules_dir, dashboards_dir, bundle_dir, promtool, timeout)
    )


def _run_test(
    config_path: Path,
    rules_dir: Path,
    dashboards_dir: Path,
    bundle_dir: Path | None,
    promtool: str,
    timeout: float,
) -> int:
    try:
        executable = find_promtool(promtool)
        if bundle_dir is not None:
            return _test_bundle(executable, bundle_dir, {}, timeout)
        bundle = build_bundle(config_path, rules_dir, dashboards_dir)
        locations = {entry.test_name: entry.location for entry in bundle.scenarios}
        with tempfile.TemporaryDirectory(prefix="obsgen-test-") as scratch:
            built = Path(scratch) / "bundle"
            write_bundle(bundle.files, built)
            return _test_bundle(executable, built, locations, timeout)
    except ObsgenError as error:
        click.echo(error.render(), err=True)
        return error.exit_code


def _test_bundle(
    promtool: str,
    bundle_dir: Path,
    locations: dict[str, SourceLocation | None],
    timeout: float,
) -> int:
    test_files = test_files_of(bundle_dir)
    coverage = read_coverage(bundle_dir, test_files)
    _print_coverage(coverage)

    started = time.monotonic()
    results = run_test_files(promtool, test_files, timeout)
    elapsed = time.monotonic() - started
    scenarios = sum(entry.firing + entry.silent + entry.records for entry in coverage)

    failed_files = [result for result in results if result.returncode != 0]
    warnings = [warning for result in results for warning in result.warnings]
    failed_count = _report_failures(promtool, failed_files, locations, timeout)
    for result in results:
        for warning in result.warnings:
            click.echo(
                f"promtool warning in {_test_file_name(result)}: {warning}", err=True
            )

    alerts = [entry for entry in coverage if entry.alerting]
    unproven = [entry for entry in alerts if not entry.proven]
    findings = []
    if failed_files:
        findings.append(
            (
                f"{failed_count} of {scenarios} scenarios failed in promtool",
                "fix the rule or the scenario at the location shown",
            )
        )
    if warnings:
        findings.append(
            (
                f"promtool printed {len(warnings)} warning(s), which obsgen counts "
                "as failures",
                "rebuild the bundle with obsgen build; promtool warns, for "
                "example, when a rule_files pattern matches no file",
            )
        )
    if unproven:
        names = ", ".join(entry.name for entry in unproven)
        findings.append(
            (
                f"alerts without a firing and a silent scenario: {names}",
                "rebuild the bundle with obsgen build, which requires both",
            )
        )
    for message, hint in findings:
        click.echo(f"error: {message}\n  hint: {hint}", err=True)
    if findings:
        return EXIT_FINDINGS

    click.echo(
        f"obsgen: promtool passed {scenarios} scenarios in {len(test_files)} test "
        f"files in {elapsed:.1f}s",
        err=True,
    )
    return EXIT_OK


def _test_file_name(result: FileResult) -> str:
    return f"prometheus/tests/{result.path.name}"


def _print_coverage(coverage: list[RuleCoverage]) -> None:
    alerts = [entry for entry in coverage if entry.alerting]
    records = [entry for entry in coverage if not entry.alerting]
    width = max((len(entry.name) for entry in alerts), default=len("ALERT"))
    click.echo(f"{'ALERT':<{width}}  FIRING  SILENT")
    for entry in alerts:
        click.echo(f"{entry.name:<{width}}  {entry.firing:>6}  {entry.silent:>6}")

    if records:
        width = max(len(entry.name) for entry in records)
        click.echo()
        click.echo(f"{'RECORDING RULE':<{width}}  SCENARIOS")
        for entry in records:
            click.echo(f"{entry.name:<{width}}  {entry.records:>9}")

    proven = sum(1 for entry in alerts if entry.proven)
    share = 100 * proven / len(alerts) if alerts else 100.0
    click.echo()
    click.echo(
        f"{proven} of {len(alerts)} alerts ({share:.0f}%) have a firing and a silent "
        "scenario"
    )


def _report_failures(
    promtool: str,
    failed_files: list[FileResult],
    locations: dict[str, SourceLocation | None],
    timeout: float,
) -> int:
    """Print each failed scenario with its location; return how many failed."""
    count = 0
    for result in failed_files:
        failed_tests = find_failed_tests(promtool, result, timeout)
        if not failed_tests:
            # The file itself is invalid, so no test group ran on its own.
            click.echo(f"FAILED {_test_file_name(result)}", err=True)
            click.echo(_indent(result.output), err=True)
            count += 1
            continue
        for failed in failed_tests:
            count += 1
            click.echo(f"FAILED {failed.name}", err=True)
            location = locations.get(failed.name)
            if location is not None:
                click.echo(f"  at {location}", err=True)
            click.echo(f"  in {_test_file_name(result)}", err=True)
            click.echo(_indent(_without_header(failed.output)), err=True)
    return count


def _without_header(output: str) -> str:
    lines = [
        line
        for line in output.splitlines()
        if line.strip() and not line.startswith("Unit Testing:")
    ]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.strip().splitlines())
