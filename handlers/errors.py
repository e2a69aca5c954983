"""Domain errors the handlers raise; the gateway maps them to HTTP in one place."""


class NotFound(Exception):
    """No such resource in the caller's organization (another organization's is missing too)."""

    def __init__(self, kind: str, resource_id: str) -> None:
        super().__init__(f"No {kind} {resource_id}.")


class Forbidden(Exception):
    """The caller is who it says, but may not do this (a scope it lacks, for instance)."""


class Conflict(Exception):
    """The request cannot apply to the resource in its current state; `details`
    optionally names the fields (or items) at fault."""

    def __init__(self, message: str, details: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.details = details


class Unprocessable(Exception):
    """Well-formed input that breaks a business rule; `field` names the input at fault."""

    def __init__(
        self, field: str, message: str, reason: str, more: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        # Other inputs at fault too, when a rule is broken in several places at once.
        self.details = {field: reason, **(more or {})}


class BadRequest(Exception):
    """Input the schema cannot judge but the handler can (a cursor no list gave out);
    `field` names it."""

    def __init__(self, field: str, message: str, reason: str) -> None:
        super().__init__(message)
        self.details = {field: reason}
