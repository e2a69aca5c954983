"""Products (FR-006): the catalogue of the caller's organization and mode.

Connexion passes `token_info`, the principal the request authenticated as; its
organization and mode (test or live) make the Partition every query stays in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from generated.models import Product as ProductView
from generated.models import ProductInput
from handlers import cursors, envelope
from handlers.errors import NotFound
from handlers.listing import instant, sort_order
from handlers.money import from_minor, to_minor
from storage import unit_of_work
from storage.clock import rfc3339, utcnow
from storage.events import changes_between
from storage.ids import new_id
from storage.models import Product
from storage.partition import Partition
from storage.products import ProductSearch

ALIASES = {field.alias or name: name for name, field in ProductView.model_fields.items()}


def list_products(
    token_info: dict,
    page: int = 1,
    per_page: int = 20,
    q: str | None = None,
    status: list[str] | None = None,
    price_min: str | None = None,
    price_max: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    sort: list[str] | None = None,
    order: list[str] | None = None,
    fields: list[str] | None = None,
) -> dict:
    search = replace(
        _search(q, status, price_min, price_max, created_after, created_before),
        sort=sort_order(sort, order),
        page=page,
        per_page=per_page,
    )
    with unit_of_work() as uow:
        result = uow.products.search(Partition.of(token_info), search)
        return envelope.page([_view(product, fields) for product in result.items], result)


def list_products_by_cursor(
    token_info: dict,
    limit: int = 20,
    cursor: str | None = None,
    q: str | None = None,
    status: list[str] | None = None,
    price_min: str | None = None,
    price_max: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    fields: list[str] | None = None,
) -> dict:
    """v2: newest first, one slice after the cursor."""
    search = _search(q, status, price_min, price_max, created_after, created_before)
    after = cursors.position(cursor, "prod")
    with unit_of_work() as uow:
        result = uow.products.scroll(Partition.of(token_info), search, after=after, limit=limit)
        return envelope.slice_of([_view(product, fields) for product in result.items], result)


def _search(q, status, price_min, price_max, created_after, created_before) -> ProductSearch:
    return ProductSearch(
        text=q,
        statuses=tuple(status or ()),
        price_min_minor=to_minor(price_min) if price_min else None,
        price_max_minor=to_minor(price_max) if price_max else None,
        created_after=instant(created_after),
        created_before=instant(created_before),
    )


def get_product(token_info: dict, product_id: str, fields: list[str] | None = None) -> dict:
    with unit_of_work() as uow:
        product = _existing(uow, Partition.of(token_info), product_id)
        return envelope.one(_view(product, fields))


def create_product(token_info: dict, body: dict) -> tuple[dict, int]:
    wanted = ProductInput.model_validate(body)
    now = utcnow()
    product = Product(id=new_id("prod"), created_at=now)
    partition = Partition.of(token_info)
    partition.stamp(product)
    _apply(product, wanted, now)
    with unit_of_work() as uow:
        shown = _view(product)
        # Recorded before the flush that may refuse the SKU: both roll back together.
        uow.events.record(partition, "product.created", shown)
        uow.products.add(product)
        uow.commit()
        return envelope.one(shown), 201


def update_product(token_info: dict, product_id: str, body: dict) -> dict:
    wanted = ProductInput.model_validate(body)
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        product = _existing(uow, partition, product_id)
        before = _view(product)
        _apply(product, wanted, product.updated_at)
        if _view(product) == before:
            return envelope.one(before)  # nothing changed: no event, updatedAt stays
        product.updated_at = utcnow()
        after = _view(product)
        uow.events.record(
            partition, "product.updated", after, changes=changes_between(before, after)
        )
        uow.products.save(product)
        uow.commit()
        return envelope.one(after)


def delete_product(token_info: dict, product_id: str) -> tuple[None, int]:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        product = _existing(uow, partition, product_id)
        # Kept, marked deleted: orders that name it must stay readable.
        product.deleted_at = utcnow()
        uow.events.record(partition, "product.deleted", _view(product))
        uow.commit()
    return None, 204


def _existing(uow, partition: Partition, product_id: str) -> Product:
    product = uow.products.get(partition, product_id)
    if product is None:
        raise NotFound("product", product_id)
    return product


def _apply(product: Product, wanted: ProductInput, now: datetime) -> None:
    product.sku = wanted.sku
    product.name = wanted.name
    product.description = wanted.description
    product.price_minor = to_minor(wanted.price)
    product.currency = wanted.currency
    product.status = wanted.status or "active"
    product.metadata_ = dict(wanted.metadata or {})
    product.updated_at = now


def _view(product: Product, fields: list[str] | None = None) -> dict:
    view = ProductView(
        id=product.id,
        sku=product.sku,
        name=product.name,
        description=product.description,
        price=from_minor(product.price_minor),
        currency=product.currency,
        status=product.status,
        metadata=product.metadata_,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )
    include = {ALIASES[name] for name in {"id", *fields}} if fields else None
    shown = view.model_dump(by_alias=True, include=include)
    for name in ("createdAt", "updatedAt"):
        if name in shown:
            shown[name] = rfc3339(shown[name])
    return shown
