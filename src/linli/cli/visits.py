"""``linli visits``: a worker's list in the terminal, the year of demo logs, recomputing rhythms and alerts."""

from __future__ import annotations

from datetime import date

import typer

from linli.cli.common import CliError, check_database, runtime

app = typer.Typer(help="千户访: worklists, grid logs, rhythms and alerts.", no_args_is_help=True)


@app.command()
def worklist(
    user: str = typer.Option(..., "--user", help="The grid worker's user name"),
    day: str = typer.Option("", "--date", help="The day (YYYY-MM-DD); today by default"),
    lang: str = typer.Option("zh", "--lang", help="zh or en"),
) -> None:
    """Print a grid worker's list for a day: today's visits by building, contacts, then later this week."""
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import select

    from linli.accounts.models import User
    from linli.accounts.services import load_scope
    from linli.visits.worklist import worklist as build

    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        raise CliError(f"not a date: {day!r} (use YYYY-MM-DD)") from None
    rt = runtime()
    check_database(rt)
    with rt.sessions() as session:
        account = session.scalar(select(User).where(User.username == user))
        if account is None:
            raise CliError(f"no user {user!r}")
        scope = load_scope(session, account.id, account.session_version)
        listed = build(session, scope, chosen, locale="en" if lang == "en" else "zh")
    table = Table(title=f"{listed.worker} · {listed.date} · {len(listed.items)}")
    for column in ("slot", "kind", "building", "room", "due", "priority", "reason"):
        table.add_column(column)
    for i in listed.items:
        table.add_row(i.slot, i.kind, i.building, i.room, str(i.due_date), str(i.priority), i.reason)
    Console().print(table)
    for grid in listed.unowned_grids:
        typer.echo(f"warning: no grid worker owns {grid.name} ({grid.due} due)")


@app.command("demo-logs")
def demo_logs(
    days: int = typer.Option(365, min=1, max=3660, help="How many days of logs, up to yesterday"),
    seed: int = typer.Option(2019, help="Seed: the same seed gives the same logs"),
) -> None:
    """Grow the logs the rhythm would have made over the demo's households; days already logged are left alone.

    A year is ~10 million logs at district scale. The demo's households came onto linli a year before it was
    built, so logs start no earlier than that; a community-scale `linli demo` already brings that year.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from linli.visits.grow import grow_logs

    rt = runtime()
    check_database(rt)
    columns = (TextColumn("households"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with rt.sessions() as session, Progress(*columns, transient=True) as bar:
        task = bar.add_task("logs", total=None)
        grown = grow_logs(
            session, days, seed, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    typer.echo(f"{grown.logs} grid logs over {grown.households} households in {grown.seconds:.0f} s")


@app.command()
def recompute() -> None:
    """Recompute every household's rhythm from members, tags, rules, overrides and logs (after a bulk import)."""
    from linli.db.engine import transaction
    from linli.visits.rhythm import recompute_rhythm

    rt = runtime()
    check_database(rt)
    with rt.sessions() as session, transaction(session):
        count = recompute_rhythm(session, None, from_logs=True)
    typer.echo(f"{count} households recomputed")


@app.command()
def alerts() -> None:
    """Open the overdue close-care alerts that are due and close those no longer overdue (a daily job)."""
    from sqlalchemy import select

    from linli.areas.models import Area
    from linli.lib import clock
    from linli.visits.alerts import refresh_overdue

    rt = runtime()
    check_database(rt)
    with rt.sessions() as session:
        grids = [(g, c or g) for g, c in session.execute(select(Area.id, Area.parent_id).where(Area.level == "grid"))]
        changed = refresh_overdue(session, grids, clock.today(), rt.settings.visit_alert_grace_days)
    typer.echo(f"{changed} alerts opened or closed")
