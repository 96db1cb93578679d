"""Estimates as the homeowner sees them: through a link that holds a token (no sign-in). Every
read and write here runs as the token holder (`db.SIGN_IN`), through the narrow definers of
supabase/migrations/20261207140000_estimate_links.sql, which hash the token and answer nothing
for a link that is unknown, revoked or closed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import current_app

from app import db, money
from app.estimates.service import queries
from app.integrations import files


@dataclass(frozen=True)
class Option:
    id: str
    name: str
    description: str
    lines: list[dict[str, Any]]
    totals: money.Totals


@dataclass(frozen=True)
class Document:
    """What the homeowner's page shows: the company, the estimate and its options' totals."""

    company: dict[str, Any]
    estimate: dict[str, Any]
    customer: str
    place: dict[str, Any]
    rates: list[money.TaxRate]
    options: list[Option]

    @property
    def open(self) -> bool:
        return bool(self.estimate["status"] in ("sent", "viewed"))

    @property
    def valid_until(self) -> date:
        return date.fromisoformat(self.estimate["valid_until"])


def public_url(token: str) -> str:
    """The link a homeowner opens."""
    return f"{current_app.config['PLENUM'].public_url}/estimate/{token}"


def place(token: str) -> tuple[UUID, UUID] | None:
    """The company and the estimate a link opens, or None for a closed link."""
    db.set_claims(db.SIGN_IN)
    row = db.one(queries.link_place, {"token": token[:200]})
    return (UUID(str(row["tenant_id"])), UUID(str(row["estimate_id"]))) if row else None


def document(token: str) -> Document | None:
    """The estimate behind the link (a first look marks it viewed), or None."""
    db.set_claims(db.SIGN_IN)
    found = db.value(queries.by_link, {"token": token[:200]})
    if found is None:
        return None
    rates = [money.TaxRate(r["name"], Decimal(str(r["percent"]))) for r in found["rates"]]
    options = []
    for option in found["options"]:
        lines = [
            {
                **line,
                "quantity": Decimal(str(line["quantity"])),
                "unit_price": Decimal(str(line["unit_price"])),
                "discount_percent": Decimal(str(line["discount_percent"])),
            }
            for line in option["lines"]
        ]
        amounts = money.totals(
            [
                money.Line(
                    line["quantity"], line["unit_price"], line["discount_percent"], line["taxable"]
                )
                for line in lines
            ],
            rates,
        )
        options.append(
            Option(str(option["id"]), option["name"], option["description"], lines, amounts)
        )
    return Document(
        found["company"],
        found["estimate"],
        found["customer"] or "",
        found["property"] or {},
        rates,
        options,
    )


def signature_key(tenant_id: UUID, estimate_id: UUID) -> str:
    """Where an approval's drawn signature is kept: the company's prefix, then the estimate's."""
    return files.check_key(f"{tenant_id}/estimates/{estimate_id}/{uuid.uuid4()}.png")


def approve(token: str, option_id: str, signed_by: str, signature: bytes) -> str:
    """'approved', 'already' (approved before: nothing changes) or 'closed'. The signature is
    kept first and removed again when the approval does not take."""
    where = place(token)
    if where is None:
        return "closed"
    key = signature_key(*where)
    store = files.store()
    store.put(key, signature, "image/png")
    outcome = "closed"
    try:
        params = {
            "token": token[:200],
            "option_id": option_id,
            "signed_by": signed_by,
            "signature_key": key,
        }
        outcome = str(db.write(queries.approve_by_link, params)[0]["outcome"])
    finally:
        if outcome != "approved":
            store.delete(key)
    return outcome


def decline(token: str, reason: str) -> str:
    """'declined', 'already' or 'closed'."""
    db.set_claims(db.SIGN_IN)
    params = {"token": token[:200], "reason": reason}
    return str(db.write(queries.decline_by_link, params)[0]["outcome"])
