"""Walking every route the app registers: paths, methods, parameters and a body to send."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel

from linli.web.deps import PUBLIC_ROUTES, current_scope

# Values for fields the walk cannot take from the world: a body that passes validation reaches the
# service, so the walk proves the service refuses, not just the schema.
EXAMPLES: dict[str, Any] = {
    "name": "测试",
    "room": "901",
    "reason": "moved_out",
    "version": 1,
    "code": "350203002011009",
    "username": "someone",
    "password": "Persona-pass-2026",
    "relation": "99",
}


def flat(dependant: Dependant | None, kind: str) -> list[Any]:
    """Return the ``kind`` parameters (path_params, query_params, body_params) of the whole dependency tree."""
    if dependant is None:
        return []
    found = list(getattr(dependant, kind))
    for sub in dependant.dependencies:
        found += [p for p in flat(sub, kind) if p.name not in {f.name for f in found}]
    return found


@dataclass(frozen=True)
class Walked:
    path: str
    methods: tuple[str, ...]
    dependant: Dependant | None

    @property
    def public(self) -> bool:
        return self.path in PUBLIC_ROUTES

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    def path_params(self) -> list[str]:
        return [p.name for p in flat(self.dependant, "path_params")]

    def query_params(self) -> list[str]:
        return [p.name for p in flat(self.dependant, "query_params")]


def routes(app: FastAPI) -> Iterator[Walked]:
    """Yield every route of ``app`` (included routers flattened), HEAD folded into GET."""
    for context in iter_route_contexts(app.routes):
        methods = tuple(sorted(m for m in (context.methods or {"GET"}) if m != "HEAD"))
        yield Walked(context.path or "", methods, getattr(context, "dependant", None))


def depends_on(dependant: Dependant | None, call: object) -> bool:
    """Return whether ``call`` appears anywhere in the dependency tree of ``dependant``."""
    if dependant is None:
        return False
    return dependant.call is call or any(depends_on(d, call) for d in dependant.dependencies)


def guarded(route: Walked) -> bool:
    return depends_on(route.dependant, current_scope)


def url(route: Walked, ids: dict[str, Any]) -> str:
    """Return the route's path with each parameter replaced by a world id; an unknown name fails."""
    path = route.path
    for name in route.path_params():
        assert name in ids, f"{route.path}: no id for {name!r}: add one to GRID1 in tests/api/test_access.py"
        path = path.replace("{" + name + "}", str(ids[name]))
    return path


def _value(name: str, annotation: Any, ids: dict[str, Any]) -> Any:
    if name in ids:
        return ids[name]
    if name in EXAMPLES:
        return EXAMPLES[name]
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if annotation is date:
        return date.today().isoformat()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return minimal(annotation, ids)
    return "测试"


def minimal(model: type[BaseModel], ids: dict[str, Any]) -> dict[str, Any]:
    """Return a body for ``model``: its required fields, and every field naming a world id."""
    return {
        name: _value(name, field.annotation, ids)
        for name, field in model.model_fields.items()
        if field.is_required() or name in ids
    }


def body(route: Walked, ids: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Return ``("json" | "data", payload)`` to send to the route, or None when it takes no body."""
    fields = flat(route.dependant, "body_params")
    if not fields:
        return None
    if all(isinstance(f.field_info, (params.Form, params.File)) for f in fields):
        return "data", {f.name: _value(f.name, f.field_info.annotation, ids) for f in fields}
    if len(fields) == 1:
        annotation = fields[0].field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return "json", minimal(annotation, ids)
    return "json", {f.name: _value(f.name, f.field_info.annotation, ids) for f in fields}
