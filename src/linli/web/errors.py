"""Turning refusals into responses: JSON for the API, a page or a redirect for people."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from linli.errors import DomainError, Unauthenticated, ValidationErrors
from linli.i18n import translate
from linli.web.deps import STAGE_PAGES, StageRequired, get_locale


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_body(error: DomainError, locale: str) -> dict[str, Any]:
    """Return ``{"error": {code, message, field}}``, with every field error for a form."""
    body: dict[str, Any] = {"code": error.code, "message": error.text(locale), "field": error.field}
    if isinstance(error, ValidationErrors):
        body["errors"] = [{"code": e.code, "message": e.text(locale), "field": e.field} for e in error.errors]
    return {"error": body}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> Response:
        if isinstance(error, Unauthenticated) and not _is_api(request):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        if isinstance(error, StageRequired) and not _is_api(request):
            return RedirectResponse(STAGE_PAGES[error.stage], status_code=303)
        if not _is_api(request):
            from linli.web.render import error_page

            return error_page(request, error)
        return JSONResponse(error_body(error, get_locale(request)), status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if not _is_api(request):  # a page's query or form that does not parse (?page=abc): the page says so
            return _refusal(request, 422, "request.invalid", "This value is not valid.")
        locale = get_locale(request)
        problems = error.errors()
        first = problems[0] if problems else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        message = translate("This value is not valid.", locale)
        details = [
            {
                "code": f"request.{p.get('type', 'invalid')}",
                "field": ".".join(str(x) for x in p.get("loc", ())[1:]),
                "message": message,
                "detail": p.get("msg", ""),
            }
            for p in problems
        ]
        body = {"error": {"code": "request.invalid", "message": message, "field": field, "errors": details}}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 400:  # a body that cannot be read (not UTF-8, a broken form) is invalid input
            return _refusal(request, 422, "request.invalid", "This value is not valid.")
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        message = "Not found, or outside your area." if error.status_code == 404 else "This request is not allowed."
        return _refusal(request, error.status_code, code, message)

    # A value the schema let through but the database cannot hold (an id past 64 bits, a NUL character
    # on PostgreSQL) is bad input too: refused, never a 500. The use case's transaction has rolled back.
    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _out_of_range(request: Request, error: Exception) -> Response:
        return _refusal(request, 422, "request.out_of_range", "This value is not valid.")


def _refusal(request: Request, status: int, code: str, message: str) -> Response:
    text = translate(message, get_locale(request))
    if _is_api(request):
        return JSONResponse({"error": {"code": code, "message": text, "field": None}}, status_code=status)
    from linli.web.render import plain_error_page

    return plain_error_page(request, status, text)
