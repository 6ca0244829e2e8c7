"""``linli demo``: fill an empty database with 阳台山社区 (or a whole district) and the demo accounts."""

from __future__ import annotations

import typer

from linli import migrations
from linli.cli.common import CliError, check_database, runtime


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        seed: int = typer.Option(2019, help="Seed: the same seed gives the same demo"),
        scale: str = typer.Option("community", help="community (阳台山社区, 9,000+ people) or district (1,000,000)"),
        residents: int = typer.Option(None, min=0, help="Override the number of residents (for quick trials)"),
    ) -> None:
        """Create the schema and load the demo into an empty database; print the demo accounts."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from linli.accounts.permissions import ROLE_NAMES
        from linli.synth import demo as synth

        if scale not in ("community", "district"):
            raise CliError(f"unknown scale {scale!r}: choose community or district")
        rt = runtime()
        check_database(rt)
        migrations.upgrade(rt.engine)
        rt.settings.personal_data_key()
        columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with rt.sessions() as session, Progress(*columns, transient=True) as bar:
            task = bar.add_task("residents", total=None)

            def progress(what: str, done: int, total: int) -> None:
                bar.update(task, description=what, completed=done, total=total)

            summary = synth.build_demo(session, seed, scale, residents, progress)  # type: ignore[arg-type]
        typer.echo(
            f"demo loaded in {summary.seconds:.0f} s (seed {summary.seed}): {summary.grids} grids, "
            f"{summary.buildings} buildings, {summary.households} households, {summary.residents} residents, "
            f"{summary.cared} people under care"
        )
        if summary.orders:
            typer.echo(
                f"and the year before today: {summary.logs:,} grid logs, {summary.orders} work orders "
                f"({summary.overdue} overdue)"
            )
        typer.echo(
            f"and the supply side: {summary.volunteers:,} volunteers, {summary.teams} teams, "
            f"{summary.resources:,} resources ({summary.on_hand} on hand in 阳台山社区)"
        )
        typer.echo(f"and {summary.courses} courses of the 阳光小课堂")
        typer.echo(
            f"and self-governance: {summary.councils} councils and groups, {summary.votes} votes in the 五好 "
            f"selections, {summary.stories} stories"
        )
        typer.echo(f"and the street: {summary.events} grid events, {summary.disputes} disputes under mediation")
        typer.echo(f"accounts (password {synth.DEMO_PASSWORD}):")
        for account in summary.accounts:
            typer.echo(f"  {account.username:<9} {account.display_name}（{ROLE_NAMES[account.role]}）")
