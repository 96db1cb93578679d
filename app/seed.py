"""The demo company, "Acme Heating & Air", created once; run again it changes nothing.
Like supabase/seed.sql it runs as the database owner."""

from __future__ import annotations

from app.auth.passwords import hash_password
from app.db import Connection

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


def demo(conn: Connection) -> bool:
    """Create the demo company and its staff; False when it already exists."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(5404102)")
        if conn.execute(
            "select 1 from iam.accounts where email = %(email)s", {"email": DEMO_STAFF[0][0]}
        ).fetchone():
            return False
        password_hash = hash_password(DEMO_PASSWORD)
        tenant = conn.execute(
            "insert into public.tenants (name, time_zone) values (%(name)s, 'America/Chicago')"
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
    return True
