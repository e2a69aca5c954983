"""Typed declarative models. The schema itself is made only by the Alembic migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The highest key tier the organization pays for (storage.keys.TIERS); set by operators.
    plan: Mapped[str] = mapped_column(String(16), default="free", server_default="free")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(24))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(8))
    tier: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scopes: Mapped[list[str]] = mapped_column(JSON)
    # CIDR strings; None means any address.
    ip_allowlist: Mapped[list[str] | None] = mapped_column(JSON)
    # Requests per hour replacing the tier's quota (gatehouse.rate_limits); None: the tier's.
    rate_limit_per_hour: Mapped[int | None] = mapped_column(Integer)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        # A deleted product frees its SKU; only undeleted rows must be unique,
        # per organization and mode (test and live catalogues are separate).
        Index(
            "uq_products_org_mode_sku",
            "organization_id",
            "mode",
            "sku",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_products_org_mode_created", "organization_id", "mode", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    # test | live: the mode of the credential that created it (storage.partition).
    mode: Mapped[str] = mapped_column(String(8))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # Minor units (cents): exact on every backend, SQLite included.
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- OAuth 2.0 clients, refresh tokens and JWT signing keys (issue 3, migration 0003) ---


class OAuthClient(Base):
    """A machine client of the client-credentials grant; its secret is stored as a hash."""

    __tablename__ = "oauth_clients"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the public client_id
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))  # active | revoked
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Requests per hour replacing the tier's quota (gatehouse.rate_limits); None: the tier's.
    rate_limit_per_hour: Mapped[int | None] = mapped_column(Integer)


class TokenFamily(Base):
    """One grant: every refresh token rotated from the first, and the access tokens they minted.

    Access tokens name their family in the `sid` claim, so revoking the family
    (logout, refresh-token reuse) refuses them too.
    """

    __tablename__ = "token_families"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_id: Mapped[str | None] = mapped_column(ForeignKey("oauth_clients.id"), index=True)
    # No foreign key: the users table belongs to a later revision (0004).
    user_id: Mapped[str | None] = mapped_column(String(40), index=True)
    mode: Mapped[str] = mapped_column(String(8))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RefreshToken(Base):
    """An opaque, single-use refresh token, stored as its SHA-256."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("token_families.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RevokedAccessToken(Base):
    """An access token revoked before its expiry (RFC 7009); kept until it would expire."""

    __tablename__ = "revoked_access_tokens"

    jti: Mapped[str] = mapped_column(String(40), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SigningKey(Base):
    """An RS256 key pair; the private half encrypted with the server's Fernet key.

    The newest key without `rotated_at` signs. A rotated key still verifies
    (and stays in the JWKS) until `verify_until`, when its last token expires.
    """

    __tablename__ = "signing_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the JWT `kid`
    private_key_ciphertext: Mapped[str] = mapped_column(Text)
    public_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verify_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- People: users, memberships with roles, one-time tokens (issue 3, migration 0004) ---


class User(Base):
    """A person who signs in to the portal; belongs to organizations through memberships."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))  # as the person typed it
    # The lookup key (storage.users.canonical_email): one account per address, whatever its case.
    email_canonical: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)  # Argon2id, PHC string
    status: Mapped[str] = mapped_column(String(16))  # active | disabled
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Fernet-sealed base32 TOTP secret; set by mfa/enable, in force once mfa_enabled_at is set.
    totp_secret_ciphertext: Mapped[str | None] = mapped_column(Text)
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last TOTP time step accepted: a code works once (RFC 6238 section 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Requests per hour replacing the tier's quota (gatehouse.rate_limits); None: the tier's.
    rate_limit_per_hour: Mapped[int | None] = mapped_column(Integer)


class Membership(Base):
    """A user's role in one organization (storage.roles maps roles to scopes)."""

    __tablename__ = "memberships"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # owner | admin | developer | viewer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OneTimeToken(Base):
    """A mailed link's token (verify email, reset password): stored as its SHA-256, used once."""

    __tablename__ = "one_time_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(24))  # verify_email | reset_password
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- Usage counters per credential (issue 3, migration 0005) ---


class CredentialUsageDay(Base):
    """Requests and errors of one credential (API key or OAuth client) on one UTC day.

    Written only by gatehouse.usage's periodic flush, as additive upserts, so
    any number of API processes add up.
    """

    __tablename__ = "credential_usage_days"

    credential_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger)
    errors: Mapped[int] = mapped_column(BigInteger)


# --- Commerce: the outbox, customers, inventory, orders, payments (issue 4, migration 0006) ---
# Every table of business data carries `organization_id` and `mode` (storage.partition).

# SQLite autoincrements only an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Sequence64 = BigInteger().with_variant(Integer(), "sqlite")


class Event(Base):
    """The outbox: one row per domain change, written in the change's own transaction.

    `sequence` orders events for the relay (ULIDs made in the same millisecond by
    two processes do not); `published_at` is set once the relay has handed the
    event to delivery, `publish_attempts` counts its tries.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_org_mode_occurred", "organization_id", "mode", "occurred_at"),
        Index(
            "ix_events_unpublished",
            "sequence",
            sqlite_where=text("published_at IS NULL"),
            postgresql_where=text("published_at IS NULL"),
        ),
    )

    sequence: Mapped[int] = mapped_column(Sequence64, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    mode: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(64))  # order.created, inventory.low, ...
    resource_type: Mapped[str] = mapped_column(String(32))  # order, customer, ...
    resource_id: Mapped[str] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The resource as the API shows it after the change (only its id once erased).
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What changed: {"field": {"from": old, "to": new}}; empty for creations.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)


class Customer(Base):
    """A buyer. A GDPR erasure blanks every personal field and sets `deleted_at`;
    the row stays so that orders keep a (now anonymous) reference."""

    __tablename__ = "customers"
    __table_args__ = (
        Index(
            "uq_customers_org_mode_email",
            "organization_id",
            "mode",
            "email_canonical",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_customers_org_mode_created", "organization_id", "mode", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    mode: Mapped[str] = mapped_column(String(8))
    email: Mapped[str | None] = mapped_column(String(320))  # as given
    email_canonical: Mapped[str | None] = mapped_column(String(320))  # lower-cased, for uniqueness
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    # A list of address objects as the API shows them.
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JSON)
    status: Mapped[str] = mapped_column(String(16))  # active | blocked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InventoryItem(Base):
    """Stock of one SKU. `available` is on_hand - reserved and never negative:
    the CHECK constraints hold it even against concurrent writers, and every
    change is a single conditional UPDATE (storage.inventory)."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="ck_inventory_on_hand"),
        CheckConstraint("reserved >= 0", name="ck_inventory_reserved"),
        CheckConstraint("reserved <= on_hand", name="ck_inventory_available"),
        Index("uq_inventory_org_mode_sku", "organization_id", "mode", "sku", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    mode: Mapped[str] = mapped_column(String(8))
    sku: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[str | None] = mapped_column(ForeignKey("products.id"))
    on_hand: Mapped[int] = mapped_column(BigInteger)
    reserved: Mapped[int] = mapped_column(BigInteger)
    low_stock_threshold: Mapped[int | None] = mapped_column(BigInteger)
    # Set when `available` fell below the threshold (inventory.low was emitted),
    # cleared when it rose back: one event per downward crossing.
    low_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Order(Base):
    """An order; its lines are OrderItem rows. Cancelling is a status, never a delete.

    Amounts are minor units of `currency`, computed by the server. `version`
    increases on every change (optimistic concurrency for PUT and status moves).
    """

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_org_mode_created", "organization_id", "mode", "created_at"),
        Index("ix_orders_customer", "customer_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    mode: Mapped[str] = mapped_column(String(8))
    # None once the customer is erased (GDPR): the order stays for accounting.
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger)
    # Address objects copied at order time (personal data: erased with the customer).
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    billing_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JSON)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OrderItem(Base):
    """One line of an order, priced from the catalogue when the order was placed."""

    __tablename__ = "order_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_order_items_quantity"),)

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    line_total_minor: Mapped[int] = mapped_column(BigInteger)


class Payment(Base):
    """A payment attempt on an order, as the payment provider reported it."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_order", "order_id", "created_at"),
        CheckConstraint("amount_minor > 0", name="ck_payments_amount"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    mode: Mapped[str] = mapped_column(String(8))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(24))  # card | bank_transfer | wallet | ...
    provider: Mapped[str] = mapped_column(String(40))
    provider_reference: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # succeeded | failed | pending
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- Idempotency keys (issue 4, migration 0007) ---


class IdempotencyRecord(Base):
    """One `Idempotency-Key` of one credential: in progress, or the answer to replay.

    Scoped by organization and mode as well as credential, because a person's
    tokens may act in several organizations and either mode; an API key's or an
    OAuth client's never change. The answer's body may hold secrets (a new API
    key's), so it is kept sealed with the server's Fernet key.
    """

    __tablename__ = "idempotency_keys"

    credential_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # SHA-256 of the method, the path with query, and the raw body.
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # in_progress | completed
    status_code: Mapped[int | None] = mapped_column(Integer)
    # The few headers the answer needs to read the same (content-type, location, ...).
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    response_body_ciphertext: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # When the request holding the key started; a lock older than the timeout is
    # a request whose process died, and another may take the key over.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- Usage records and the audit log (issue 6, migrations 0009 and 0010) ---


class UsageRecord(Base):
    """One answered request, as the gateway saw it; written in batches off the request path.

    `day` is the UTC day of `occurred_at`, stored so that per-day series group
    the same way on every backend and pruning is a range delete.
    """

    __tablename__ = "usage_records"
    __table_args__ = (
        Index("ix_usage_records_org_day", "organization_id", "day"),
        # The request log, newest first (migration 0014).
        Index("ix_usage_records_org_time", "organization_id", "occurred_at"),
        Index("ix_usage_records_day", "day"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(40))
    credential_id: Mapped[str | None] = mapped_column(String(40))
    operation_id: Mapped[str | None] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(10))
    status: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    request_bytes: Mapped[int] = mapped_column(BigInteger)
    response_bytes: Mapped[int] = mapped_column(BigInteger)
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    request_id: Mapped[str] = mapped_column(String(80))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[date] = mapped_column(Date)


class AuditEvent(Base):
    """Who did what to which resource, when, from where, and how it ended.

    A successful action's event is written in the action's own transaction
    (storage.audit), so it exists exactly when the action committed; its
    `status` is filled in once the answer is known. Personal data and secrets
    are masked before they get here.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_org_created", "organization_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(40))
    actor_type: Mapped[str] = mapped_column(String(16))  # api_key | oauth_client | user
    actor_id: Mapped[str | None] = mapped_column(String(40))
    actor_label: Mapped[str | None] = mapped_column(String(320))  # a person's masked email
    credential_id: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2048))
    resource_type: Mapped[str | None] = mapped_column(String(60))
    resource_id: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(16))  # success | failure
    committed: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int | None] = mapped_column(Integer)
    client_address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(80))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupportRequest(Base):
    """A message to the operator's support desk, sent by a person or a credential.

    `notified_at` is set once the operator's mail is handed to the mailer; a
    request without it was stored but not mailed (the mailer failed), and the
    operator finds it by that (README, "Support requests").
    """

    __tablename__ = "support_requests"
    __table_args__ = (Index("ix_support_requests_org_created", "organization_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    subject: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))  # question | bug | billing | security
    message: Mapped[str] = mapped_column(Text)
    failing_request_id: Mapped[str | None] = mapped_column(String(64))
    sender_type: Mapped[str] = mapped_column(String(16))  # user | api_key | oauth_client
    sender_id: Mapped[str] = mapped_column(String(40))
    # The person's address when they sent it (a credential has none).
    sender_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
