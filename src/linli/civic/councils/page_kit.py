"""What the council pages share: rendering with the labels, reading a posted form, refusals by field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from linli.civic.councils.labels import labels
from linli.errors import DomainError
from linli.web.deps import get_locale
from linli.web.forms import as_int, field_errors
from linli.web.render import render


def show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """Return a council template with the labels, in the request's language."""
    return render(
        request, f"councils/{template}", {**labels(get_locale(request)), "nav": "councils", **context}, status=status
    )


async def form_data(request: Request) -> dict[str, Any]:
    """Return the posted form as a dict of strings, with the lists (present, orders, topics) as lists."""
    form = await request.form()
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    for name in ("present", "order_ids", "topic_ids"):
        data[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    return data


FormData = Annotated[dict[str, Any], Depends(form_data)]


def errors_of(
    error: ValidationError | DomainError, locale: str, fields: set[str] | None = None
) -> dict[str, list[str]]:
    return field_errors(error, locale, fields or set())


def ids_of(values: list[str]) -> list[int]:
    return [n for n in (as_int(v, 1, 2**31 - 1) for v in values) if n]
