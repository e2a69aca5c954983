"""Storage-level domain errors; the gateway maps them to HTTP in one place."""


class DuplicateError(Exception):
    """A uniqueness rule was broken: `field` already holds `value`."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field} {value!r} is already used")
        self.field = field
        self.value = value
