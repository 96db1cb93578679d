"""The demo company's homeowner for the portal: the customer with the most to see (a sent
estimate, an invoice, visits), whose email `make dev` prints, and, in development only, the
sign-in code the outbox holds for an address (nobody at the company may read it in the app)."""

from __future__ import annotations

import re

from app import sql
from app.db import Connection

queries = sql.load(__file__, "portal.sql")
_CODE = re.compile(r"(?<![0-9])([0-9]{6})(?![0-9])")


def homeowner(conn: Connection, tenant_id: object) -> str | None:
    """The email of the demo company's homeowner to sign in as, or None without customers."""
    row = conn.execute(queries.demo_homeowner, {"t": tenant_id}).fetchone()
    return str(row["email"]) if row else None


def sign_in_code(conn: Connection, address: str) -> str | None:
    """The code of the latest sign-in message to `address` in the outbox, if any."""
    row = conn.execute(queries.latest_sign_in_message, {"to": address}).fetchone()
    found = _CODE.search(row["body_text"]) if row else None
    return found.group(1) if found else None
