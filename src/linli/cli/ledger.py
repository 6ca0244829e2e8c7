"""``linli ledger``: the resident ledger (台账) — the template, import and export of Excel workbooks.

Without ``--user`` a command acts as the system over the whole database (audited as ``cli``); with
it, as that user, within their reach and permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from linli.cli.common import CliError, check_database, cli_locale, runtime
from linli.runtime import Runtime

app = typer.Typer(
    help="The resident ledger (台账): template, import and export of Excel workbooks.", no_args_is_help=True
)

STAGES = {
    "reading": "读取",
    "checking": "检查",
    "matching": "比对",
    "preparing": "准备",
    "writing": "写入",
    "done": "完成",
    "exporting": "导出",
}
SHOWN = 20  # refused rows printed; the report has them all


@contextmanager
def _bar() -> Iterator[Callable[[str, int, int], None]]:
    """Yield a progress callback ``(stage, done, total)`` drawing a rich progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<6}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("读取", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=STAGES.get(stage, stage), completed=done, total=total or None)

        yield progress


def _open() -> Runtime:
    rt = runtime()
    check_database(rt)
    rt.settings.personal_data_key()
    return rt


@app.command()
def template(
    file: Path = typer.Argument(..., help="Where to write the template (.xlsx)"),
    user: str = typer.Option(None, "--user", help="List the grids of this user (default: every grid)"),
) -> None:
    """Write the ledger template: the columns, drop-down lists and a sheet explaining each column."""
    from linli.ledger.access import acting_scope
    from linli.ledger.template import write_template

    rt = _open()
    with rt.sessions() as session:
        write_template(session, acting_scope(session, user), file)
    typer.echo(f"template written to {file}")


@app.command(name="import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The ledger (.xlsx or .csv)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and report; write nothing"),
    partial: bool = typer.Option(False, "--partial", help="Import the valid rows even when some are refused"),
    report: Path = typer.Option(None, "--report", help="Write the report (the ledger with a reason column) here"),
    user: str = typer.Option(None, "--user", help="Import as this user, into their grids only"),
) -> None:
    """Import a ledger: all valid rows or nothing (unless --partial); exit 1 when rows were refused."""
    from linli.ledger.access import acting_scope
    from linli.ledger.importing import import_ledger
    from linli.ledger.reading import open_ledger
    from linli.ledger.report import write_report

    rt = _open()
    with rt.sessions() as session, _bar() as progress:
        result = import_ledger(
            session,
            acting_scope(session, user),
            file,
            file_name=file.name,
            dry_run=dry_run,
            partial=partial,
            progress=progress,
        )
    if report:
        write_report(open_ledger(file), result, report)
    zh = cli_locale() == "zh"
    outcome = (
        ("已导入" if zh else "imported")
        if result.committed
        else ("试导入，未写入" if zh else "dry run, nothing written")
        if dry_run
        else ("有错误，未导入任何行" if zh else "rows refused, nothing imported")
    )
    typer.echo(
        f"{file.name}: {outcome} — {result.total} rows: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.rejected} refused"
    )
    if result.unknown_columns:
        typer.echo(f"unknown columns ignored: {', '.join(result.unknown_columns)}")
    for r in result.rejections[:SHOWN]:
        typer.echo(f"  row {r.line} {r.column}: {r.zh if zh else r.en}", err=True)
    if len(result.rejections) > SHOWN:
        more = len(result.rejections) - SHOWN
        typer.echo(f"  … {more} more" + ("" if report else " (write them all with --report FILE.xlsx)"), err=True)
    if report:
        typer.echo(f"report written to {report}")
    if result.rejected:
        raise typer.Exit(1)


@app.command()
def export(
    file: Path = typer.Argument(..., help="Where to write the ledger (.xlsx)"),
    area: str = typer.Option(..., "--area", help="Code of the community, grid or street to export"),
    unmasked: bool = typer.Option(False, "--unmasked", help="Full ID numbers and phones (needs the permission)"),
    user: str = typer.Option(None, "--user", help="Export as this user, within their reach"),
) -> None:
    """Export the residents of an area to a workbook with the template's columns."""
    from linli.ledger.access import acting_scope
    from linli.ledger.exporting import export_ledger

    if file.suffix.lower() != ".xlsx":
        raise CliError("the export is an .xlsx workbook: give a file name ending in .xlsx")
    rt = _open()
    with rt.sessions() as session, _bar() as progress:
        count = export_ledger(
            session,
            acting_scope(session, user),
            area,
            file,
            unmasked=unmasked,
            progress=progress,
        )
    typer.echo(f"{count} residents written to {file}" + ("" if unmasked else " (ID numbers and phones masked)"))
