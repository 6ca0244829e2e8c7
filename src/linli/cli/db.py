"""``linli db``: the schema and its migrations."""

from __future__ import annotations

import typer
from alembic.util import CommandError

from linli import migrations
from linli.cli.common import CliError, check_database, runtime

app = typer.Typer(help="The database schema: upgrade, current revision, drift check.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("heads", help="Target revision (default: every newest one)")) -> None:
    """Create or upgrade the schema to the newest revision."""
    rt = runtime()
    check_database(rt)
    try:
        migrations.upgrade(rt.engine, revision)
    except CommandError as error:
        raise CliError(f"cannot upgrade to {revision}: {str(error).splitlines()[0]}") from None
    typer.echo(f"schema at {migrations.current(rt.engine)}")


@app.command()
def current() -> None:
    """Print the schema revision of the database."""
    rt = runtime()
    check_database(rt)
    typer.echo(migrations.current(rt.engine) or "none (run `linli db upgrade`)")


@app.command()
def check() -> None:
    """Fail when the models and the migrated schema differ (a migration is missing)."""
    rt = runtime()
    check_database(rt)
    if migrations.current(rt.engine) != migrations.head():
        raise CliError(
            f"schema at {migrations.current(rt.engine)}, code at {migrations.head()}: run `linli db upgrade`"
        )
    differences = migrations.drift(rt.engine)
    if differences:
        raise CliError(f"models and migrations differ: {differences}")
    typer.echo(f"schema at {migrations.head()}: models and migrations agree")
