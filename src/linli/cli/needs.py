"""``linli needs`` (the SLA tick, the calendar, the catalogue's defaults) and ``linli worker``."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Holding, Scope
from linli.cli.common import CliError, check_database, runtime

app = typer.Typer(
    help="Needs and work orders: the SLA tick, the working-day calendar, the catalogue.", no_args_is_help=True
)


def _system(session: Session) -> Scope:
    """Return the system's reach over every district, audited as ``cli``."""
    from linli.areas.models import Area

    roots = session.execute(select(Area.id, Area.path, Area.name).where(Area.parent_id.is_(None))).all()
    return Scope(None, "cli", "cli", tuple(Holding("admin", i, path, name) for i, path, name in roots))


@app.command("sla-tick")
def sla_tick() -> None:
    """Run the escalation once: mark overdue orders, notify, climb levels. Safe to run at any time, twice at once."""
    from linli.needs import escalation

    rt = runtime()
    check_database(rt)
    with rt.sessions() as session:
        result = escalation.tick(session)
    typer.echo(
        f"overdue {result.overdue}, to community {result.community}, to street {result.street}, "
        f"notifications {result.notified}"
    )


@app.command("calendar-import")
def calendar_import(file: Path = typer.Argument(..., help="CSV with the columns date,kind,name")) -> None:
    """Replace the working-day calendar of the years the file covers (holiday / workday = 调休 rows)."""
    from linli.errors import ValidationErrors
    from linli.needs import catalogue

    if not file.is_file():
        raise CliError(f"no such file: {file}")
    rt = runtime()
    check_database(rt)
    with rt.sessions() as session:
        try:
            years = catalogue.import_calendar(session, _system(session), file.read_text(encoding="utf-8-sig"))
        except ValidationErrors as error:
            raise CliError("; ".join(e.text("en") for e in error.errors)) from None
    typer.echo(f"calendar imported for {', '.join(map(str, years))}")


@app.command()
def seed() -> None:
    """Add the default service categories, urgency levels and shipped calendar years that are missing."""
    from linli.needs import catalogue

    rt = runtime()
    check_database(rt)
    with rt.sessions() as session:
        catalogue.seed(session)
    typer.echo("needs catalogue ready")


def register(root: typer.Typer) -> None:
    @root.command()
    def worker(
        every: int = typer.Option(60, min=5, max=3600, help="Seconds between two SLA ticks"),
    ) -> None:
        """Run the background jobs (the SLA tick every minute); one worker per database holds the lock."""
        import logging

        from linli.needs import worker as jobs

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        rt = runtime()
        check_database(rt)
        jobs.run(rt, lambda line: typer.echo(line, err=True), every)
