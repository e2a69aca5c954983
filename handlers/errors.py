"""Domain errors the handlers raise; the gateway maps them to HTTP in one place."""


class NotFound(Exception):
    """No such resource in the caller's organization (another organization's is missing too)."""

    def __init__(self, kind: str, resource_id: str) -> None:
        super().__init__(f"No {kind} {resource_id}.")


class InvalidInput(Exception):
    """Input the schema allows but the rule does not; one message per field."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in details.items()))
        self.details = details
