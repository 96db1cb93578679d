"""Sent documents of a customer, made directly (as the office's sending would leave them)."""

from __future__ import annotations

from uuid import UUID

from tests.factories import Factory


def sent_estimate(
    make: Factory,
    tenant_id: UUID,
    customer: UUID,
    title: str = "Furnace replacement",
    price: str = "4200.00",
) -> UUID:
    """A sent estimate with one option of one untaxed line at `price`."""
    place = make.property(tenant_id, customer)
    estimate = make.estimate(tenant_id, place, title=title)
    option = make.estimate_option(tenant_id, estimate)
    make.conn.execute(
        "insert into public.estimate_lines (tenant_id, estimate_id, option_id, description,"
        " quantity, unit_price, taxable) values (%s, %s, %s, 'Work', 1, %s, false)",
        [tenant_id, estimate, option, price],
    )
    make.conn.execute(
        "update public.estimates set status = 'sent', sent_at = now() where id = %s", [estimate]
    )
    return estimate


def sent_invoice(make: Factory, tenant_id: UUID, customer: UUID, price: str = "150.00") -> UUID:
    """A sent invoice of one line at `price`."""
    return make.invoice(
        tenant_id, make.property(tenant_id, customer), lines=(price,), status="sent"
    )
