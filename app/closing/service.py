"""Closing and reopening, for an owner's request or the platform's command. The database
decides (who may, whether it still can) and says why not; this passes its words on."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import psycopg

from app import db, sql
from app.db import Connection

queries = sql.load(__file__)
# SQLSTATEs of the lifecycle's refusals (supabase/migrations/20261211110100_close_company.sql).
WRONG_NAME = "P0001"  # raise_exception: the name typed is not the company's
NOT_OWNER = "42501"
NO_SUCH_COMPANY = "P0002"


class Refused(Exception):
    """The database refused to close or reopen; `message` says why, in a user's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _refusal(error: psycopg.Error) -> Refused:
    if (
        error.sqlstate in (WRONG_NAME, NOT_OWNER, NO_SUCH_COMPANY, db.COMPANY_CLOSED)
        and error.diag.message_primary
    ):
        return Refused(error.diag.message_primary)
    raise error


def close(company_name: str) -> datetime:
    """Close the signed-in owner's company, confirmed by its name; returns purge_after."""
    try:
        rows = db.write(queries.close_company, {"company_name": company_name})
    except psycopg.Error as error:
        raise _refusal(error) from error
    return rows[0]["purge_after"]


def reopen() -> None:
    """Reopen the signed-in owner's closed company, within its 30 days."""
    try:
        db.write(queries.reopen_company)
    except psycopg.Error as error:
        raise _refusal(error) from error


def close_for_platform(conn: Connection, company: UUID, reason: str) -> datetime:
    """The platform terminates a company (a service_role transaction with a system actor)."""
    try:
        row = conn.execute(
            queries.close_company_for_platform, {"company": company, "reason": reason}
        ).fetchone()
    except psycopg.Error as error:
        raise _refusal(error) from error
    assert row is not None
    return row["purge_after"]


def reopen_for_platform(conn: Connection, company: UUID) -> None:
    try:
        conn.execute(queries.reopen_company_for_platform, {"company": company})
    except psycopg.Error as error:
        raise _refusal(error) from error
