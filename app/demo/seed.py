"""The demo company, "Acme Heating & Air", created once; run again it changes nothing.
Like supabase/seed.sql it runs as the database owner."""

from __future__ import annotations

import json
from typing import Any

from app import properties, sql
from app.auth.passwords import hash_password
from app.db import Connection
from app.demo import customers as demo_customers
from app.demo import messaging as demo_messaging
from app.demo import money as demo_money
from app.demo import portal as demo_portal
from app.demo import pricebook as demo_pricebook
from app.demo import schedule as demo_schedule
from app.demo import texts as demo_texts
from app.integrations import maps

queries = sql.load(__file__)

DEMO_COMPANY = "Acme Heating & Air"
DEMO_PASSWORD = "acme-demo-password"  # noqa: S105 (demo data, printed by make dev)
DEMO_STAFF = [
    ("owner@acme.example", "owner"),
    ("dispatch@acme.example", "dispatcher"),
    ("tech1@acme.example", "technician"),
    ("tech2@acme.example", "technician"),
]
GEOCODING_ACTOR = "system:geocoding"
DEMO_NAMES = {
    "owner@acme.example": "Olivia Owens",
    "dispatch@acme.example": "Dana Dispatch",
    "tech1@acme.example": "Terry Tech",
    "tech2@acme.example": "Tina Torres",
}


def _act_as(conn: Connection, claims: dict[str, str]) -> None:
    """Whom the audit log names for what follows in this transaction."""
    conn.execute(queries.act_as, {"claims": json.dumps(claims)})


def demo(conn: Connection) -> bool:
    """Create the demo company and its staff, with a little history in the audit log;
    False when it already exists."""
    with conn.transaction():
        conn.execute(queries.lock_demo_seed)
        _act_as(conn, {"actor": "demo seed"})
        if conn.execute(queries.account_exists, {"email": DEMO_STAFF[0][0]}).fetchone():
            return False
        password_hash = hash_password(DEMO_PASSWORD)
        tenant = conn.execute(
            queries.create_demo_company,
            {"name": DEMO_COMPANY},
        ).fetchone()
        assert tenant is not None
        for email, role in DEMO_STAFF:
            conn.execute(
                queries.create_demo_member,
                {
                    "email": email,
                    "name": DEMO_NAMES[email],
                    "hash": password_hash,
                    "tenant": tenant["id"],
                    "role": role,
                },
            )
        _add_history(conn, tenant["id"])
    return True


def customers(conn: Connection) -> demo_customers.Counts | None:
    """Give the demo company its customers if it has none yet (None when it already has some),
    then places its properties on the map, then its week of visits if it has no jobs yet, its
    price book if it has none, its estimates and invoices if it has no estimates yet, a
    conversation by text, and its messaging settings."""
    added = _customers(conn)
    geocode(conn)
    schedule(conn)
    price_book(conn)
    money(conn)
    texts(conn)
    campaign(conn)
    messaging(conn)
    return added


def geocode(conn: Connection) -> int:
    """Place waiting properties on the map with the offline geocoder, as the geocoding job
    would (`make dev` runs no worker); returns how many were placed or failed."""
    handled = 0
    while True:
        with conn.transaction():
            _act_as(conn, {"actor": GEOCODING_ACTOR})
            batch = properties.geocode_pending(conn, maps.OFFLINE)
        handled += batch.handled
        if batch.claimed < maps.OFFLINE.batch_size:
            return handled


def booking_link(conn: Connection) -> str | None:
    """Open the demo company's public booking page (again: idempotent); its slug, or None
    without the company."""
    with conn.transaction():
        tenant = conn.execute(queries.demo_company, {"email": DEMO_STAFF[0][0]}).fetchone()
        if tenant is None:
            return None
        _act_as(conn, {"actor": "demo seed"})
        row = conn.execute(queries.open_demo_booking_page, {"t": tenant["id"]}).fetchone()
    return str(row["slug"]) if row else None


def _locked_demo_company(conn: Connection) -> tuple[Any, bool] | None:
    """The demo company's id and whether it has customers (None without the company), under
    the lock that keeps two seeds from adding the same data."""
    conn.execute(queries.lock_demo_seed)
    tenant = conn.execute(queries.demo_company, {"email": DEMO_STAFF[0][0]}).fetchone()
    if tenant is None:
        return None
    has_customers = conn.execute(queries.has_customers, {"t": tenant["id"]}).fetchone()
    return tenant["id"], has_customers is not None


def _customers(conn: Connection) -> demo_customers.Counts | None:
    with conn.transaction():
        found = _locked_demo_company(conn)
        if found is None or found[1]:
            return None
        _act_as(conn, {"actor": "demo seed"})
        return demo_customers.add(conn, found[0])


def schedule(conn: Connection) -> demo_schedule.Counts | None:
    """Give the demo company, once it has customers, a week of visits for its technicians if it
    has no jobs yet; None when it has some (or no customers)."""
    with conn.transaction():
        found = _locked_demo_company(conn)
        if found is None or not found[1]:
            return None
        tenant_id = found[0]
        if conn.execute(queries.has_jobs, {"t": tenant_id}).fetchone():
            return None
        technicians = conn.execute(
            queries.demo_technicians,
            {"t": tenant_id, "emails": [e for e, role in DEMO_STAFF if role == "technician"]},
        ).fetchall()
        _act_as(conn, {"actor": "demo seed"})
        return demo_schedule.add(conn, tenant_id, [row["account_id"] for row in technicians])


def price_book(conn: Connection) -> demo_pricebook.Counts | None:
    """Give the demo company its price book and sales taxes if its book is empty; None when it
    has one (or there is no demo company)."""
    with conn.transaction():
        found = _locked_demo_company(conn)
        if found is None:
            return None
        tenant_id = found[0]
        if conn.execute(queries.has_price_items, {"t": tenant_id}).fetchone():
            return None
        _act_as(conn, {"actor": "demo seed"})
        return demo_pricebook.add(conn, tenant_id)


def money(conn: Connection) -> demo_money.Counts | None:
    """Give the demo company, once it has jobs and a price book, its estimates, invoices and
    payments if it has no estimates yet; None when it has some (or is not ready for them)."""
    with conn.transaction():
        found = _locked_demo_company(conn)
        if found is None:
            return None
        tenant_id = found[0]
        params = {"t": tenant_id}
        if (
            conn.execute(queries.has_estimates, params).fetchone()
            or not conn.execute(queries.has_jobs, params).fetchone()
            or not conn.execute(queries.has_price_items, params).fetchone()
        ):
            return None
        _act_as(conn, {"actor": "demo seed"})
        return demo_money.add(conn, tenant_id)


def texts(conn: Connection) -> int:
    """Give the demo company, once it has customers, a conversation by text if it has none."""
    with conn.transaction():
        found = _locked_demo_company(conn)
        if found is None or not found[1]:
            return 0
        _act_as(conn, {"actor": "demo seed"})
        return demo_texts.add(conn, found[0])


def campaign(conn: Connection) -> bool:
    """Give the demo company, once it has customers, a draft campaign to preview (a tune-up
    reminder) if it has none; False when it has one (or no customers)."""
    with conn.transaction():
        found = _locked_demo_company(conn)
        if found is None or not found[1]:
            return False
        params = {"t": found[0]}
        if conn.execute(queries.has_campaigns, params).fetchone():
            return False
        _act_as(conn, {"actor": "demo seed"})
        conn.execute(queries.insert_demo_campaign, params)
        return True


def _add_history(conn: Connection, tenant_id: object) -> None:
    """A few changes in the owner's name, so the audit viewer has something to show."""
    owner = conn.execute(queries.account_by_email, {"email": DEMO_STAFF[0][0]}).fetchone()
    assert owner is not None
    _act_as(
        conn,
        {"role": "authenticated", "sub": str(owner["id"]), "tenant_id": str(tenant_id)},
    )
    params = {"tenant": tenant_id, "owner": owner["id"]}
    conn.execute(queries.move_company_to_chicago, params)
    for role in ("office", "technician"):
        conn.execute(
            queries.change_member_role,
            {**params, "role": role},
        )
    conn.execute(
        queries.invite_office_member,
        params,
    )


def homeowner(conn: Connection) -> str | None:
    """The email of the demo homeowner to sign in to the portal as (None without customers)."""
    with conn.transaction():
        found = _locked_demo_company(conn)
        return demo_portal.homeowner(conn, found[0]) if found and found[1] else None


def messaging(conn: Connection) -> bool:
    """Give the demo company its messaging settings (no keys: the outbox) and a template in its
    own words; False when it has them (or there is no demo company)."""
    with conn.transaction():
        found = _locked_demo_company(conn)
        if found is None:
            return False
        _act_as(conn, {"actor": "demo seed"})
        return demo_messaging.add(conn, found[0])
