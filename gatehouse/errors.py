"""The one error path: every failure becomes the documented error shape of the
version that answers: v1's envelope, or v2's RFC 9457 problem details."""

from __future__ import annotations

import json
from http import HTTPStatus

import structlog
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException

from gatehouse.routes import MethodIndex
from gatehouse.versions import speaks_problems
from handlers import envelope
from handlers.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from storage.clock import rfc3339, utcnow
from storage.errors import DuplicateError

log = structlog.get_logger("gatehouse.errors")

CODES = {
    400: "VALIDATION_ERROR",
    401: "AUTHENTICATION_ERROR",
    403: "AUTHORIZATION_ERROR",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

# Connexion's own wording, where ours says more to an integrator.
REWORDED = {
    "No authorization token provided": (
        "No credentials were sent: sign the request with an X-API-Key, "
        "or send an Authorization: Bearer access token."
    ),
}


class ApiError(Exception):
    """An error answer raised by the gateway itself (authentication, body limits)."""

    def __init__(
        self,
        status: int,
        message: str,
        details: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers


def error_body(
    status: int,
    message: str,
    details: dict[str, str] | None,
    docs_url: str,
    retry_after: int | None = None,
) -> dict:
    code = _code(status)
    body = {
        "code": code,
        "message": message,
        # A 429 says how long to wait in the body too, equal to its Retry-After header.
        **({"retryAfter": retry_after} if retry_after is not None else {}),
        "requestId": envelope.request_id.get(),
        "timestamp": rfc3339(utcnow()),
        "documentation": f"{docs_url}/errors#{code}",
    }
    if details:
        body["details"] = details
    return {"error": body}


def error_document(
    path: str,
    status: int,
    message: str,
    details: dict[str, str] | None,
    docs_url: str,
    retry_after: int | None = None,
) -> tuple[dict, str]:
    """The error body and its media type in the shape of the version serving `path`."""
    if speaks_problems(path):
        body = problem_body(status, message, details, docs_url, path, retry_after)
        return body, "application/problem+json"
    return error_body(status, message, details, docs_url, retry_after), "application/json"


def problem_body(
    status: int,
    message: str,
    details: dict[str, str] | None,
    docs_url: str,
    instance: str,
    retry_after: int | None = None,
) -> dict:
    """RFC 9457 problem details, with the envelope's code and request id as extensions
    and one `errors` entry per invalid field."""
    code = _code(status)
    body = {
        "type": f"{docs_url}/errors#{code}",
        "title": _title(status),
        "status": status,
        "detail": message,
        "instance": instance,
        "code": code,
        "requestId": envelope.request_id.get(),
        **({"retryAfter": retry_after} if retry_after is not None else {}),
    }
    if details:
        body["errors"] = [{"field": field, "detail": why} for field, why in details.items()]
    return body


def _code(status: int) -> str:
    return CODES.get(status) or ("INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR")


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ErrorResponder:
    """Connexion error handlers, one per kind of failure, each writing the shape of the
    version that answers."""

    def __init__(self, docs_url: str, methods: MethodIndex) -> None:
        self.docs_url = docs_url
        self.methods = methods

    def respond(
        self, request, status: int, message: str, details=None, headers=None, retry_after=None
    ) -> ConnexionResponse:
        body, mimetype = error_document(
            request.url.path, status, message, details, self.docs_url, retry_after
        )
        return ConnexionResponse(
            status_code=status, body=_compact(body), mimetype=mimetype, headers=headers or {}
        )

    def register(self, app) -> None:
        app.add_error_handler(ApiError, self.api_error)
        app.add_error_handler(ProblemException, self.problem)
        app.add_error_handler(HTTPException, self.http_exception)
        app.add_error_handler(NotFound, self.not_found)
        app.add_error_handler(Forbidden, self.forbidden)
        app.add_error_handler(Conflict, self.conflict)
        app.add_error_handler(Unprocessable, self.unprocessable)
        app.add_error_handler(BadRequest, self.bad_request)
        app.add_error_handler(DuplicateError, self.duplicate)
        app.add_error_handler(OperationalError, self.database_unavailable)
        app.add_error_handler(Exception, self.unexpected)

    async def api_error(self, request, exc: ApiError):
        retry_after = getattr(exc, "retry_after", None)
        return self.respond(request, exc.status, exc.message, exc.details, exc.headers, retry_after)

    async def problem(self, request, exc: ProblemException):
        if exc.status >= 500:
            log.error("server problem", status=exc.status, detail=exc.detail)
            return self.respond(request, exc.status, HTTPStatus(exc.status).phrase + ".")
        message = REWORDED.get(exc.detail, exc.detail) or exc.title or "The request failed."
        details = getattr(exc, "details", None)
        if exc.status == 400 and self.methods.speaks_oauth(request.url.path):
            return self.oauth_invalid_request(_sentence(message), details)
        return self.respond(request, exc.status, _sentence(message), details, exc.headers)

    def oauth_invalid_request(self, message: str, details: dict | None) -> ConnexionResponse:
        """A malformed request to an OAuth endpoint, answered as RFC 6749 section 5.2 says."""
        described = " ".join([message, *(f"{k}: {v}." for k, v in (details or {}).items())])
        body = {"error": "invalid_request", "error_description": described}
        return ConnexionResponse(
            status_code=400,
            body=_compact(body),
            mimetype="application/json",
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    async def http_exception(self, request, exc: HTTPException):
        if exc.status_code == 404:
            message = f"No route matches {request.url.path}."
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
            allow = self.methods.allow_header(request.url.path)
            return self.respond(request, 405, message, headers=allow)
        else:
            message = _sentence(str(exc.detail or HTTPStatus(exc.status_code).phrase))
        return self.respond(request, exc.status_code, message, headers=exc.headers)

    async def not_found(self, request, exc: NotFound):
        return self.respond(request, 404, str(exc))

    async def forbidden(self, request, exc: Forbidden):
        return self.respond(request, 403, str(exc))

    async def conflict(self, request, exc: Conflict):
        return self.respond(request, 409, str(exc), exc.details)

    async def bad_request(self, request, exc: BadRequest):
        return self.respond(request, 400, str(exc), exc.details)

    async def unprocessable(self, request, exc: Unprocessable):
        return self.respond(request, 422, str(exc), exc.details)

    async def duplicate(self, request, exc: DuplicateError):
        return self.respond(
            request,
            409,
            f"The {exc.field} {exc.value} is already used.",
            {exc.field: "is already used"},
        )

    async def database_unavailable(self, request, exc: DBAPIError):
        log.error("database unavailable", error=type(exc.orig).__name__)
        return self.respond(request, 503, "The service is briefly unavailable; retry shortly.")

    async def unexpected(self, request, exc: Exception):
        log.exception("unexpected error", exc_info=exc)
        return self.respond(
            request, 500, "The server failed; quote the requestId when reporting it."
        )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _compact(body: dict) -> bytes:
    # The same serialisation as successful answers (the app's Jsonifier).
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
