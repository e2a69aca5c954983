"""Roles of people in an organization, and the scopes each role grants: the one mapping.

- owner, admin: every scope in the catalogue.
- developer: every scope but `audit:read`; builders need keys, webhooks and
  writes, while the audit log (who did what, from where) is for owners and
  admins. What
  sets owners and admins apart is managing the organization's people, which is
  a right of the role (MANAGES_MEMBERS), not a scope: API keys and OAuth
  clients act for an organization, never for its people, so no credential
  scope can grant it.
- viewer: only the `:read` scopes (`usage:read`, `support:read` among them) but
  `audit:read`; a viewer cannot create a key (that needs keys:manage) nor change
  anything, nor send a support request (support:write): they ask a colleague.
"""

from __future__ import annotations

from storage.keys import SCOPES

ROLES = ("owner", "admin", "developer", "viewer")
MANAGES_MEMBERS = frozenset({"owner", "admin"})

# Scopes only the roles that manage the organization hold.
_MANAGERS_ONLY = ("audit:read",)
_BUILDER = tuple(scope for scope in SCOPES if scope not in _MANAGERS_ONLY)
_READ_ONLY = tuple(scope for scope in _BUILDER if scope.endswith(":read"))
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "owner": SCOPES,
    "admin": SCOPES,
    "developer": _BUILDER,
    "viewer": _READ_ONLY,
}


def scopes_for(role: str) -> list[str]:
    """The role's scopes in catalogue order; KeyError for a role that does not exist."""
    return list(ROLE_SCOPES[role])
