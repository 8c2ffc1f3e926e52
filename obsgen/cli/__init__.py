"""The `obsgen` command line: a thin click layer over the core.

Each subcommand lives in a module of its own and returns an exit code; only
this layer calls sys.exit.
"""

from __future__ import annotations

import logging
import sys

import click

from obsgen.cli.build import build
from obsgen.cli.test import test


@click.group()
@click.version_option(package_name="obsgen")
@click.option("-v", "--verbose", is_flag=True, help="Log each step on stderr.")
def main(verbose: bool) -> None:
    """Compile Python definitions of Prometheus rules and Grafana dashboards
    into a monitoring bundle."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="obsgen: %(message)s",
        stream=sys.stderr,
    )


main.add_command(build)
main.add_command(test)
