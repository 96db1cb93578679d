"""The price book's data: items (with a package's parts), categories and tax rates, read and
changed in the request's transaction under the member's policies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from app import db, money, sql

queries = sql.load(__file__)


def list_items(
    tenant_id: UUID, *, term: str, kind: str | None, category_id: str | None, status: str, page: int
) -> sql.Page:
    rows = db.query(
        queries.list_items,
        {
            "tenant_id": tenant_id,
            "pattern": sql.like_pattern(term),
            "kind": kind or None,
            "category_id": category_id or None,
            "status": status,
            **sql.paging(page),
        },
    )
    return sql.page_of(rows, page)


def get_item(tenant_id: UUID, item_id: UUID) -> db.Row | None:
    return db.one(queries.item, {"tenant_id": tenant_id, "id": item_id})


def create_item(tenant_id: UUID, values: dict[str, Any]) -> UUID:
    return UUID(str(db.write(queries.insert_item, {"tenant_id": tenant_id, **values})[0]["id"]))


def update_item(tenant_id: UUID, item_id: UUID, values: dict[str, Any]) -> bool:
    return bool(db.write(queries.update_item, {"tenant_id": tenant_id, "id": item_id, **values}))


def set_item_archived(tenant_id: UUID, item_id: UUID, archived: bool) -> bool:
    params = {"tenant_id": tenant_id, "id": item_id, "archived": archived}
    return bool(db.write(queries.archive_item, params))


def package_parts(tenant_id: UUID, package_id: UUID) -> list[db.Row]:
    return db.query(queries.package_parts, {"tenant_id": tenant_id, "package_id": package_id})


def part_choices(tenant_id: UUID) -> list[db.Row]:
    return db.query(queries.part_choices, {"tenant_id": tenant_id})


def add_part(tenant_id: UUID, package_id: UUID, item_id: UUID, quantity: Any) -> bool:
    params = {
        "tenant_id": tenant_id,
        "package_id": package_id,
        "item_id": item_id,
        "quantity": quantity,
    }
    return bool(db.write(queries.add_part, params))


def remove_part(tenant_id: UUID, part_id: UUID) -> UUID | None:
    """Take a part out of its package; the package's id (None when there was no such part)."""
    rows = db.write(queries.remove_part, {"tenant_id": tenant_id, "id": part_id})
    return UUID(str(rows[0]["package_id"])) if rows else None


def categories(tenant_id: UUID) -> list[db.Row]:
    return db.query(queries.categories, {"tenant_id": tenant_id})


def get_category(tenant_id: UUID, category_id: UUID) -> db.Row | None:
    return db.one(queries.category, {"tenant_id": tenant_id, "id": category_id})


def create_category(tenant_id: UUID, name: str) -> UUID:
    rows = db.write(queries.insert_category, {"tenant_id": tenant_id, "name": name})
    return UUID(str(rows[0]["id"]))


def rename_category(tenant_id: UUID, category_id: UUID, name: str) -> bool:
    params = {"tenant_id": tenant_id, "id": category_id, "name": name}
    return bool(db.write(queries.rename_category, params))


def set_category_archived(tenant_id: UUID, category_id: UUID, archived: bool) -> bool:
    params = {"tenant_id": tenant_id, "id": category_id, "archived": archived}
    return bool(db.write(queries.archive_category, params))


# Tax rates ----------------------------------------------------------------------------------


def tax_rates(tenant_id: UUID) -> list[db.Row]:
    return db.query(queries.tax_rates, {"tenant_id": tenant_id})


def charged_rates(rates: list[db.Row]) -> tuple[list[db.Row], Decimal]:
    """The rates a new document charges on its taxable lines (active and applying), and their
    sum: each is still computed and rounded on its own (app.money), the sum is what to expect."""
    charged = [r for r in rates if r["archived_at"] is None and r["applies"]]
    return charged, sum((Decimal(r["percent"]) for r in charged), Decimal("0"))


def get_tax_rate(tenant_id: UUID, tax_rate_id: UUID) -> db.Row | None:
    return db.one(queries.tax_rate, {"tenant_id": tenant_id, "id": tax_rate_id})


def create_tax_rate(tenant_id: UUID, values: dict[str, Any]) -> UUID:
    rows = db.write(queries.insert_tax_rate, {"tenant_id": tenant_id, **values})
    return UUID(str(rows[0]["id"]))


def update_tax_rate(tenant_id: UUID, tax_rate_id: UUID, values: dict[str, Any]) -> bool:
    params = {"tenant_id": tenant_id, "id": tax_rate_id, **values}
    return bool(db.write(queries.update_tax_rate, params))


def set_tax_rate_archived(tenant_id: UUID, tax_rate_id: UUID, archived: bool) -> bool:
    params = {"tenant_id": tenant_id, "id": tax_rate_id, "archived": archived}
    return bool(db.write(queries.archive_tax_rate, params))


def line_choices(tenant_id: UUID) -> list[db.Row]:
    """The active items an estimate's or invoice's line may be copied from."""
    return db.query(queries.line_choices, {"tenant_id": tenant_id})


def line_from_item(
    tenant_id: UUID, item_id: UUID, quantity: Decimal, member: bool
) -> dict[str, Any] | None:
    """A document's line copied from the book: what the item says and costs now (the member
    price for a customer with an active service agreement), so that changing the book later
    changes no document; None when the item is not in the book (or archived)."""
    item = db.one(queries.line_item, {"tenant_id": tenant_id, "id": item_id})
    if item is None:
        return None
    price = item["price"]
    if member:
        price = money.member_price(
            price,
            member_price=item["member_price"],
            member_discount_percent=item["member_discount_percent"],
        )
    description = item["name"] + (f"\n{item['description']}" if item["description"] else "")
    return {
        "price_item_id": item["id"],
        "kind": item["kind"],
        "description": description,
        "quantity": quantity,
        "unit": item["unit"],
        "unit_price": price,
        "discount_percent": Decimal("0"),
        "taxable": item["taxable"],
    }
