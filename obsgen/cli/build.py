"""`obsgen build`: build a service's bundle, or check it for drift."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from obsgen.bundle.build import build_bundle
from obsgen.bundle.drift import compare_bundle
from obsgen.bundle.interrupt import (
    Interrupted,
    interrupts_ignored,
    signal_number,
    terminate_as_interrupt,
)
from obsgen.bundle.write import check_out_dir, write_bundle
from obsgen.cli.options import dashboards_option, rules_option
from obsgen.definitions.load import BuildInterrupted
from obsgen.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
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
    "out_path",
    # A string, not a Path: Path("") is ".", and an empty --out must be an error.
    type=click.Path(file_okay=False),
    default=None,
    help="Bundle folder to write. Default: bundle/ beside the configuration file. "
    "A symlink stays, and the folder it points to is replaced.",
)
@rules_option
@dashboards_option
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and name each file that differs from the bundle "
    "on disk.",
)
def build(
    config_path: Path,
    out_path: str | None,
    rules_dir: Path,
    dashboards_dir: Path,
    check: bool,
) -> None:
    """Build the monitoring bundle of one service.

    Exit codes: 0 written or up to date, 1 drift, 2 usage, 3 invalid input,
    4 could not write, 128 + the signal number when SIGINT (130), SIGHUP or
    SIGTERM stopped the build.
    """
    if out_path == "":
        click.echo(
            "error: the --out path is empty\n"
            "  hint: pass --out with a folder path, such as monitoring/<service>",
            err=True,
        )
        sys.exit(EXIT_USAGE)

    out_dir = config_path.parent / "bundle" if out_path is None else Path(out_path)
    sys.exit(_run_build(config_path, out_dir, rules_dir, dashboards_dir, check))


def _run_build(
    config_path: Path, out_dir: Path, rules_dir: Path, dashboards_dir: Path, check: bool
) -> int:
    try:
        with terminate_as_interrupt():
            if not check:
                check_out_dir(out_dir)
            bundle = build_bundle(config_path, rules_dir, dashboards_dir)
            for problem in bundle.warnings:
                click.echo(format_text(problem), err=True)
            if check:
                return _check_drift(bundle.files, out_dir)
            warnings = write_bundle(bundle.files, out_dir)
    except BuildInterrupted:
        # Ctrl-C while definition code ran, before anything was written.
        return _report_interrupt(KeyboardInterrupt(), out_dir)
    except ObsgenError as error:
        click.echo(error.render(), err=True)
        return error.exit_code
    except KeyboardInterrupt as interrupt:
        return _report_interrupt(interrupt, out_dir)

    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"obsgen: wrote {len(bundle.files)} files to {display_path(out_dir)}: "
        f"{bundle.alert_count} alerts, {bundle.recording_rule_count} recording rules, "
        f"{len(bundle.dashboards)} dashboards, {bundle.panel_count} panels",
        err=True,
    )
    return EXIT_OK


def _check_drift(files: dict[str, bytes], out_dir: Path) -> int:
    drift = compare_bundle(files, out_dir)
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


def _report_interrupt(interrupt: KeyboardInterrupt, out_dir: Path) -> int:
    # Exit 128 + the signal number, as a shell reports a process that the
    # signal killed, and never 1, which means drift.
    with interrupts_ignored():
        if isinstance(interrupt, Interrupted) and interrupt.bundle_replaced:
            message = (
                "interrupted after the new bundle was written to "
                f"{display_path(out_dir)}"
            )
        else:
            message = "interrupted; the previous bundle is unchanged"
        click.echo(f"error: {message}", err=True)
    return 128 + signal_number(interrupt)
