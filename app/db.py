"""The connection pool and the transactions every piece of data access goes through.

A request gets one transaction, opened on first use. Its first statement switches to the
Supabase role and sets the JWT-style claims, transaction-local, exactly as PostgREST does, so
row-level security decides what the request sees. The app's login role owns nothing and has no
privilege on any table: a query made outside these transactions fails.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from flask import Flask, Response, current_app, g, request
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

Row = dict[str, Any]
Params = Mapping[str, Any] | None
Connection = psycopg.Connection[Row]

ANON: dict[str, Any] = {"role": "anon"}
# A request that holds a secret instead of an identity (a password, an emailed link's or a
# calendar feed's token): the narrow definers of those steps are executable only by this role.
SIGN_IN: dict[str, Any] = {"role": "plenum_signin"}

# Constraint names → (form field, message). The one place where database refusals become words.
CONSTRAINT_MESSAGES: dict[str, tuple[str | None, str]] = {
    "accounts_email_key": ("email", "An account with this email already exists. Sign in instead."),
    "accounts_email_format": ("email", "Enter a valid email address."),
    "accounts_full_name_length": ("full_name", "Enter your name (at most 200 characters)."),
    "tenants_name_length": ("company_name", "Enter the company name (at most 200 characters)."),
    "tenants_time_zone_known": ("time_zone", "Choose a time zone from the list."),
    "invitations_open_email_key": ("email", "This address already has an open invitation."),
    "invitations_email_format": ("email", "Enter a valid email address."),
    "invitations_sent_in_a_day": (
        "email",
        "Too many invitations today (at most 50 a company and 3 an address). Try tomorrow.",
    ),
    "memberships_company_keeps_an_owner": (
        None,
        "A company must keep at least one owner. Make someone else an owner first.",
    ),
    "customers_kind_check": ("kind", "Choose residential or commercial."),
    "customers_email_format": ("email", "Enter a valid email address."),
    "customers_phone_e164": ("phone", "Enter a valid phone number."),
    "customers_preferred_contact_check": ("preferred_contact", "Choose one of the listed ways."),
    "customers_has_a_name": ("first_name", "Enter the customer's name or company name."),
    "customers_consent_has_a_time": (
        "marketing_consent",
        "Marketing consent needs the time it was given.",
    ),
    "customer_contacts_name_length": ("full_name", "Enter the contact's name (at most 200)."),
    "customer_contacts_email_format": ("email", "Enter a valid email address."),
    "customer_contacts_phone_e164": ("phone", "Enter a valid phone number."),
    "customer_notes_body_length": ("body", "Write the note first (at most 5,000 characters)."),
    "properties_street_length": ("street", "Enter the street address (at most 200 characters)."),
    "properties_city_length": ("city", "Enter the city (at most 100 characters)."),
    "properties_country_check": ("country", "Enter the 2-letter country code, like US or CA."),
    "properties_type_check": ("property_type", "Choose one of the listed property types."),
    "properties_square_feet_range": (
        "square_feet",
        "Enter the floor area in square feet (1 to 10,000,000).",
    ),
    "properties_year_built_range": ("year_built", "Enter a year between 1700 and 2100."),
    "equipment_kind_check": ("equipment_kind", "Choose the type of equipment."),
    "equipment_seer2_range": ("seer2", "Enter a SEER2 from 1 to 50."),
    "equipment_afue_range": ("afue", "Enter an AFUE from 1 to 100."),
    "equipment_hspf2_range": ("hspf2", "Enter an HSPF2 from 1 to 30."),
    "equipment_warranty_after_install": (
        "warranty_ends_on",
        "The warranty can't end before the equipment was installed. Check both dates.",
    ),
    "working_hours_order": ("ends_at", "The day must end after it starts."),
    "working_hours_one_per_day": ("weekday", "That day already has working hours."),
    "time_off_bounded": ("ends_at", "Time off must end after it starts."),
    "time_off_reason_length": ("reason", "Keep the reason under 200 characters."),
    "service_agreements_name_length": ("name", "Name the plan (at most 200 characters)."),
    "service_agreements_months_check": ("months", "Choose the months the tune-ups are due."),
    "service_agreements_dates_order": ("ends_on", "The plan can't end before it starts."),
    "jobs_kind_check": ("kind", "Choose the kind of job."),
    "jobs_priority_check": ("priority", "Choose a priority."),
    "jobs_summary_length": ("summary", "Say what the job is (at most 200 characters)."),
    "jobs_description_length": ("description", "Keep the description under 5,000 characters."),
    "visits_duration_range": ("duration_minutes", "A visit takes 15 minutes to 12 hours."),
    "visits_window_order": ("window_hours", "The arrival window must end after it starts."),
    "visits_window_length": ("window_hours", "An arrival window is at most 12 hours."),
    "visits_canceled_has_reason": ("cancel_reason", "Say why the visit is canceled."),
    "visits_cancel_reason_length": ("cancel_reason", "Keep the reason under 500 characters."),
    "visits_completion_notes_length": (
        "completion_notes",
        "Keep the notes under 5,000 characters.",
    ),
    "visits_signed_by_length": ("signed_by", "Keep the name under 200 characters."),
    "visits_status_transition": (None, "That status change is not allowed for this visit."),
    "visits_dispatch_needs_technician": (
        None,
        "Book a technician on this visit before dispatching it.",
    ),
    "visits_finished_is_final": (None, "A completed or canceled visit can no longer be changed."),
    "visit_assignments_no_double_booking": (
        "technician_ids",
        "A technician is already booked at that time.",
    ),
    "visit_assignments_within_working_hours": (
        "technician_ids",
        "the visit falls outside their working hours.",
    ),
    "visit_assignments_not_on_time_off": ("technician_ids", "they have time off then."),
    "visit_assignments_active_member": (
        "technician_ids",
        "Only active members of the team can be booked.",
    ),
    "visits_booking_override_check": ("override", "Choose overtime or overflow."),
    "visits_booking_override_reason_required": (
        "override_reason",
        "Say why this visit is booked outside the rules.",
    ),
    "visits_booking_override_reason_length": ("override_reason", "At most 500 characters."),
    "visits_override_office_only": (None, "Only office staff can book outside the rules."),
    "visits_override_emergency_only": (
        None,
        "Only an emergency can be booked outside working hours or over another booking.",
    ),
    "visit_notes_body_length": ("body", "Write the note first (at most 5,000 characters)."),
    "visit_checklist_items_label_length": ("label", "Name the task (at most 200 characters)."),
}


UNSTORABLE_VALUE = (
    "A value could not be stored: remove unusual characters, or shorten very long numbers."
)


class ConstraintViolation(Exception):
    """The database refused a write; `field` and `message` say what to show the user."""

    def __init__(self, constraint: str | None, field: str | None, message: str) -> None:
        super().__init__(message)
        self.constraint = constraint
        self.field = field
        self.message = message


def translate(error: psycopg.errors.IntegrityError) -> ConstraintViolation:
    """Turn a constraint violation into the message a user should read."""
    name = error.diag.constraint_name
    field, message = CONSTRAINT_MESSAGES.get(
        name or "", (None, "That change conflicts with existing data and was not saved.")
    )
    return ConstraintViolation(name, field, message)


def create_pool(conninfo: str, min_size: int, max_size: int, prepared: bool) -> ConnectionPool:
    """A pool of connections as the app's login role; nothing is committed automatically."""
    return ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        kwargs={
            "autocommit": False,
            "row_factory": dict_row,
            "prepare_threshold": 5 if prepared else None,
        },
        open=False,  # opened on first use: commands such as `flask db up` never need it
        name="plenum",
    )


def begin(
    conn: Connection, claims: Mapping[str, Any], context: Mapping[str, str] | None = None
) -> None:
    """First statement of every transaction: the role and claims, transaction-local only, and
    the request id and client address that the audit log records."""
    role = claims.get("role", "anon")
    if role not in ("anon", "authenticated", "service_role", "plenum_signin"):
        raise ValueError(f"unknown database role {role!r}")
    context = context or {}
    conn.execute(
        "select set_config('role', %(role)s, true),"
        " set_config('request.jwt.claims', %(claims)s, true),"
        " set_config('plenum.request_id', %(request_id)s, true),"
        " set_config('plenum.client_addr', %(client_addr)s, true)",
        {
            "role": role,
            "claims": json.dumps(dict(claims)),
            "request_id": context.get("request_id", ""),
            "client_addr": context.get("client_addr", ""),
        },
    )


@contextmanager
def transaction(pool: ConnectionPool, claims: Mapping[str, Any]) -> Iterator[Connection]:
    """A transaction outside any request (jobs, commands): commits on success."""
    with pool.connection() as raw:
        conn = cast(Connection, raw)
        with conn.transaction():
            begin(conn, claims)
            yield conn


@contextmanager
def service_role_transaction(pool: ConnectionPool) -> Iterator[Connection]:
    """Bypasses row-level security. Only for the few cross-tenant jobs that must (grep for me)."""
    with transaction(pool, {"role": "service_role"}) as conn:
        yield conn


def admin_connection(conninfo: str) -> Connection:
    """A connection as the database owner, for migrations and the demo seed only."""
    return cast(Connection, psycopg.connect(conninfo, autocommit=True, row_factory=dict_row))


# --- the request transaction -------------------------------------------------------------


def init_app(app: Flask, pool: ConnectionPool) -> None:
    """Bind the pool to the app and close each request's transaction when it ends."""
    app.extensions["plenum.pool"] = pool
    app.before_request(_name_request)
    app.after_request(_commit_if_successful)
    app.teardown_request(_release)


_opening = threading.Lock()


def pool() -> ConnectionPool:
    """The app's pool, opened the first time a request needs it."""
    connections = cast(ConnectionPool, current_app.extensions["plenum.pool"])
    if connections.closed:
        with _opening:
            if connections.closed:
                connections.open(wait=False)
    return connections


def _request_context() -> dict[str, str]:
    return {"request_id": g.get("request_id", ""), "client_addr": request.remote_addr or ""}


def set_claims(claims: Mapping[str, Any]) -> None:
    """Claims for this request's transaction from now on (identity is settled before views)."""
    g.db_claims = dict(claims)
    if "db" in g:
        begin(g.db, g.db_claims, _request_context())


def connection() -> Connection:
    """This request's transaction, opened on first use with the request's claims."""
    if "db" not in g:
        conn = cast(Connection, pool().getconn())
        g.db = conn
        begin(conn, g.get("db_claims", ANON), _request_context())
    return cast(Connection, g.db)


def rollback_request() -> None:
    """Undo this request's work but keep its identity, e.g. before rendering an error page."""
    conn = g.get("db")
    if conn is not None:
        conn.rollback()
        begin(conn, g.get("db_claims", ANON), _request_context())


def _name_request() -> None:
    """Each request gets an id: in the audit log and in the X-Request-Id response header."""
    g.request_id = uuid.uuid4().hex


def _commit_if_successful(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "")
    conn = g.pop("db", None)
    if conn is not None:
        try:
            if response.status_code < 400:
                conn.commit()
            else:
                conn.rollback()
        finally:
            pool().putconn(conn)
    return response


def _release(_exc: BaseException | None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.rollback()
        pool().putconn(conn)


def query(sql: str, params: Params = None) -> list[Row]:
    """Rows of a read in the request transaction."""
    return connection().execute(sql, params).fetchall()


def one(sql: str, params: Params = None) -> Row | None:
    """The first row of a read, or None."""
    return connection().execute(sql, params).fetchone()


def value(sql: str, params: Params = None) -> Any:
    """The first column of the first row, or None."""
    row = one(sql, params)
    return None if row is None else next(iter(row.values()))


@contextmanager
def atomic() -> Iterator[None]:
    """Several writes that stand or fall together: a savepoint around them all, so a refusal
    part-way leaves none of them behind even when the request goes on to succeed."""
    with connection().transaction():
        yield


def write(sql: str, params: Params = None) -> list[Row]:
    """A write in a savepoint: a refused write raises ConstraintViolation and leaves the
    request transaction usable (the request then ends with an error status and rolls back)."""
    conn = connection()
    try:
        with conn.transaction():
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []
    except psycopg.errors.IntegrityError as error:
        raise translate(error) from error
    except psycopg.errors.DataError as error:
        # A value the column cannot hold (a NUL character, a number out of range): the form
        # gets a message, the request is not a 500.
        raise ConstraintViolation(None, None, UNSTORABLE_VALUE) from error
