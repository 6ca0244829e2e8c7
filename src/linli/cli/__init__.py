"""The ``linli`` command. Each sub-module adds one group; every command calls services.

Wrong input ends with a one-line reason on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys

import typer

import linli.civic  # the SLA tick lists late follow-ups of council decisions
import linli.courses  # the SLA tick lapses courses' unconfirmed offers
import linli.events  # keeps grid events' stages in step when a command moves an order
import linli.institutions  # the SLA tick marks institutions' overdue findings
import linli.reports  # the worker refreshes the dashboard's monthly rollups
import linli.volunteers  # noqa: F401  (keeps volunteers' tasks in step when a command moves an order)
from linli import __version__
from linli.cli import audit, common, db, demo, keys, ledger, needs, report, serve, setup, visits
from linli.errors import DomainError

app = typer.Typer(
    help="linli 邻里 — community grid governance and neighbour mutual aid.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """linli 邻里: grids, households, residents, visits, needs."""


app.add_typer(db.app, name="db")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(ledger.app, name="ledger")
app.add_typer(needs.app, name="needs")
app.add_typer(visits.app, name="visits")
needs.register(app)
setup.register(app)
serve.register(app)
demo.register(app)
report.register(app)


def main() -> None:
    """Run the CLI, turning refusals into one line and exit code 2."""
    try:
        app()
    except DomainError as error:
        common.fail(error.text(common.cli_locale()))
    except common.CliError as error:
        common.fail(str(error))
    except KeyboardInterrupt:
        sys.exit(130)
