"""The time zone the portal's pages show times in: the company's (a visit's own is its
property's, read with the visit)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app import company, db, sql
from app.portal.identity import homeowner

queries = sql.load(__file__, "zone.sql")


def company_zone() -> ZoneInfo:
    """The signed-in homeowner's company's zone (the fallback zone for no one)."""
    me = homeowner()
    found = db.value(queries.company_zone, {"tenant_id": me.tenant_id}) if me else None
    return ZoneInfo(found or company.FALLBACK_ZONE)
