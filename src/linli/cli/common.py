"""What every command shares: the runtime from the environment, and how to fail."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from linli.config import get_settings
from linli.runtime import Runtime


class CliError(Exception):
    """A refusal worded for the terminal."""


def cli_locale() -> str:
    lang = os.environ.get("LINLI_LANG") or os.environ.get("LANG", "")
    return "en" if lang.startswith("en") else "zh"


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"linli: {message}", err=True)
    sys.exit(code)


def runtime() -> Runtime:
    """Return the runtime of the environment's settings, or fail with the reason."""
    try:
        return Runtime(get_settings())
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise CliError(f"bad settings: {str(error).splitlines()[-1].strip() or error}") from None


def check_database(rt: Runtime) -> None:
    """Fail with a one-line reason when the database cannot be reached."""
    try:
        with rt.engine.connect():
            pass
    except ArgumentError as error:
        raise CliError(f"LINLI_DATABASE_URL is not a database URL linli can use: {error}") from None
    except (OperationalError, NoSuchModuleError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise CliError(f"cannot open the database {_safe(rt.settings.database_url)}: {reason}") from None


def _safe(url: str) -> str:
    """Return ``url`` with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
