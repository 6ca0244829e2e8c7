"""``linli db``: the schema and its migrations."""

from __future__ import annotations

import typer
from alembic.util import CommandError

from linli.cli.common import CliError, check_database, runtime
from linli.db import migrate

app = typer.Typer(help="The database schema: upgrade, current revision, drift check.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("heads", help="Target revision (default: every newest one)")) -> None:
    """Create or upgrade the schema to the newest revision."""
    rt = runtime()
    check_database(rt)
    try:
        migrate.upgrade(rt.engine, revision)
    except CommandError as error:
        raise CliError(f"cannot upgrade to {revision}: {str(error).splitlines()[0]}") from None
    typer.echo(f"schema at {migrate.current(rt.engine)}")


@app.command()
def current() -> None:
    """Print the schema revision of the database."""
    rt = runtime()
    check_database(rt)
    typer.echo(migrate.current(rt.engine) or "none (run `linli db upgrade`)")


@app.command()
def check() -> None:
    """Fail when the models and the migrated schema differ (a migration is missing)."""
    rt = runtime()
    check_database(rt)
    if migrate.current(rt.engine) != migrate.head():
        raise CliError(f"schema at {migrate.current(rt.engine)}, code at {migrate.head()}: run `linli db upgrade`")
    differences = migrate.drift(rt.engine)
    if differences:
        raise CliError(f"models and migrations differ: {differences}")
    typer.echo(f"schema at {migrate.head()}: models and migrations agree")
