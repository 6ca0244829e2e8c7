"""``linli audit``: verify the tamper-evident chain, prune events past retention."""

from __future__ import annotations

from datetime import timedelta

import typer

from linli.audit import trail
from linli.cli.common import CliError, check_database, runtime
from linli.lib import clock

app = typer.Typer(help="The audit trail: verify the hash chain, prune old events.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Check every event's hash and link; name the first edited, deleted or reordered one."""
    rt = runtime()
    check_database(rt)
    with rt.sessions() as session:
        verdict = trail.verify_chain(session)
    if verdict.first_bad_id is not None:
        raise CliError(
            f"audit chain broken at event {verdict.first_bad_id} ({verdict.checked} events before it are intact)"
        )
    typer.echo(f"audit chain intact: {verdict.checked} events")


@app.command()
def prune(
    older_than_days: int = typer.Option(365, min=trail.MIN_RETENTION_DAYS, help="Delete events older than this"),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation"),
) -> None:
    """Delete audit events older than N days (at least 180); the prune itself is recorded."""
    today = clock.today()
    before = today - timedelta(days=older_than_days)
    if not yes and not typer.confirm(f"Delete audit events before {before.isoformat()}?"):
        raise typer.Exit(1)
    rt = runtime()
    check_database(rt)
    with rt.sessions() as session:
        removed = trail.prune(session, before, today)
    typer.echo(f"removed {removed} events before {before.isoformat()}")
