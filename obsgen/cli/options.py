"""Options that several subcommands share, defined once."""

from __future__ import annotations

from pathlib import Path

import click

rules_option = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("rules"),
    show_default=True,
    help="Folder of rule definition modules.",
)

dashboards_option = click.option(
    "--dashboards",
    "dashboards_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dashboards"),
    show_default=True,
    help="Folder of dashboard definition modules.",
)
