"""The company being worked in: its name, time zone, status and currency, read once per
request.

Every feature that shows a time or names the company asks here (`company.zone(tenant_id)`,
`company.current()`); nothing else reads `public.tenants` for that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import g, has_app_context
from flask_login import current_user

from app import db, sql

queries = sql.load(__file__, "company.sql")
FALLBACK_ZONE = "UTC"


@dataclass(frozen=True)
class Company:
    id: UUID
    name: str
    time_zone: str
    status: str
    currency: str  # ISO 4217: the one its prices, estimates and invoices are in
    closed_at: datetime | None = None
    purge_after: datetime | None = None
    reopenable: bool = False  # closed, and its 30 days not over by the database clock

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_open(self) -> bool:
        return self.status == "active"

    @property
    def closure(self) -> Closure | None:
        """When a closed company became read-only and what happens next (None while open)."""
        if self.closed_at is None or self.purge_after is None:
            return None
        return Closure(self.status, self.closed_at, self.purge_after, self.reopenable)


# How long after the reopening period ends the purge has to finish (P-11).
PURGE_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class Closure:
    """A closed company's dates (P-11): read-only from `closed_at`; export and reopening until
    `purge_after`; its data deleted or anonymised by `deleted_by`."""

    status: str
    closed_at: datetime
    purge_after: datetime
    reopenable: bool  # the database has the last word

    @property
    def export_until(self) -> datetime:
        return self.purge_after

    @property
    def reopen_until(self) -> datetime:
        return self.purge_after

    @property
    def deleted_by(self) -> datetime:
        return self.purge_after + PURGE_WITHIN


def get(tenant_id: UUID) -> Company | None:
    """The company, as the caller may see it (None for another company's id); cached for the
    request, so a page that shows many times reads it once."""
    cache: dict[UUID, Company | None] | None = None
    if has_app_context():
        cache = g.setdefault("plenum_companies", {})
        if tenant_id in cache:
            return cache[tenant_id]
    return _remember(tenant_id, db.one(queries.company, {"tenant_id": tenant_id}), cache)


def settle_claims(claims: Mapping[str, Any], tenant_id: UUID) -> Company | None:
    """Set the request's claims for a member of `tenant_id` and read the company under them
    in the same round trip (`db.one_with_claims`); `get` then answers from the cache."""
    row = db.one_with_claims(claims, queries.company, {"tenant_id": tenant_id})
    return _remember(tenant_id, row, g.setdefault("plenum_companies", {}))


def _remember(
    tenant_id: UUID, row: db.Row | None, cache: dict[UUID, Company | None] | None
) -> Company | None:
    found = (
        Company(
            row["id"],
            row["name"],
            row["time_zone"],
            row["status"],
            row["currency"],
            row["closed_at"],
            row["purge_after"],
            bool(row["reopenable"]),
        )
        if row
        else None
    )
    if cache is not None:
        cache[tenant_id] = found
    return found


def closure() -> Closure | None:
    """The signed-in member's company's closure, or None while it is open (the banner)."""
    found = current() if current_user.is_authenticated else None
    return found.closure if found else None


def current() -> Company | None:
    """The signed-in member's company, or None outside one."""
    tenant_id = current_user.tenant_id
    return get(tenant_id) if tenant_id is not None else None


FALLBACK_CURRENCY = "USD"


def currency(tenant_id: UUID | None = None) -> str:
    """The company's currency code (the current company by default)."""
    found = get(tenant_id) if tenant_id is not None else current()
    return found.currency if found else FALLBACK_CURRENCY


def zone(tenant_id: UUID | None = None) -> ZoneInfo:
    """The company's time zone, in which times are shown (the current company by default)."""
    found = get(tenant_id) if tenant_id is not None else current()
    return ZoneInfo(found.time_zone if found else FALLBACK_ZONE)


@dataclass(frozen=True)
class Letterhead:
    """What a company's documents (estimates, invoices) print about it."""

    name: str
    licence_number: str
    address: str
    phone: str
    time_zone: str
    logo_key: str | None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def letterhead(tenant_id: UUID) -> Letterhead | None:
    """The company's letterhead, as the caller may see it (None for another company's id)."""
    row = db.one(queries.letterhead, {"tenant_id": tenant_id})
    return letterhead_of(row) if row else None


def letterhead_of(row: Mapping[str, Any]) -> Letterhead:
    """A letterhead from a row (or a document's JSON) with those names."""
    return Letterhead(
        str(row["name"]),
        str(row.get("licence_number") or ""),
        str(row.get("address") or ""),
        str(row.get("phone") or ""),
        str(row.get("time_zone") or FALLBACK_ZONE),
        str(row["logo_key"]) if row.get("logo_key") else None,
    )


def technicians(tenant_id: UUID) -> list[db.Row]:
    """The company's technicians, removed ones after the active (`account_id`, `full_name`,
    `status`)."""
    return db.query(queries.technicians, {"tenant_id": tenant_id})
