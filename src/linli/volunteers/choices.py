"""The choices the volunteer pages offer in their forms: areas in reach, service categories."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, Scope
from linli.needs import catalogue
from linli.registry.areas import area_tree
from linli.web.deps import get_locale


def area_options(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """Return the areas the caller holds as ``(id, name)`` choices, indented by level."""
    if not scope.can(READ):
        return []
    options: list[tuple[str, str]] = []

    def walk(nodes: list[Any], depth: int) -> None:
        for node in nodes:
            options.append((str(node.id), "\u3000" * depth + node.name))
            walk(node.children, depth + 1)

    walk(area_tree(session, scope, "grid"), 0)
    return options


def category_options(request: Request, session: Session) -> list[tuple[str, str]]:
    """Return the service categories as ``(id, name)`` choices in the request's language."""
    english = get_locale(request) == "en"
    return [(str(c.id), c.name_en if english and c.name_en else c.name) for c in catalogue.list_categories(session)]
