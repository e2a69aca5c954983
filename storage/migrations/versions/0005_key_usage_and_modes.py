"""Per-credential daily usage counters; test/live mode on data rows.

Revision ID: 0005
Revises: 0004

Products gain `mode`. No stored fact says which key wrote an existing product,
so the backfill reasons from what the organization could have used: an
organization that never had a live key can only have written test data, so its
products become `test`; in an organization with a live key a product may be
production data, and production must keep seeing its catalogue, so they become
`live` (its test keys start with an empty test catalogue). SKUs become unique
per organization and mode.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UNDELETED = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "credential_usage_days",
        # An API key id or an OAuth client id: no foreign key, it may name either.
        sa.Column("credential_id", sa.String(40), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
    )

    # The indexes name the columns being changed: drop them before the batch
    # copy of the table on SQLite, build the per-mode ones after it.
    op.drop_index("uq_products_org_sku_live", table_name="products")
    op.drop_index("ix_products_org_created", table_name="products")
    op.add_column("products", sa.Column("mode", sa.String(8), nullable=True))
    products = sa.table("products", sa.column("organization_id"), sa.column("mode"))
    api_keys = sa.table("api_keys", sa.column("organization_id"), sa.column("mode"))
    has_live_key = (
        sa.exists()
        .where(api_keys.c.organization_id == products.c.organization_id)
        .where(api_keys.c.mode == "live")
    )
    op.execute(
        products.update().values(mode=sa.case((has_live_key, "live"), else_=sa.literal("test")))
    )
    with op.batch_alter_table("products") as batch:
        batch.alter_column("mode", existing_type=sa.String(8), nullable=False)
    op.create_index(
        "uq_products_org_mode_sku",
        "products",
        ["organization_id", "mode", "sku"],
        unique=True,
        sqlite_where=UNDELETED,
        postgresql_where=UNDELETED,
    )
    op.create_index(
        "ix_products_org_mode_created", "products", ["organization_id", "mode", "created_at"]
    )


def downgrade() -> None:
    # Going back merges the catalogues; two products of one SKU, one per mode,
    # would break the old uniqueness, so the downgrade refuses them (IntegrityError).
    op.drop_index("ix_products_org_mode_created", table_name="products")
    op.drop_index("uq_products_org_mode_sku", table_name="products")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("mode")
    op.create_index(
        "uq_products_org_sku_live",
        "products",
        ["organization_id", "sku"],
        unique=True,
        sqlite_where=UNDELETED,
        postgresql_where=UNDELETED,
    )
    op.create_index("ix_products_org_created", "products", ["organization_id", "created_at"])
    op.drop_table("credential_usage_days")
