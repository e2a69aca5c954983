"""Commerce: the event outbox, customers, inventory, orders and their items, payments.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from storage.models import Sequence64, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UNDELETED = sa.text("deleted_at IS NULL")
UNPUBLISHED = sa.text("published_at IS NULL")


def _partitioned() -> list[sa.Column]:
    return [
        sa.Column("organization_id", sa.String(40), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("sequence", Sequence64, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        *_partitioned(),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.String(40), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("publish_attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_events_org_mode_occurred", "events", ["organization_id", "mode", "occurred_at"])
    op.create_index("ix_events_resource_id", "events", ["resource_id"])
    op.create_index(
        "ix_events_unpublished",
        "events",
        ["sequence"],
        sqlite_where=UNPUBLISHED,
        postgresql_where=UNPUBLISHED,
    )

    op.create_table(
        "customers",
        sa.Column("id", sa.String(40), primary_key=True),
        *_partitioned(),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("email_canonical", sa.String(320), nullable=True),
        sa.Column("first_name", sa.String(100), nullable=True),
        sa.Column("last_name", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "uq_customers_org_mode_email",
        "customers",
        ["organization_id", "mode", "email_canonical"],
        unique=True,
        sqlite_where=UNDELETED,
        postgresql_where=UNDELETED,
    )
    op.create_index(
        "ix_customers_org_mode_created", "customers", ["organization_id", "mode", "created_at"]
    )

    op.create_table(
        "inventory_items",
        sa.Column("id", sa.String(40), primary_key=True),
        *_partitioned(),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("product_id", sa.String(40), sa.ForeignKey("products.id"), nullable=True),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("low_stock_threshold", sa.BigInteger(), nullable=True),
        sa.Column("low_since", UTCDateTime(), nullable=True),
        sa.Column("location", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name="ck_inventory_on_hand"),
        sa.CheckConstraint("reserved >= 0", name="ck_inventory_reserved"),
        sa.CheckConstraint("reserved <= on_hand", name="ck_inventory_available"),
    )
    op.create_index(
        "uq_inventory_org_mode_sku", "inventory_items", ["organization_id", "mode", "sku"], unique=True
    )

    op.create_table(
        "orders",
        sa.Column("id", sa.String(40), primary_key=True),
        *_partitioned(),
        sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("subtotal_minor", sa.BigInteger(), nullable=False),
        sa.Column("tax_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_minor", sa.BigInteger(), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_address", sa.JSON(), nullable=True),
        sa.Column("billing_address", sa.JSON(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_orders_org_mode_created", "orders", ["organization_id", "mode", "created_at"])
    op.create_index("ix_orders_customer", "orders", ["customer_id"])

    op.create_table(
        "order_items",
        sa.Column("order_id", sa.String(40), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("product_id", sa.String(40), sa.ForeignKey("products.id"), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_total_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_order_items_quantity"),
    )

    op.create_table(
        "payments",
        sa.Column("id", sa.String(40), primary_key=True),
        *_partitioned(),
        sa.Column("order_id", sa.String(40), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("method", sa.String(24), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("provider_reference", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("failure_code", sa.String(64), nullable=True),
        sa.Column("failure_message", sa.String(500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name="ck_payments_amount"),
    )
    op.create_index("ix_payments_order", "payments", ["order_id", "created_at"])


def downgrade() -> None:
    for table in ("payments", "order_items", "orders", "inventory_items", "customers", "events"):
        op.drop_table(table)
