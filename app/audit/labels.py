"""The words the audit viewer uses for record kinds, fields and coded values. A table or
column missing here still reads well: its name is turned into words (`time_off` → `Time off`)."""

from __future__ import annotations

TABLES = {
    "public.tenants": "Company",
    "public.memberships": "Team member",
    "public.invitations": "Invitation",
    "outbox.messages": "Outgoing message",
    "public.customers": "Customer",
    "public.customer_contacts": "Customer contact",
    "public.customer_notes": "Customer note",
    "public.properties": "Property",
    "public.equipment": "Equipment",
    "public.customer_imports": "Customer import",
    "public.jobs": "Job",
    "public.job_equipment": "Equipment on a job",
    "public.visits": "Visit",
    "public.visit_assignments": "Technician on a visit",
    "public.visit_notes": "Visit note",
    "public.visit_files": "Visit photo or signature",
    "public.visit_checklist_items": "Checklist item",
    "public.equipment_service_records": "Service record",
    "public.service_agreements": "Maintenance plan",
    "public.time_off": "Time off",
    "public.working_hours": "Working hours",
    "public.calendar_feeds": "Calendar link",
}

# Field labels that the column's name would not give (`seer2` → `SEER2`), per column or per
# table and column.
FIELDS = {
    "display_name": "Name",
    "seer2": "SEER2",
    "afue": "AFUE",
    "hspf2": "HSPF2",
    "access_notes_encrypted": "Access notes",
    "geocode_status": "Geocoding",
    "to_address": "To",
    "body_text": "Text",
    "body_html": "HTML",
    "window_starts_at": "Arrival window from",
    "window_ends_at": "Arrival window to",
    "duration_minutes": "Duration (minutes)",
    "arrived_at": "Arrived",
    "en_route_at": "On the way",
    "signed_by": "Signed by",
    "technician_id": "Technician",
    "customer_id": "Customer",
    "property_id": "Property",
    "job_id": "Job",
    "visit_id": "Visit",
    "equipment_id": "Equipment",
    "agreement_id": "Maintenance plan",
    "account_id": "Account",
    "author_id": "Written by",
    "created_by": "Started by",
    "confirmed_by": "Confirmed by",
    "invited_by": "Invited by",
    "uploaded_by": "Uploaded by",
    "done_by": "Ticked by",
    "during": "When",
    "booked": "Booked",
    "months": "Months",
    "weekday": "Day",
    "due_on": "Due",
    "region": "State",
    "postal_code": "ZIP code",
    "public.tenants.name": "Company name",
    "public.service_agreements.name": "Plan name",
    "public.customer_imports.rows_done": "Rows done",
}

# Columns that say nothing to a reader (derived, or bookkeeping) and are left out.
HIDDEN = frozenset({"tenant_id", "search_text", "updated_at", "heartbeat_at", "token_hash"})

# Coded values, by column or by table and column; anything else is turned into words. Each
# feature registers its own vocabularies (register_values), so the labels are written once.
VALUES: dict[str, dict[str, str]] = {}


def register_values(column: str, words: dict[str, str]) -> None:
    """The labels of a coded column: `column` is `schema.table.column`, or a bare column name
    for every table that has it."""
    VALUES[column] = words
