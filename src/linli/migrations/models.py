"""Import every model so ``Base.metadata`` is complete (Alembic and ``create_all`` read it)."""

import linli.civic.councils.models
import linli.civic.honours.models
import linli.civic.stories.models
import linli.courses.models
import linli.disputes.models
import linli.events.models
import linli.institutions.models
import linli.ledger.models
import linli.matching.models
import linli.needs.models
import linli.reports.models
import linli.resources.models
import linli.visits.models
import linli.volunteers.models  # noqa: F401  (the tables of every module)
from linli.accounts.models import ApiToken, Assignment, RecoveryCode, User
from linli.areas.models import Area
from linli.audit.models import AuditEvent
from linli.db.base import Base
from linli.registry.models import (
    Building,
    CareGradeChange,
    House,
    Household,
    Resident,
    ResidentEvent,
    ResidentKey,
    ResidentTag,
    Tag,
    Tenancy,
    Unit,
)

__all__ = [
    "ApiToken",
    "Area",
    "Assignment",
    "AuditEvent",
    "Base",
    "Building",
    "CareGradeChange",
    "House",
    "Household",
    "RecoveryCode",
    "Resident",
    "ResidentEvent",
    "ResidentKey",
    "ResidentTag",
    "Tag",
    "Tenancy",
    "Unit",
    "User",
]
