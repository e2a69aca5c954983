"""Domain errors the handlers raise; the gateway maps them to HTTP in one place."""


class NotFound(Exception):
    """No such resource in the caller's organization (another organization's is missing too)."""

    def __init__(self, kind: str, resource_id: str) -> None:
        super().__init__(f"No {kind} {resource_id}.")
