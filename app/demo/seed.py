"""The demo company, "Acme Heating & Air", created once; run again it changes nothing.
Like supabase/seed.sql it runs as the database owner."""

from __future__ import annotations

import json

from app.auth.passwords import hash_password
from app.db import Connection
from app.demo import customers as demo_customers
from app.demo import schedule as demo_schedule

DEMO_COMPANY = "Acme Heating & Air"
DEMO_PASSWORD = "acme-demo-password"  # noqa: S105 (demo data, printed by make dev)
DEMO_STAFF = [
    ("owner@acme.example", "owner"),
    ("dispatch@acme.example", "dispatcher"),
    ("tech1@acme.example", "technician"),
    ("tech2@acme.example", "technician"),
]
DEMO_NAMES = {
    "owner@acme.example": "Olivia Owens",
    "dispatch@acme.example": "Dana Dispatch",
    "tech1@acme.example": "Terry Tech",
    "tech2@acme.example": "Tina Torres",
}


def _act_as(conn: Connection, claims: dict[str, str]) -> None:
    """Whom the audit log names for what follows in this transaction."""
    conn.execute(
        "select set_config('request.jwt.claims', %(claims)s, true)", {"claims": json.dumps(claims)}
    )


def demo(conn: Connection) -> bool:
    """Create the demo company and its staff, with a little history in the audit log;
    False when it already exists."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(5404102)")
        _act_as(conn, {"actor": "demo seed"})
        if conn.execute(
            "select 1 from iam.accounts where email = %(email)s", {"email": DEMO_STAFF[0][0]}
        ).fetchone():
            return False
        password_hash = hash_password(DEMO_PASSWORD)
        tenant = conn.execute(
            "insert into public.tenants (name, time_zone) values (%(name)s, 'America/New_York')"
            " returning id",
            {"name": DEMO_COMPANY},
        ).fetchone()
        assert tenant is not None
        for email, role in DEMO_STAFF:
            conn.execute(
                "with account as ("
                "  insert into iam.accounts (email, full_name, password_hash)"
                "  values (%(email)s, %(name)s, %(hash)s) returning id, email, full_name)"
                " insert into public.memberships (tenant_id, account_id, full_name, email, role)"
                " select %(tenant)s, id, full_name, email, %(role)s from account",
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
    then its week of visits if it has no jobs yet."""
    added = _customers(conn)
    schedule(conn)
    return added


def _customers(conn: Connection) -> demo_customers.Counts | None:
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(5404102)")
        tenant = conn.execute(
            "select t.id from public.tenants t join public.memberships m on m.tenant_id = t.id"
            " where m.email = %(email)s and m.role = 'owner'",
            {"email": DEMO_STAFF[0][0]},
        ).fetchone()
        if (
            tenant is None
            or conn.execute(
                "select 1 from public.customers where tenant_id = %(t)s limit 1",
                {"t": tenant["id"]},
            ).fetchone()
        ):
            return None
        _act_as(conn, {"actor": "demo seed"})
        return demo_customers.add(conn, tenant["id"])


def schedule(conn: Connection) -> demo_schedule.Counts | None:
    """Give the demo company, once it has customers, a week of visits for its technicians if it
    has no jobs yet; None when it has some (or no customers)."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(5404102)")
        tenant = conn.execute(
            "select t.id from public.tenants t join public.memberships m on m.tenant_id = t.id"
            " where m.email = %(email)s and m.role = 'owner'",
            {"email": DEMO_STAFF[0][0]},
        ).fetchone()
        if (
            tenant is None
            or not conn.execute(
                "select 1 from public.customers where tenant_id = %(t)s limit 1",
                {"t": tenant["id"]},
            ).fetchone()
            or conn.execute(
                "select 1 from public.jobs where tenant_id = %(t)s limit 1", {"t": tenant["id"]}
            ).fetchone()
        ):
            return None
        technicians = conn.execute(
            "select account_id from public.memberships where tenant_id = %(t)s"
            " and role = 'technician' and status = 'active' and email = any(%(emails)s)"
            " order by email",
            {"t": tenant["id"], "emails": [e for e, role in DEMO_STAFF if role == "technician"]},
        ).fetchall()
        _act_as(conn, {"actor": "demo seed"})
        return demo_schedule.add(conn, tenant["id"], [row["account_id"] for row in technicians])


def _add_history(conn: Connection, tenant_id: object) -> None:
    """A few changes in the owner's name, so the audit viewer has something to show."""
    owner = conn.execute(
        "select id from iam.accounts where email = %(email)s", {"email": DEMO_STAFF[0][0]}
    ).fetchone()
    assert owner is not None
    _act_as(
        conn,
        {"role": "authenticated", "sub": str(owner["id"]), "tenant_id": str(tenant_id)},
    )
    params = {"tenant": tenant_id, "owner": owner["id"]}
    conn.execute(
        "update public.tenants set time_zone = 'America/Chicago' where id = %(tenant)s", params
    )
    for role in ("office", "technician"):
        conn.execute(
            "update public.memberships set role = %(role)s, updated_at = now()"
            " where tenant_id = %(tenant)s and email = 'tech2@acme.example'",
            {**params, "role": role},
        )
    conn.execute(
        "insert into public.invitations (tenant_id, email, role, token_hash, invited_by,"
        " expires_at) values (%(tenant)s, 'office@acme.example', 'office',"
        " sha256(convert_to(gen_random_uuid()::text, 'UTF8')), %(owner)s,"
        " now() + interval '7 days')",
        params,
    )
