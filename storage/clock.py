"""The one clock: every timestamp the service writes comes from here."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """RFC 3339 UTC with a `Z`, to the second, as the contract states."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
