"""What an organization's plan lets its people and credentials choose through the API.

The plan (set by operators: `gatehouse orgs set-plan`) is the highest key tier the
organization may issue; an hourly quota set on a key or client through the API may
not exceed that tier's. Operators' own overrides (`gatehouse rate-limits set`) are
not held to it.
"""

from __future__ import annotations

from gatehouse.context import current_services
from handlers.errors import Unprocessable
from storage import UnitOfWork
from storage.keys import tier_refusal


def plan_of(uow: UnitOfWork, organization_id: str) -> str:
    return uow.organizations.get(organization_id).plan


def check_tier(plan: str, tier: str) -> None:
    refusal = tier_refusal(plan, tier)
    if refusal:
        raise Unprocessable("tier", refusal, f"above the organization's {plan} plan")


def check_rate_limit(plan: str, rate_limit: int | None) -> None:
    cap = current_services().rate_limits.hourly_quota(plan)
    if rate_limit is not None and rate_limit > cap:
        raise Unprocessable(
            "rateLimit",
            f"The organization's {plan} plan allows at most {cap} requests per hour.",
            f"must be at most {cap}",
        )
