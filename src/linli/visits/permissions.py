"""Who may do what in 千户访, on top of ``accounts.permissions``.

Reading worklists, logs and figures follows ``registry.read``; writing a grid log follows
``registry.write``. Two things need a role, not a capability: editing a community's visit policy and a
household's own rhythm (community staff, never a grid worker alone), and owning a grid's worklist
(a grid worker's assignment).
"""

from __future__ import annotations

from linli.accounts.permissions import Scope
from linli.errors import Forbidden

# Community staff: those who set how often households are visited.
POLICY_ROLES = frozenset({"admin", "secretary", "staff"})
WORKER_ROLE = "grid_worker"


def holds_role_over(scope: Scope, roles: frozenset[str], area_path: str) -> bool:
    """Return whether ``scope`` holds one of ``roles`` at ``area_path`` or above it."""
    return any(h.role in roles and area_path.startswith(h.area_path) for h in scope.holdings)


def require_policy(scope: Scope, area_path: str) -> None:
    """Raise ``Forbidden`` unless the caller is community staff over ``area_path``."""
    if not holds_role_over(scope, POLICY_ROLES, area_path):
        raise Forbidden("Only community staff can change the visit policy.", "visits.policy_forbidden")


def can_edit_policy(scope: Scope, area_path: str) -> bool:
    """Return whether the caller may change the visit policy at ``area_path``."""
    return holds_role_over(scope, POLICY_ROLES, area_path)


def worker_paths(scope: Scope) -> tuple[str, ...]:
    """Return the area paths where the caller works as a grid worker."""
    return tuple(sorted({h.area_path for h in scope.holdings if h.role == WORKER_ROLE}))
