"""``linli init`` and ``linli demo``: a database ready to use."""

from __future__ import annotations

from pathlib import Path

import typer

from linli import migrations
from linli.cli.common import CliError, check_database, runtime


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        admin: str = typer.Option("admin", help="User name of the first administrator"),
        area_code: str = typer.Option(None, "--area-code", help="6-digit code of the district to create"),
        area_name: str = typer.Option(None, "--area-name", help="Name of the district"),
        admin_password_file: Path = typer.Option(None, help="Read the administrator's password from this file"),
    ) -> None:
        """Create or upgrade the schema; on a new database create the district and its administrator."""
        from linli.synth import bootstrap

        rt = runtime()
        check_database(rt)
        migrations.upgrade(rt.engine)
        rt.settings.personal_data_key()
        with rt.sessions() as session:
            if bootstrap.has_users(session):
                typer.echo(f"schema at {migrations.current(rt.engine)}; accounts exist, nothing else to do")
                return
            if not area_code or not area_name:
                raise CliError("a new database needs --area-code and --area-name for its district")
            if admin_password_file:
                if not admin_password_file.is_file():
                    raise CliError(f"no such file: {admin_password_file}")
                password = admin_password_file.read_text().strip()
            else:
                password = typer.prompt("Administrator password", hide_input=True, confirmation_prompt=True)
            bootstrap.first_admin(session, admin, password, area_code, area_name)
        typer.echo(f"schema at {migrations.current(rt.engine)}; administrator {admin} created for {area_name}")
