"""The composition root: `create_app(settings)` wires everything; nothing runs at import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from connexion import FlaskApp
from connexion.jsonifier import Jsonifier
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from redis import Redis

from gatehouse import content_types
from gatehouse.audit import AuditMiddleware
from gatehouse.cors import ListedOriginsCORS
from gatehouse.deprecation import DeprecationMiddleware, notices_of
from gatehouse.errors import ErrorResponder
from gatehouse.idempotency import IdempotencyMiddleware, idempotent_operations
from gatehouse.logging import configure_logging
from gatehouse.metrics import Metrics, start_metrics
from gatehouse.metrics_middleware import RequestMetricsMiddleware
from gatehouse.middleware import (
    BodyBufferMiddleware,
    BundledSpecMiddleware,
    LineBreakPathMiddleware,
    RequestContextMiddleware,
    VersionHeaderMiddleware,
)
from gatehouse.people import PeopleServices, people_services
from gatehouse.rate_limit_headers import RateLimitHeadersMiddleware
from gatehouse.rate_limits import RateLimits
from gatehouse.rate_limits import install as install_rate_limits
from gatehouse.routes import MethodIndex
from gatehouse.security import Authenticator
from gatehouse.settings import Settings
from gatehouse.tokens import TokenService, token_service
from gatehouse.usage import UsageRecorder
from gatehouse.validation import VALIDATORS
from gatehouse.webhook_setup import delivery_context, lifespan
from storage import Database
from storage.keys import Keyring
from workers.webhooks.context import DeliveryContext

SPECS = Path(__file__).resolve().parent.parent / "generated" / "openapi"
# Each bundled document, where it is served, and its Swagger UI. The more
# specific base path first: /api/v1 must win over /api.
APIS = (
    ("v1.json", "/api/v1", SwaggerUIOptions(swagger_ui_path="/ui")),
    ("v2.json", "/api/v2", SwaggerUIOptions(swagger_ui_path="/ui")),
    ("system.json", "/api", SwaggerUIOptions(serve_spec=False, swagger_ui=False)),
    # RFC 8615's fixed locations (the JWKS), outside /api.
    ("wellknown.json", "/.well-known", SwaggerUIOptions(serve_spec=False, swagger_ui=False)),
    # The reference pages and guides (gatehouse.docs_site), outside /api: not an API.
    ("docs.json", "/docs", SwaggerUIOptions(serve_spec=False, swagger_ui=False)),
    # The developer portal's pages (gatehouse.portal_site): clients of /api/v1.
    ("portal.json", "/portal", SwaggerUIOptions(serve_spec=False, swagger_ui=False)),
)


@dataclass(frozen=True)
class Services:
    """What a request may need beyond its own input, built once per app."""

    settings: Settings
    database: Database
    keyring: Keyring
    authenticator: Authenticator
    redis: Redis | None
    tokens: TokenService
    usage: UsageRecorder
    people: PeopleServices
    webhooks: DeliveryContext
    rate_limits: RateLimits
    metrics: Metrics


def build_services(settings: Settings) -> Services:
    database = Database(settings.database_url, pool_size=settings.db_pool_size)
    keyring = Keyring(settings.resolved_secret_key())
    authenticator = Authenticator(database, keyring, settings.signature_tolerance_seconds)
    redis = Redis.from_url(settings.redis_url, socket_timeout=2) if settings.redis_url else None
    metrics = start_metrics(settings.metrics_dir)
    return Services(
        settings=settings,
        database=database,
        keyring=keyring,
        authenticator=authenticator,
        redis=redis,
        tokens=token_service(settings, database, keyring),
        usage=UsageRecorder(
            database,
            interval_seconds=settings.usage_flush_seconds,
            retention_days=settings.usage_retention_days,
        ),
        people=people_services(settings),
        webhooks=delivery_context(settings, database, keyring, metrics),
        rate_limits=RateLimits(
            settings.rate_limit_settings(),
            settings.redis_url,
            settings.trusted_proxies,
            on_storage_failure=metrics.observe_rate_limit_storage_failure,
        ),
        metrics=metrics,
    )


def create_app(settings: Settings | None = None, specs: Path = SPECS) -> FlaskApp:
    """The ASGI app; with no settings, read from the environment (`uvicorn --factory`).
    `specs` is the folder of bundles to serve (tests serve modified copies)."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level, settings.log_json)
    services = build_services(settings)
    content_types.install()
    app = FlaskApp(
        __name__,
        strict_validation=True,
        validate_responses=settings.validate_responses,
        pythonic_params=True,
        validator_map=VALIDATORS,
        jsonifier=Jsonifier(json, separators=(",", ":"), ensure_ascii=False),
        # Usage counts are flushed in the background while serving, and once at
        # shutdown; the embedded default also delivers webhooks from here.
        lifespan=lifespan(settings, services.webhooks, services.usage),
    )
    methods = MethodIndex()
    bundles = {}
    idempotent = set()
    notices = {}
    for document, base_path, ui in APIS:
        raw = (specs / document).read_bytes()
        spec = json.loads(raw)
        app.add_api(spec, base_path=base_path, swagger_ui_options=ui)
        methods.add(base_path, spec)
        idempotent |= idempotent_operations(base_path, spec)
        notices |= notices_of(base_path, spec, settings.docs_url)
        if ui.serve_spec:
            bundles[f"{base_path}/openapi.json"] = raw
    ErrorResponder(settings.docs_url, methods).register(app)
    install_rate_limits(app.app, services.rate_limits, settings.docs_url)
    app.add_middleware(
        RequestContextMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, services=services
    )
    app.add_middleware(
        RequestMetricsMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, metrics=services.metrics
    )
    if settings.cors_origins:
        # Inside the request context (preflights get X-Request-Id) and outside the
        # error handlers (errors get CORS headers), before routing (a preflight is
        # not a declared operation).
        app.add_middleware(
            ListedOriginsCORS, MiddlewarePosition.BEFORE_EXCEPTION, origins=settings.cors_origins
        )
    # Outside the error handlers: an error answer of a counted request carries the fields too.
    app.add_middleware(RateLimitHeadersMiddleware, MiddlewarePosition.BEFORE_EXCEPTION)
    # Outside the error handlers, so that errors of a deprecated operation say it too.
    app.add_middleware(DeprecationMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, notices=notices)
    app.add_middleware(BundledSpecMiddleware, MiddlewarePosition.BEFORE_SWAGGER, documents=bundles)
    app.add_middleware(VersionHeaderMiddleware, MiddlewarePosition.BEFORE_SWAGGER)
    app.add_middleware(LineBreakPathMiddleware, MiddlewarePosition.BEFORE_SWAGGER)
    app.add_middleware(
        BodyBufferMiddleware, MiddlewarePosition.BEFORE_SECURITY, max_bytes=settings.max_body_bytes
    )
    # After security and validation: keys are per credential, and a refused request
    # records none. Replayed answers still pass response validation, outside it.
    app.add_middleware(
        IdempotencyMiddleware, MiddlewarePosition.BEFORE_CONTEXT, operations=idempotent
    )
    # Inside idempotency (added later at the same position: nearer the handler), so
    # only the handler's own commits carry the audit event, not the key's bookkeeping.
    app.add_middleware(AuditMiddleware, MiddlewarePosition.BEFORE_CONTEXT)
    return app
