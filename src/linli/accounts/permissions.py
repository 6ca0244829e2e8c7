"""Who may do what, where. The one place access is decided.

A user holds roles at areas; a role grants capabilities; a capability held at an area reaches that
area and everything below it. Services ask a ``Scope`` before reading or writing anything scoped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, or_, select

from linli.areas.models import Area
from linli.errors import Forbidden, NotFound

ROLES = ("admin", "supervisor", "secretary", "staff", "grid_worker", "volunteer", "resident")
ROLE_NAMES = {
    "admin": "管理员",
    "supervisor": "街道督导",
    "secretary": "社区书记",
    "staff": "社区工作者",
    "grid_worker": "网格员",
    "volunteer": "志愿者",
    "resident": "居民",
}

READ = "registry.read"
WRITE = "registry.write"
AREA_WRITE = "area.write"
AUDIT_READ = "audit.read"
USER_MANAGE = "user.manage"
# The key groups of public-security work (特殊人群) are sensitive personal information (PIPL).
SENSITIVE = "sensitive.read"
# Seeing an ID or phone number in full: asked for with a reason, and audited.
UNMASK = "pii.unmask"
# Needs and work orders: see, take in, dispatch, watch over (督办), be assigned, ask for help, keep the catalogue.
NEEDS_READ, NEEDS_WRITE, NEEDS_DISPATCH, NEEDS_SUPERVISE = "needs.read", "needs.write", "needs.dispatch", "needs.watch"
NEEDS_HANDLE, NEEDS_REQUEST, NEEDS_MANAGE = "needs.handle", "needs.request", "needs.manage"
NEEDS_STAFF = frozenset({NEEDS_READ, NEEDS_WRITE, NEEDS_DISPATCH, NEEDS_HANDLE})
NEEDS_LEAD = NEEDS_STAFF | {NEEDS_SUPERVISE, NEEDS_MANAGE}
# The resident ledger (台账): import and export where the role reaches; only those answerable for the
# data export ID numbers and phones unmasked (supervisors export masked).
LEDGER_IMPORT, LEDGER_EXPORT, LEDGER_EXPORT_UNMASKED = "ledger.import", "ledger.export", "ledger.export_unmasked"
LEDGER_ALL = frozenset({LEDGER_IMPORT, LEDGER_EXPORT, LEDGER_EXPORT_UNMASKED})
# The supply side (volunteers, teams, resources, standing services): see it, and keep it (profiles with
# the resident's consent, resources, hours added by staff). Matching proposals need both this and
# NEEDS_DISPATCH to accept.
SUPPLY_READ, SUPPLY_MANAGE = "supply.read", "supply.manage"
SUPPLY_ALL = frozenset({SUPPLY_READ, SUPPLY_MANAGE})
# A volunteer's own record (hours this year, tasks, the service record): held by the volunteer role.
VOLUNTEER_SELF = "volunteer.self"
# Courses (阳光小课堂): see them and their class lists; sign a child of the area up for a family (staff,
# grid workers); keep courses, sessions and attendance; a resident signs up their own household's children.
COURSE_READ, COURSE_ENROL, COURSE_MANAGE, COURSE_JOIN = "course.read", "course.enrol", "course.manage", "course.join"
COURSE_ALL = frozenset({COURSE_READ, COURSE_ENROL, COURSE_MANAGE})
# Institutions (托教机构): see them and their inspections; record an inspection; keep institutions and templates.
INSTITUTION_READ, INSPECT, INSTITUTION_MANAGE = "institution.read", "institution.inspect", "institution.manage"
INSTITUTION_ALL = frozenset({INSTITUTION_READ, INSPECT, INSTITUTION_MANAGE})
# Self-governance (councils, selections, stories): see everything of the area, drafts and counts included;
# write (raise a topic, draft a story from a log, record a consent, enter a paper vote); keep it (councils,
# meetings and votes, selections and their publication, story review and publication). A resident takes
# part: raises and co-signs topics, nominates and votes, reads what is published for their area.
CIVIC_READ, CIVIC_WRITE, CIVIC_MANAGE, CIVIC_JOIN = "civic.read", "civic.write", "civic.manage", "civic.join"
CIVIC_ALL = frozenset({CIVIC_READ, CIVIC_WRITE, CIVIC_MANAGE})
# Grid events (网格事件): see the events of the area; report one (handled on the spot or reported up); take in,
# dispatch and close them (the work-order engine's own capabilities then apply to the order behind an event).
EVENTS_READ, EVENTS_REPORT, EVENTS_MANAGE = "events.read", "events.report", "events.manage"
EVENTS_ALL = frozenset({EVENTS_READ, EVENTS_REPORT, EVENTS_MANAGE})
# Disputes (矛盾纠纷): register one found on a visit; read the register with the parties' names (the mediators
# of a dispute also read theirs); keep the register (assign mediators, close with an outcome). Elsewhere they
# are counted, never named.
DISPUTES_REPORT, DISPUTES_READ, DISPUTES_MANAGE = "disputes.report", "disputes.read", "disputes.manage"

CAPABILITIES: dict[str, frozenset[str]] = {
    "admin": frozenset({READ, WRITE, AREA_WRITE, AUDIT_READ, USER_MANAGE, SENSITIVE, UNMASK})
    | NEEDS_LEAD
    | LEDGER_ALL
    | SUPPLY_ALL
    | COURSE_ALL
    | INSTITUTION_ALL
    | CIVIC_ALL
    | EVENTS_ALL
    | {DISPUTES_REPORT, DISPUTES_READ, DISPUTES_MANAGE},
    "supervisor": frozenset(
        {READ, AUDIT_READ, NEEDS_READ, NEEDS_SUPERVISE, LEDGER_EXPORT, SUPPLY_READ, COURSE_READ, INSTITUTION_READ}
    )
    | {CIVIC_READ, EVENTS_READ},
    "secretary": frozenset({READ, WRITE, AREA_WRITE, USER_MANAGE, SENSITIVE, UNMASK})
    | NEEDS_LEAD
    | LEDGER_ALL
    | SUPPLY_ALL
    | COURSE_ALL
    | INSTITUTION_ALL
    | CIVIC_ALL
    | EVENTS_ALL
    | {DISPUTES_REPORT, DISPUTES_READ, DISPUTES_MANAGE},
    "staff": frozenset({READ, WRITE, UNMASK, LEDGER_IMPORT, LEDGER_EXPORT})
    | NEEDS_STAFF
    | SUPPLY_ALL
    | COURSE_ALL
    | INSTITUTION_ALL
    | CIVIC_ALL
    | EVENTS_ALL
    | {DISPUTES_REPORT},
    "grid_worker": frozenset(
        {READ, WRITE, UNMASK, NEEDS_READ, NEEDS_WRITE, NEEDS_HANDLE, LEDGER_IMPORT, LEDGER_EXPORT, SUPPLY_READ}
    )
    | {COURSE_READ, COURSE_ENROL, INSTITUTION_READ, INSPECT, CIVIC_READ, CIVIC_WRITE, EVENTS_READ, EVENTS_REPORT}
    | {DISPUTES_REPORT},
    "volunteer": frozenset({NEEDS_HANDLE, VOLUNTEER_SELF}),
    "resident": frozenset({NEEDS_REQUEST, COURSE_JOIN, CIVIC_JOIN}),
}


def path_under(column: SQLColumnExpression[str], path: str) -> ColumnElement[bool]:
    """Return ``column`` lies at or below ``path``, as an index range (``/`` + 1 is ``0``)."""
    return and_(column >= path, column < path[:-1] + "0")


@dataclass(frozen=True)
class Holding:
    role: str
    area_id: int
    area_path: str
    area_name: str


@dataclass(frozen=True)
class Scope:
    """What one signed-in user can reach. ``user_id`` None is the system (set-up jobs, imports from the CLI)."""

    user_id: int | None
    username: str
    display_name: str
    holdings: tuple[Holding, ...]
    client: str = ""
    _cache: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def can(self, capability: str) -> bool:
        """Return whether any role held anywhere grants ``capability``."""
        return bool(self.paths(capability))

    def paths(self, capability: str) -> tuple[str, ...]:
        """Return the area paths where ``capability`` is held, with nested ones folded away."""
        if capability not in self._cache:
            held = sorted({h.area_path for h in self.holdings if capability in CAPABILITIES[h.role]})
            self._cache[capability] = tuple(p for p in held if not any(p != q and p.startswith(q) for q in held))
        return self._cache[capability]

    def reaches(self, capability: str, area_path: str) -> bool:
        """Return whether ``capability`` is held at ``area_path`` or above it."""
        return any(area_path.startswith(p) for p in self.paths(capability))

    def require(self, capability: str) -> None:
        """Raise ``Forbidden`` unless ``capability`` is held somewhere."""
        if not self.can(capability):
            raise Forbidden()

    def check(self, capability: str, area_path: str, what: str = "record") -> None:
        """Raise ``NotFound`` for a record outside the user's reach, so its existence stays hidden."""
        if not self.reaches(capability, area_path):
            raise NotFound(what)

    def area_ids(self, capability: str) -> ColumnElement[bool] | None:
        """Return a condition on ``Area`` for the areas reached, or None when nothing is reached."""
        paths = self.paths(capability)
        if not paths:
            return None
        return or_(*(path_under(Area.path, p) for p in paths))

    def filter(self, capability: str, area_id_column: SQLColumnExpression[Any]) -> ColumnElement[bool]:
        """Return a condition keeping rows whose area lies in the user's reach."""
        condition = self.area_ids(capability)
        if condition is None:
            return false()
        return area_id_column.in_(select(Area.id).where(condition))

    @classmethod
    def system(cls, area_id: int, area_path: str, name: str = "system") -> Scope:
        """Return an administrator's reach over ``area_path`` that acts as no account."""
        return cls(None, name, name, (Holding("admin", area_id, area_path, name),))

    @property
    def roles(self) -> set[str]:
        return {h.role for h in self.holdings}
