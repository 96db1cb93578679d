"""A company with a row in every company table, for the lifecycle's promises (P-09 to P-13):
an export, an erasure or a purge is proved over the catalog, so a table added later is in the
proof the moment its row builder exists (the RLS matrix already insists on one)."""

from __future__ import annotations

from uuid import UUID

from app import catalog
from app.db import Connection
from tests.factories import Factory, Tenant
from tests.policies.test_rls_matrix import (
    OneCustomer,
    builders_for,
    hand_to_the_homeowner,
    seed_every_table,
)


def populate(admin: Connection, make: Factory, name: str = "Full Company") -> tuple[Tenant, UUID]:
    """A new company with a row in every company table, each row that belongs to a customer
    belonging to one (returned), whose estimates and invoices were sent and messages answered."""
    tenant = make.tenant(name)
    customer = make.customer(tenant.id, "Homer", "Owner", email=f"homer.{tenant.id}@example.com")
    builders = builders_for(catalog.tenant_tables(admin))
    seed_every_table(admin, OneCustomer(admin, tenant.id, customer), tenant.id, builders)
    hand_to_the_homeowner(admin, tenant, customer)
    return tenant, customer
