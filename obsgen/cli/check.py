"""`obsgen check`: run the lint checks on a bundle project or on existing files.

Exit codes: 0 when no problem reaches --fail-on, 1 when one does, 2 for a
usage error, 3 when the definitions or configuration cannot be built, and
4 when the checks could not run (such as an unreachable --prometheus-url).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from obsgen.bundle.build import build_bundle
from obsgen.catalog import load_catalog
from obsgen.catalog.model import Catalog
from obsgen.cli.options import dashboards_option, rules_option
from obsgen.duration import DURATION_HINT, parse_duration
from obsgen.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ObsgenError
from obsgen.lint.bundle import bundle_context
from obsgen.lint.files import files_context
from obsgen.lint.model import DEFAULT_SCRAPE_INTERVAL_MS, LintContext
from obsgen.lint.problem import Problem, Severity
from obsgen.lint.report import REPORTERS
from obsgen.lint.run import run_checks
from obsgen.lint.sources import expand_paths

logger = logging.getLogger("obsgen.lint")

DEFAULT_CONFIG = Path("examples/example-service/service.yaml")
SEVERITIES = [severity.label for severity in Severity]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    # A folder is reported by the loader, with the exit code of invalid input.
    type=click.Path(path_type=Path),
    default=None,
    help="Service configuration of a bundle project to build and check. "
    f"Default without PATH: {DEFAULT_CONFIG}.",
)
@rules_option
@dashboards_option
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Metric catalog to check queries against. Default: the one the "
    "service configuration names.",
)
@click.option(
    "--scrape-interval",
    default=None,
    help="Scrape interval of the checked series, such as 15s. Default: the "
    "service configuration's, or 1m (Prometheus' default) for files.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="Output format on stdout.",
)
@click.option(
    "--show",
    type=click.Choice(SEVERITIES),
    default="info",
    show_default=True,
    help="Lowest severity to print.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit code 1, shown or not.",
)
@click.option(
    "--prometheus-url",
    default=None,
    help="Also check that every selector matches series on this Prometheus "
    "server, through its HTTP API.",
)
def check(
    paths: tuple[Path, ...],
    config_path: Path | None,
    rules_dir: Path,
    dashboards_dir: Path,
    catalog_path: Path | None,
    scrape_interval: str | None,
    output_format: str,
    show: str,
    fail_on: str,
    prometheus_url: str | None,
) -> None:
    """Check a bundle project, or the rule, dashboard and provisioning files in PATHS.

    Without PATHS, obsgen builds the bundle of --config in memory and checks
    it; problems then point at the Python definitions. Problems go to stdout
    as `file:line:col: severity check-id message`.
    """
    if paths and config_path is not None:
        raise click.UsageError("pass either PATHS or --config, not both")
    scrape_interval_ms = _scrape_interval(scrape_interval)
    request = CheckRequest(
        paths=paths,
        config_path=config_path or (None if paths else DEFAULT_CONFIG),
        rules_dir=rules_dir,
        dashboards_dir=dashboards_dir,
        catalog_path=catalog_path,
        scrape_interval_ms=scrape_interval_ms,
        prometheus_url=prometheus_url,
    )
    sys.exit(
        run_check(request, output_format, Severity.parse(show), Severity.parse(fail_on))
    )


def _scrape_interval(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        milliseconds = parse_duration(text)
    except ValueError:
        raise click.BadParameter(
            f"invalid duration {text!r}; {DURATION_HINT}",
            param_hint="--scrape-interval",
        ) from None
    if milliseconds <= 0:
        raise click.BadParameter("must be above 0", param_hint="--scrape-interval")
    return milliseconds


class CheckRequest:
    """The inputs of one `obsgen check` run: what it checks, and against what."""

    def __init__(
        self,
        paths: tuple[Path, ...],
        config_path: Path | None,
        rules_dir: Path,
        dashboards_dir: Path,
        catalog_path: Path | None,
        scrape_interval_ms: int | None,
        prometheus_url: str | None,
    ) -> None:
        self.paths = paths
        self.config_path = config_path
        self.rules_dir = rules_dir
        self.dashboards_dir = dashboards_dir
        self.catalog_path = catalog_path
        self.scrape_interval_ms = scrape_interval_ms
        self.prometheus_url = prometheus_url


def run_check(
    request: CheckRequest, output_format: str, show: Severity, fail_on: Severity
) -> int:
    """Run the checks and print the report; return the exit code."""
    try:
        problems = collect_problems(request)
    except ObsgenError as error:
        click.echo(error.render(), err=True)
        return error.exit_code

    shown = [problem for problem in problems if problem.severity >= show]
    click.echo(REPORTERS[output_format](shown), nl=False)
    failing = [problem for problem in problems if problem.severity >= fail_on]
    click.echo(_summary(problems, shown, failing, fail_on), err=True)
    return EXIT_FINDINGS if failing else EXIT_OK


def collect_problems(request: CheckRequest) -> list[Problem]:
    """Build the lint context of `request`, run every check, return the problems."""
    catalog = load_catalog(request.catalog_path) if request.catalog_path else None
    context, load_problems = _context(request, catalog)
    if request.prometheus_url:
        context.prometheus_url = request.prometheus_url
    return sorted([*load_problems, *run_checks(context)])


def _context(
    request: CheckRequest, catalog: Catalog | None
) -> tuple[LintContext, list[Problem]]:
    if request.config_path is not None:
        bundle = build_bundle(
            request.config_path,
            request.rules_dir,
            request.dashboards_dir,
            run_checks=False,
        )
        context = bundle_context(bundle, catalog)
        if request.scrape_interval_ms is not None:
            context.scrape_interval_ms = request.scrape_interval_ms
        return context, []

    missing = [path for path in request.paths if not path.exists()]
    if missing:
        raise _UsageError(f"path not found: {missing[0]}")
    if not expand_paths(request.paths):
        raise _UsageError("no JSON or YAML files in the given paths")
    interval = request.scrape_interval_ms or DEFAULT_SCRAPE_INTERVAL_MS
    return files_context(request.paths, catalog, interval)


class _UsageError(ObsgenError):
    exit_code = EXIT_USAGE


def _summary(
    problems: list[Problem],
    shown: list[Problem],
    failing: list[Problem],
    fail_on: Severity,
) -> str:
    counts = {severity: 0 for severity in Severity}
    for problem in problems:
        counts[problem.severity] += 1
    parts = ", ".join(f"{counts[s]} {s.label}" for s in sorted(Severity, reverse=True))
    hidden = len(problems) - len(shown)
    hidden_text = f" ({hidden} not shown)" if hidden else ""
    verdict = (
        f"failed: {len(failing)} at {fail_on.label} or above" if failing else "passed"
    )
    return f"obsgen: {len(problems)} problems{hidden_text}: {parts}; {verdict}"
