"""Helpers of the customer tests."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import sql

from tests.conftest import Client
from tests.factories import Factory, Tenant

OFFICE_ROLES = ("owner", "admin", "dispatcher", "office")


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def signed_in(client: Client, make: Factory, role: str = "office") -> Tenant:
    """A company, with `client` signed in as one of its members in `role`."""
    tenant = make.tenant()
    email = tenant.owner.email if role == "owner" else make.member(tenant.id, role).email
    client.sign_in(email)
    return tenant


def customer_form(**overrides: str) -> dict[str, str]:
    """A valid residential customer as the form posts it."""
    return {
        "kind": "residential",
        "first_name": "Dana",
        "last_name": "Reyes",
        "email": "dana@example.com",
        "phone": "(312) 555-0123",
        "preferred_contact": "sms",
        "transactional_messages": "y",
        **overrides,
    }


def stored(admin: Any, customer_id: UUID | str) -> dict[str, Any]:
    row = admin.execute("select * from public.customers where id = %s", [customer_id]).fetchone()
    assert row is not None
    return dict(row)


def count(admin: Any, table: str, tenant_id: UUID) -> int:
    statement = sql.SQL("select count(*) as n from {} where tenant_id = %s").format(
        sql.Identifier("public", table)
    )
    return int(admin.execute(statement, [tenant_id]).fetchone()["n"])
