"""Estimates: made for a property (from a job or on their own), built from options and lines,
with totals by the money rule (app/money.py), then sent, approved (one option), declined, or
revised. Every read and write runs in the request's transaction under the member's policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from app import db, document_links, messaging, money, pricebook, sql
from app.formatting import format_date

queries = sql.load(__file__)
FIRST_OPTION = "Recommended"
MAX_PHOTOS = 12  # estimate_photos_position_range: enough to show the problem, a small PDF


@dataclass(frozen=True)
class Option:
    row: db.Row
    lines: list[db.Row]
    totals: money.Totals


@dataclass(frozen=True)
class Estimate:
    row: db.Row
    options: list[Option]
    rates: list[money.TaxRate]
    photos: list[db.Row]  # chosen from the job's visits, in order (id, file_id, caption, ...)

    @property
    def is_draft(self) -> bool:
        return bool(self.row["status"] == "draft")


def display_number(row: db.Row) -> str:
    """`EST-1001`, `EST-1001 rev. 2`."""
    number = f"EST-{row['number']}"
    return number if row["revision"] == 1 else f"{number} rev. {row['revision']}"


def list_params(
    tenant_id: UUID, criteria: Mapping[str, Any], *, today: date, zone: str
) -> dict[str, Any]:
    """The list query's parameters for the filters (forms.ListFilter.criteria), without paging:
    `today` decides which sent estimates have expired, `zone` the company's days."""
    filters = sql.document_filters(criteria, "EST-")
    return {"tenant_id": tenant_id, "today": today, "zone": zone, **filters}


def list_estimates(params: dict[str, Any], page: int) -> sql.Page:
    rows = db.query(queries.list_estimates, {**params, **sql.paging(page)})
    return sql.page_of(rows, page)


def get(tenant_id: UUID, estimate_id: UUID, today: date) -> Estimate | None:
    """The estimate with its options, their lines and totals, its tax rates and photos."""
    scope = {"tenant_id": tenant_id, "estimate_id": estimate_id}
    found, options, lines, rates, photos = db.query_together(
        (queries.estimate, {"tenant_id": tenant_id, "id": estimate_id, "today": today}),
        (queries.options, scope),
        (queries.lines, scope),
        (queries.tax_rates, scope),
        (queries.photos, scope),
    )
    if not found:
        return None
    taxes = [money.TaxRate(r["name"], r["percent"]) for r in rates]
    built = []
    for option in options:
        mine = [line for line in lines if line["option_id"] == option["id"]]
        amounts = money.totals([_as_line(line) for line in mine], taxes)
        built.append(Option(option, mine, amounts))
    return Estimate(found[0], built, taxes, photos)


def _as_line(row: db.Row) -> money.Line:
    return money.Line(row["quantity"], row["unit_price"], row["discount_percent"], row["taxable"])


def place(tenant_id: UUID, property_id: UUID, job_id: UUID | None) -> db.Row | None:
    params = {"tenant_id": tenant_id, "property_id": property_id, "job_id": job_id}
    return db.one(queries.place, params)


def job_property(tenant_id: UUID, job_id: UUID) -> UUID | None:
    row = db.one(queries.job_place, {"tenant_id": tenant_id, "job_id": job_id})
    return UUID(str(row["property_id"])) if row else None


def create(tenant_id: UUID, values: dict[str, Any]) -> UUID:
    """A draft for the place, with the company's applying tax rates and a first option."""
    with db.atomic():
        row = db.write(queries.insert_estimate, {"tenant_id": tenant_id, **values})[0]
        estimate_id = UUID(str(row["id"]))
        scope = {"tenant_id": tenant_id, "estimate_id": estimate_id}
        db.write(queries.copy_tax_rates, scope)
        db.write(queries.insert_option, {**scope, "name": FIRST_OPTION, "description": ""})
    return estimate_id


def update(tenant_id: UUID, estimate_id: UUID, values: dict[str, Any]) -> bool:
    params = {"tenant_id": tenant_id, "id": estimate_id, **values}
    return bool(db.write(queries.update_estimate, params))


def add_option(tenant_id: UUID, estimate_id: UUID, name: str, description: str) -> UUID:
    params = {
        "tenant_id": tenant_id,
        "estimate_id": estimate_id,
        "name": name,
        "description": description,
    }
    return UUID(str(db.write(queries.insert_option, params)[0]["id"]))


def get_option(tenant_id: UUID, option_id: UUID) -> db.Row | None:
    return db.one(queries.option, {"tenant_id": tenant_id, "id": option_id})


def update_option(tenant_id: UUID, option_id: UUID, name: str, description: str) -> bool:
    params = {"tenant_id": tenant_id, "id": option_id, "name": name, "description": description}
    return bool(db.write(queries.update_option, params))


def remove_option(tenant_id: UUID, option_id: UUID) -> bool:
    """False when it is the estimate's only option (an estimate has at least one)."""
    return bool(db.write(queries.delete_option, {"tenant_id": tenant_id, "id": option_id}))


def add_line(tenant_id: UUID, option_id: UUID, values: dict[str, Any]) -> UUID:
    params = {
        "tenant_id": tenant_id,
        "option_id": option_id,
        "price_item_id": None,
        "kind": "other",
        **values,
    }
    return UUID(str(db.write(queries.insert_line, params)[0]["id"]))


def add_item(
    tenant_id: UUID, option_id: UUID, item_id: UUID, quantity: Decimal, member: bool
) -> UUID | None:
    """A line copied from the price book (`pricebook.line_from_item`: what it says and costs
    now, the member price for a member); None when the item is not in the book."""
    values = pricebook.line_from_item(tenant_id, item_id, quantity, member)
    return None if values is None else add_line(tenant_id, option_id, values)


def get_line(tenant_id: UUID, line_id: UUID) -> db.Row | None:
    return db.one(queries.line, {"tenant_id": tenant_id, "id": line_id})


def update_line(tenant_id: UUID, line_id: UUID, values: dict[str, Any]) -> bool:
    params = {"tenant_id": tenant_id, "id": line_id, **values}
    return bool(db.write(queries.update_line, params))


def remove_line(tenant_id: UUID, line_id: UUID) -> UUID | None:
    rows = db.write(queries.delete_line, {"tenant_id": tenant_id, "id": line_id})
    return UUID(str(rows[0]["estimate_id"])) if rows else None


def job_photos(tenant_id: UUID, estimate_id: UUID) -> list[db.Row]:
    """The photos of the visits of the estimate's job, which it may show."""
    return db.query(queries.job_photos, {"tenant_id": tenant_id, "estimate_id": estimate_id})


def choose_photos(tenant_id: UUID, estimate_id: UUID, chosen: list[tuple[UUID, str]]) -> None:
    """Show these photos (file id, caption) in this order, and no others. The database refuses
    a photo that is not of the estimate's job, more than MAX_PHOTOS, or a sent estimate."""
    scope = {"tenant_id": tenant_id, "estimate_id": estimate_id}
    with db.atomic():
        db.write(queries.clear_photos, scope)
        for position, (file_id, caption) in enumerate(chosen):
            params = {**scope, "file_id": file_id, "position": position, "caption": caption}
            db.write(queries.insert_photo, params)


def mark_sent(tenant_id: UUID, estimate_id: UUID) -> bool:
    return bool(db.write(queries.mark_sent, {"tenant_id": tenant_id, "id": estimate_id}))


def approve(tenant_id: UUID, estimate_id: UUID, option_id: UUID, today: date) -> bool:
    """Approve one option; False when the estimate is not open for approval (already
    approved, declined, expired, a draft): a second approval changes nothing."""
    params = {"tenant_id": tenant_id, "id": estimate_id, "option_id": option_id, "today": today}
    return bool(db.write(queries.approve, params))


def decline(tenant_id: UUID, estimate_id: UUID, reason: str, today: date) -> bool:
    params = {"tenant_id": tenant_id, "id": estimate_id, "reason": reason, "today": today}
    return bool(db.write(queries.decline, params))


def revise(tenant_id: UUID, estimate_id: UUID, today: date) -> UUID | None:
    """A new draft revision copying the estimate's options, lines and tax rates; the old one
    becomes `revised`. None when it cannot be revised (a draft, approved, or revised already)."""
    with db.atomic():
        if not db.write(queries.mark_revised, {"tenant_id": tenant_id, "id": estimate_id}):
            return None
        params = {"tenant_id": tenant_id, "id": estimate_id, "today": today}
        new_id = UUID(str(db.write(queries.insert_revision, params)[0]["id"]))
        copy = {"tenant_id": tenant_id, "from_id": estimate_id, "to_id": new_id}
        db.write(queries.copy_options, copy)
        db.write(queries.copy_lines, copy)
        db.write(queries.copy_estimate_tax_rates, copy)
        db.write(queries.copy_photos, copy)
    return new_id


def delete_draft(tenant_id: UUID, estimate_id: UUID) -> bool:
    return bool(db.write(queries.delete_draft, {"tenant_id": tenant_id, "id": estimate_id}))


def send(tenant_id: UUID, row: db.Row, to: document_links.Recipient) -> document_links.Made:
    """A new link for the estimate (`row`, as `get` reads it; earlier links revoked, a draft
    becomes sent), and its `estimate_sent` message to `to` when given; the token, to be shown
    once. Always in the caller's own company (app.send_estimate takes none)."""
    values = {
        "first_name": row["customer_first_name"],
        "estimate": display_number(row),
        "title": row["title"],
        "valid_until": format_date(row["valid_until"]),
    }
    return messaging.document_messages.send_with_link(
        tenant_id, "estimate_sent", queries.send, {"id": row["id"]}, to, values
    )


def links(tenant_id: UUID, estimate_id: UUID) -> list[db.Row]:
    return db.query(queries.links, {"tenant_id": tenant_id, "estimate_id": estimate_id})


def revoke_link(tenant_id: UUID, link_id: UUID) -> UUID | None:
    rows = db.write(queries.revoke_link, {"tenant_id": tenant_id, "id": link_id})
    return UUID(str(rows[0]["estimate_id"])) if rows else None


def signature_key(tenant_id: UUID, estimate_id: UUID) -> str | None:
    row = db.one(queries.signature_key, {"tenant_id": tenant_id, "id": estimate_id})
    return str(row["signature_key"]) if row else None


def for_job(tenant_id: UUID, job_id: UUID, today: date) -> list[db.Row]:
    """The job's estimates (latest revisions), newest first, with their totals."""
    return db.query(queries.for_job, {"tenant_id": tenant_id, "job_id": job_id, "today": today})
