"""The FastAPI peer: the signed product read, written the way a FastAPI service would be.

It does the work Gatehouse does for `GET /api/v1/products/{id}` — find the
API key by its SHA-256 hash, check its state and expiry, decrypt its secret
with Fernet, verify the HMAC signature in a ±300 s window, read the product of
the key's organization — on the same SQLite database and key file, and
answers the same JSON. It shares no code with Gatehouse, so the benchmark
compares stacks, not one codebase with itself.

    DATABASE_URL=sqlite:///... GATEHOUSE_VAR_DIR=... \
      uvicorn scripts.bench.fastapi_peer:create_app --factory
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from cryptography.fernet import Fernet
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    select,
)
from ulid import ULID

TOLERANCE_SECONDS = 300

# Only the columns this service reads; the schema belongs to Gatehouse's migrations.
metadata = MetaData()
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String, primary_key=True),
    Column("organization_id", String),
    Column("key_hash", String),
    Column("secret_ciphertext", Text),
    Column("status", String),
    Column("expires_at", DateTime),
)
products = Table(
    "products",
    metadata,
    Column("id", String, primary_key=True),
    Column("organization_id", String),
    Column("sku", String),
    Column("name", String),
    Column("description", Text),
    Column("price_minor", BigInteger),
    Column("currency", String),
    Column("status", String),
    Column("metadata", JSON),
    Column("created_at", DateTime),
    Column("updated_at", DateTime),
    Column("deleted_at", DateTime),
)

# RFC 3339 UTC to the second, as the contract states.
Instant = Annotated[datetime, PlainSerializer(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Product(CamelModel):
    id: str
    sku: str
    name: str
    description: str | None
    price: str
    currency: str
    status: str
    metadata: dict[str, str]
    created_at: Instant
    updated_at: Instant


class Meta(CamelModel):
    request_id: str


class ProductResponse(CamelModel):
    data: Product
    meta: Meta


class RequestIdMiddleware:
    """Gives every request an id and puts it, with the API version, on every response.

    Pure ASGI rather than @app.middleware("http"): Starlette's advice for middleware
    on a hot path.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_{ULID()}"
        scope.setdefault("state", {})["request_id"] = request_id
        extra = [(b"x-request-id", request_id.encode()), (b"x-api-version", b"v1")]

        async def send_with_ids(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_ids)


def database(request: Request) -> Iterator[Connection]:
    with request.app.state.engine.connect() as connection:
        yield connection


Database = Annotated[Connection, Depends(database)]


async def raw_body(request: Request) -> bytes:
    return await request.body()


def signed_organization(
    request: Request,
    db: Database,
    body: Annotated[bytes, Depends(raw_body)],
    x_api_key: Annotated[str | None, Header()] = None,
    x_timestamp: Annotated[str | None, Header()] = None,
    x_api_signature: Annotated[str | None, Header()] = None,
) -> str:
    """The organization of a correctly signed request; a sync dependency, so it runs in
    FastAPI's thread pool and its blocking database call never stalls the event loop."""
    if not (x_api_key and x_timestamp and x_api_signature):
        raise _unauthenticated("X-API-Key, X-Timestamp and X-API-Signature are required.")
    if not x_timestamp.isdigit() or abs(int(x_timestamp) - time.time()) > TOLERANCE_SECONDS:
        raise _unauthenticated("The X-Timestamp is outside the accepted window.")
    key_hash = hashlib.sha256(x_api_key.encode()).hexdigest()
    key = db.execute(select(api_keys).where(api_keys.c.key_hash == key_hash)).one_or_none()
    if key is None or key.status != "active":
        raise _unauthenticated("The API key is not recognised or has been revoked.")
    if key.expires_at is not None and key.expires_at.replace(tzinfo=UTC) <= datetime.now(UTC):
        raise _unauthenticated("The API key has expired.")
    secret = request.app.state.fernet.decrypt(key.secret_ciphertext.encode())
    target = request.scope["raw_path"].decode("latin-1")
    if query := request.scope["query_string"]:
        target += "?" + query.decode("latin-1")
    payload = b".".join([x_timestamp.encode(), request.method.encode(), target.encode(), body])
    expected = "sha256=" + hmac.new(secret, payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), x_api_signature.encode()):
        raise _unauthenticated("The X-API-Signature does not match the request.")
    return key.organization_id


Organization = Annotated[str, Depends(signed_organization)]


def _unauthenticated(message: str) -> HTTPException:
    return HTTPException(401, detail=("AUTHENTICATION_ERROR", message))


def _fernet_key() -> bytes:
    if key := os.environ.get("GATEHOUSE_SECRET_KEY"):
        return key.encode()
    return (Path(os.environ.get("GATEHOUSE_VAR_DIR", "var")) / "secret.key").read_bytes().strip()


@asynccontextmanager
async def lifespan(app: FastAPI):
    # A pooled connection is held for the whole request (the get_db pattern), so the
    # pool covers the 40 threads of FastAPI's thread pool: no request waits for one.
    app.state.engine = create_engine(
        os.environ["DATABASE_URL"], connect_args={"check_same_thread": False}, pool_size=40
    )
    app.state.fernet = Fernet(_fernet_key())
    yield
    app.state.engine.dispose()


def create_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.add_middleware(RequestIdMiddleware)

    @app.exception_handler(HTTPException)
    async def error_envelope(request: Request, error: HTTPException) -> JSONResponse:
        code, message = error.detail if isinstance(error.detail, tuple) else ("ERROR", error.detail)
        body = {"error": {"code": code, "message": message, "requestId": request.state.request_id}}
        return JSONResponse(body, status_code=error.status_code)

    @app.get("/api/v1/products/{product_id}", response_model=ProductResponse)
    def get_product(
        product_id: str, request: Request, organization_id: Organization, db: Database
    ) -> ProductResponse:
        row = db.execute(
            select(products).where(
                products.c.id == product_id,
                products.c.organization_id == organization_id,
                products.c.deleted_at.is_(None),
            )
        ).one_or_none()
        if row is None:
            raise HTTPException(404, detail=("NOT_FOUND", f"No product {product_id}."))
        product = Product(
            id=row.id,
            sku=row.sku,
            name=row.name,
            description=row.description,
            price=f"{row.price_minor // 100}.{row.price_minor % 100:02d}",
            currency=row.currency,
            status=row.status,
            metadata=row.metadata,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        return ProductResponse(data=product, meta=Meta(request_id=request.state.request_id))

    return app
