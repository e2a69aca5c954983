"""Which content type a handler's answer has: the one its operation's 2xx responses declare.

Connexion 3.3 pools the content types of every response an operation declares
and refuses to guess when there are several ("figure out how to support
multiple mimetypes", connexion/operations/openapi.py). v2 declares its errors as
`application/problem+json` beside `application/json` answers; handlers never
write errors (gatehouse.errors does, with its own content type), so what a
handler returns is a success, and only the 2xx content types apply (none for an
operation whose successes have no body, such as a `204`).
"""

from __future__ import annotations

from connexion.operations import OpenAPIOperation
from connexion.spec import OpenAPISpecification


class SuccessContentTypes(OpenAPIOperation):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        successes = [
            content_type
            for status, response in self._responses.items()
            if str(status).startswith("2")
            for content_type in response.get("content", {})
        ]
        self._produces = successes


def install() -> None:
    """Make Connexion build operations with this rule (idempotent; called by create_app)."""
    OpenAPISpecification.operation_cls = SuccessContentTypes
