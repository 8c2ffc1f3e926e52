"""The `obsgen` command line: a thin click layer over the core.

Each subcommand lives in a module of its own and returns an exit code; only
this layer calls sys.exit.
"""

from __future__ import annotations

import logging
import sys

import click

from obsgen.cli.build import build
from obsgen.cli.catalog import catalog
from obsgen.cli.check import check
from obsgen.cli.test import test
from obsgen.definitions.load import EXIT_INTERRUPTED
from obsgen.errors import EXIT_COULD_NOT_RUN


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
main.add_command(catalog)
main.add_command(check)


def run() -> None:
    """Run the command line.

    Ctrl-C exits 130 with one line, not click's `Aborted!` and exit 1, which
    would read as findings; an unexpected exception becomes exit code 4.
    """
    try:
        status = main.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("error: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        logging.getLogger("obsgen").debug("internal error", exc_info=True)
        click.echo(
            f"error: internal error: {type(error).__name__}: {error}\n"
            "  hint: rerun with obsgen -v to see the traceback, and report it",
            err=True,
        )
        sys.exit(EXIT_COULD_NOT_RUN)
    sys.exit(status or 0)


main.add_command(test)
