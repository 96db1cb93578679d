"""Shared by the tests of messages about documents: a company where it is working hours now,
customers with a channel preference, estimates and invoices ready to send, and the messages
queued about them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.db import Connection
from tests.factories import Factory, Member, Tenant
from tests.messaging.support import daytime_zone
from tests.technician.support import works_every_day

LINK = re.compile(r"https?://[^/\s]+/(estimate|invoice)/([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class Shop:
    """A company (in working hours now, by the real clock) and its office member."""

    tenant: Tenant
    office: Member

    @property
    def id(self) -> UUID:
        return self.tenant.id


def shop(make: Factory, admin: Connection, name: str = "Acme Heating") -> Shop:
    tenant = make.tenant(name)
    admin.execute(
        "update public.tenants set time_zone = %s, phone = '(312) 555-0100' where id = %s",
        [daytime_zone(admin), tenant.id],
    )
    return Shop(tenant, make.member(tenant.id, "office"))


def technician(make: Factory, admin: Connection, tenant_id: UUID) -> Member:
    """A technician of the company who works every day."""
    found = make.member(tenant_id, "technician")
    works_every_day(admin, tenant_id, found.account_id)
    return found


def customer(
    make: Factory,
    admin: Connection,
    tenant_id: UUID,
    preferred: str,
    *,
    phone: str = "",
    email: str = "",
    do_not_contact: bool = False,
) -> UUID:
    """Dana, who prefers `preferred` ('sms', 'email' or 'phone')."""
    found = make.customer(tenant_id, "Dana", "Reyes", phone=phone, email=email)
    admin.execute(
        "update public.customers set preferred_contact = %s, do_not_contact = %s where id = %s",
        [preferred, do_not_contact, found],
    )
    return found


def estimate(make: Factory, admin: Connection, tenant_id: UUID, customer_id: UUID) -> UUID:
    """A draft estimate for the customer's property, with one option of one line."""
    found = make.estimate(tenant_id, make.property(tenant_id, customer_id), title="New furnace")
    option = make.estimate_option(tenant_id, found)
    admin.execute(
        "insert into public.estimate_lines (tenant_id, estimate_id, option_id, description,"
        " quantity, unit_price) values (%s, %s, %s, 'Furnace, installed', 1, 4200)",
        [tenant_id, found, option],
    )
    return found


def invoice(
    make: Factory, tenant_id: UUID, customer_id: UUID, job: UUID | None = None, **kw: Any
) -> UUID:
    """An invoice of 240.00 for the customer's property (and `job`)."""
    place = make.property(tenant_id, customer_id)
    return make.invoice(tenant_id, place, job, lines=("240.00",), **kw)


def messages(admin: Connection, kind: str, subject_id: UUID | None = None) -> list[dict[str, Any]]:
    """The messages of `kind` (about `subject_id`), oldest first."""
    return admin.execute(
        "select id, channel, to_address, subject, body, status, blocked_reason, occasion,"
        " customer_id, subject_id from public.messages where kind = %s"
        " and (%s::uuid is null or subject_id = %s) order by created_at, occasion",
        [kind, subject_id, subject_id],
    ).fetchall()


def token_in(text: str) -> str:
    """The token of the one document link in `text`."""
    found = LINK.search(text)
    assert found, text
    return found.group(2)
