"""``linli report`` and ``linli rollup``: an area's monthly or yearly workbook; the dashboard's rollups computed.

Without ``--user`` a command acts as the system over the whole database (audited as ``cli``); with
it, as that user, within their reach.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from sqlalchemy import select

from linli.cli.common import check_database, cli_locale, fail, runtime


def register(root: typer.Typer) -> None:
    @root.command()
    def report(
        area: str = typer.Option(..., "--area", help="The area's code (a grid, community, street or district)"),
        period: str = typer.Option(..., "--period", help="A month (2026-11) or a year (2026)"),
        out: Path = typer.Option(..., "--out", dir_okay=False, help="Where to write the workbook (.xlsx)"),
        user: str = typer.Option(None, "--user", help="Write it as this user, within their reach"),
    ) -> None:
        """Write an area's report for a month or a year: the figures, its children compared, the grid workers."""
        from linli.areas.models import Area
        from linli.ledger.access import acting_scope
        from linli.reports.workbook import report_workbook

        if out.suffix.lower() != ".xlsx":
            fail("the report is an Excel workbook: give --out a name ending in .xlsx")
        rt = runtime()
        check_database(rt)
        started = time.perf_counter()
        with rt.sessions() as session:
            area_id = session.scalar(select(Area.id).where(Area.code == area.strip()))
            if area_id is None:
                fail(f"there is no area with the code {area}")
            content, _ = report_workbook(
                session, acting_scope(session, user), area_id, period, rt.settings.evaluation_weights, cli_locale()
            )
        out.write_bytes(content)
        typer.echo(f"report written to {out} ({len(content) // 1024} KB, {time.perf_counter() - started:.1f} s)")

    @root.command()
    def rollup(
        months: int = typer.Option(12, "--months", min=1, max=36, help="How many months back, this one included"),
    ) -> None:
        """Compute the dashboard's monthly figures from the raw tables (the worker keeps them current)."""
        from linli.reports.rollup import backfill

        rt = runtime()
        check_database(rt)
        started = time.perf_counter()
        with rt.sessions() as session:
            done = backfill(session, months)
        typer.echo(
            f"{done['reports.months']} months, {done['reports.rows']} rows in {time.perf_counter() - started:.1f} s"
        )
