"""What the campaign and message-log tests share: a company with a postal address in Chicago,
customers in each state consent can be in, and a campaign made as the office would."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from app.db import Connection
from tests.factories import Factory, Tenant

NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # 10am in Chicago


def company(make: Factory, admin: Connection, name: str = "Acme Heating") -> Tenant:
    tenant = make.tenant(name)
    admin.execute(
        "update public.tenants set time_zone = 'America/Chicago', phone = '(312) 555-0100',"
        " address = '1 Main St, Chicago IL 60601' where id = %s",
        [tenant.id],
    )
    return tenant


def customer(
    make: Factory,
    admin: Connection,
    tenant_id: UUID,
    first_name: str,
    *,
    phone: str = "",
    email: str = "",
    consent: bool = True,
    **flags: bool,
) -> UUID:
    """A customer with a property; with marketing consent unless `consent` is False, and the
    given flags (do_not_contact, restrict_processing) set."""
    made = make.customer(tenant_id, first_name, phone=phone, email=email)
    admin.execute(
        "update public.customers set marketing_consent = %(consent)s,"
        " marketing_consent_at = case when %(consent)s then now() end,"
        " marketing_consent_source = case when %(consent)s then 'form at the door' else '' end,"
        " do_not_contact = %(dnc)s, restrict_processing = %(restricted)s where id = %(id)s",
        {
            "consent": consent,
            "dnc": flags.get("do_not_contact", False),
            "restricted": flags.get("restrict_processing", False),
            "id": made,
        },
    )
    make.property(tenant_id, made)
    return made


def property_of(admin: Connection, customer_id: UUID) -> UUID:
    row = admin.execute(
        "select id from public.properties where customer_id = %s limit 1", [customer_id]
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def tune_up_due(make: Factory, admin: Connection, tenant_id: UUID, customer_id: UUID) -> UUID:
    """A plan with a tune-up every month, its jobs made (this month's is due, not booked)."""
    agreement = make.agreement(tenant_id, property_of(admin, customer_id), tuple(range(1, 13)))
    admin.execute("select app.generate_maintenance_jobs(%s, current_date + 1)", [tenant_id])
    return agreement


def campaign(admin: Connection, tenant_id: UUID, **values: Any) -> UUID:
    """A draft campaign, inserted as the office would save it."""
    row: dict[str, Any] = {
        "tenant_id": tenant_id,
        "name": "Furnace tune-up reminder",
        "audience": "tune_up_due",
        "channel": "sms",
        "sms_body": "Hi {first_name}, {company} here: your tune-up is due. Call {company_phone}.",
        **values,
    }
    statement = sql.SQL("insert into public.campaigns ({}) values ({}) returning id").format(
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(map(sql.Placeholder, row)),
    )
    found = admin.execute(statement, row).fetchone()
    assert found is not None
    return UUID(str(found["id"]))


def audience(admin: Connection, tenant_id: UUID, campaign_id: UUID) -> dict[str, str]:
    """first name → why excluded ('' = it goes), as app.campaign_audience answers."""
    rows = admin.execute(
        "select first_name, refusal from app.campaign_audience(%s, %s)", [tenant_id, campaign_id]
    ).fetchall()
    return {r["first_name"]: r["refusal"] for r in rows}


def cell(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert found is not None, element_id
    return found.group(1)
