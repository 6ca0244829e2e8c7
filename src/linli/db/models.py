"""Import every model so ``Base.metadata`` is complete (Alembic and ``create_all`` read it)."""

from linli.accounts.models import Assignment, User
from linli.areas.models import Area
from linli.audit.models import AuditEvent
from linli.db.base import Base
from linli.registry.models import Building, Household, Resident, ResidentEvent, ResidentKey, ResidentTag, Tag

__all__ = [
    "Area",
    "Assignment",
    "AuditEvent",
    "Base",
    "Building",
    "Household",
    "Resident",
    "ResidentEvent",
    "ResidentKey",
    "ResidentTag",
    "Tag",
    "User",
]
