"""Reaching one institution: by the area of its resource, the one place an institution's scope comes from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import INSTITUTION_READ, Scope
from linli.areas.models import Area
from linli.errors import Forbidden, NotFound
from linli.institutions.models import Institution
from linli.resources.models import Resource


@dataclass(frozen=True)
class Reached:
    """An institution the caller may see, its resource, and the path of their area."""

    institution: Institution
    resource: Resource
    path: str


def load(session: Session, scope: Scope, institution_id: int, capability: str | None = None) -> Reached:
    """Return the institution if the caller sees it, or raise ``NotFound``.

    ``capability`` (inspecting, keeping) is also needed where it lies: holding it nowhere near is
    ``Forbidden``, as for a supervisor who reads but does not inspect.
    """
    if not 0 < institution_id < 2**31:  # no integer column holds it (PostgreSQL refuses the comparison)
        raise NotFound("institution")
    row = session.execute(
        select(Institution, Resource, Area.path)
        .join(Resource, Resource.id == Institution.resource_id)
        .join(Area, Area.id == Resource.area_id)
        .where(Institution.id == institution_id)
    ).first()
    if row is None:
        raise NotFound("institution")
    institution, resource, path = row
    scope.check(INSTITUTION_READ, path, "institution")
    if capability is not None and not scope.reaches(capability, path):
        raise Forbidden()
    return Reached(institution, resource, path)


def community_path(path: str) -> str:
    """Return the path of the community an area lies in (district/street/community), or the path itself above it."""
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[:3]) + "/"
