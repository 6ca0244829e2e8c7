"""``linli keys``: the data key that encrypts ID and phone numbers."""

from __future__ import annotations

import base64
import secrets

import typer
from rich.progress import Progress

from linli.audit import keys
from linli.cli.common import check_database, runtime
from linli.migrations.models import Base

app = typer.Typer(help="The personal-data key: make a new one, rotate to it.", no_args_is_help=True)


@app.command()
def new() -> None:
    """Print a new random data key (base64 of 32 bytes) for LINLI_DATA_KEY or a key file."""
    typer.echo(base64.b64encode(secrets.token_bytes(32)).decode())


@app.command()
def rotate() -> None:
    """Re-encrypt every personal field under the current key (LINLI_DATA_KEY), reading old values with
    LINLI_DATA_KEY_PREVIOUS. Safe to interrupt and run again; the app keeps serving meanwhile.
    """
    rt = runtime()
    check_database(rt)
    with rt.sessions() as session, Progress() as bar:
        task = bar.add_task("re-encrypting", total=None)

        def show(table: str, done: int, total: int) -> None:
            bar.update(task, description=f"re-encrypting {table}", completed=done, total=total)

        changed = keys.rotate(session, Base, show)
    typer.echo(
        f"re-encrypted {changed} rows; when every server runs with the new key alone, remove LINLI_DATA_KEY_PREVIOUS"
    )
