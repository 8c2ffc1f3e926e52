"""`obsgen build`: build a service's bundle, or check it for drift."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from obsgen.bundle.build import build_bundle
from obsgen.bundle.write import compare_bundle, write_bundle
from obsgen.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    ObsgenError,
    display_path,
)
from obsgen.lint.report import format_text

DEFAULT_CONFIG = Path("examples/example-service/service.yaml")


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
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Bundle folder to write. Default: bundle/ beside the configuration file.",
)
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("rules"),
    show_default=True,
    help="Folder of rule definition modules.",
)
@click.option(
    "--dashboards",
    "dashboards_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dashboards"),
    show_default=True,
    help="Folder of dashboard definition modules.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and name each file that differs from the bundle "
    "on disk.",
)
def build(
    config_path: Path,
    out_dir: Path | None,
    rules_dir: Path,
    dashboards_dir: Path,
    check: bool,
) -> None:
    """Build the monitoring bundle of one service."""
    if out_dir is None:
        out_dir = config_path.parent / "bundle"
    sys.exit(_run_build(config_path, out_dir, rules_dir, dashboards_dir, check))


def _run_build(
    config_path: Path, out_dir: Path, rules_dir: Path, dashboards_dir: Path, check: bool
) -> int:
    try:
        bundle = build_bundle(config_path, rules_dir, dashboards_dir)
        for problem in bundle.warnings:
            click.echo(format_text(problem), err=True)
        if check:
            drift = compare_bundle(bundle.files, out_dir)
            for name in drift.changed:
                click.echo(f"changed: {display_path(out_dir / name)}", err=True)
            for name in drift.missing:
                click.echo(f"missing: {display_path(out_dir / name)}", err=True)
            for name in drift.unexpected:
                click.echo(f"unexpected: {display_path(out_dir / name)}", err=True)
            if drift:
                click.echo(
                    f"obsgen: the bundle in {display_path(out_dir)} is out of date; "
                    "run obsgen build and commit the result",
                    err=True,
                )
                return EXIT_FINDINGS
            click.echo(f"obsgen: {display_path(out_dir)} is up to date", err=True)
            return EXIT_OK
        write_bundle(bundle.files, out_dir)
    except ObsgenError as error:
        click.echo(error.render(), err=True)
        return error.exit_code

    click.echo(
        f"obsgen: wrote {len(bundle.files)} files to {display_path(out_dir)}: "
        f"{bundle.alert_count} alerts, {bundle.recording_rule_count} recording rules, "
        f"{len(bundle.dashboards)} dashboards, {bundle.panel_count} panels",
        err=True,
    )
    return EXIT_OK
