"""What every command shares: the runtime from the environment, and how to fail."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer
from sqlalchemy.exc import OperationalError

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
    except OperationalError as error:
        raise CliError(
            f"cannot open the database {rt.engine.url.render_as_string(hide_password=True)}: "
            f"{str(error.orig).strip().splitlines()[0]}"
        ) from None
