"""Invoices as the homeowner sees them, through a link that holds a token (no sign-in), and the
office's side of those links. The homeowner's reads run as the token holder (`db.SIGN_IN`)
through the definers of supabase/migrations/20261208100000_invoice_links.sql, which hash the
token and answer nothing for a link that is unknown, revoked, a year old, or whose invoice is a
draft or void. What all document links share is in app/document_links.py."""

from __future__ import annotations

from uuid import UUID

from app import db, document_links, messaging, sql
from app.formatting import format_date
from app.invoices.document import Document, from_link
from app.invoices.service import display_number
from app.money import format_money

queries = sql.load(__file__, "links.sql")
KIND = "invoice"  # the link's path (`/invoice/<token>`) and its session keys


def send(tenant_id: UUID, row: db.Row, to: document_links.Recipient) -> document_links.Made:
    """A new link for the invoice (`row`, as `service.get` reads it; earlier links revoked, a
    draft becomes sent), and its `invoice_sent` message to `to` when given; the token, to be
    shown once. The company is the caller's (app.send_invoice takes none)."""
    values = {
        "first_name": row["customer_first_name"],
        "invoice": display_number(row),
        "balance": format_money(row["balance"], row["currency"]),
        "due": format_date(row["due_on"]),
    }
    return messaging.document_messages.send_with_link(
        tenant_id, "invoice_sent", queries.send, {"id": row["id"]}, to, values
    )


def address_for(row: db.Row) -> str:
    """Where the sending form proposes to send the invoice (`row`, as `service.get` reads it):
    the customer's preferred channel, with the invoice's billing email before theirs."""
    return messaging.document_messages.address_for(
        row["customer_preferred_contact"] or "",
        row["customer_phone"] or "",
        row["bill_to_email"] or row["customer_email"] or "",
    )


def made(tenant_id: UUID, invoice_id: UUID) -> list[db.Row]:
    """The invoice's links, newest first."""
    return db.query(queries.links, {"tenant_id": tenant_id, "invoice_id": invoice_id})


def revoke(tenant_id: UUID, link_id: UUID) -> UUID | None:
    """The link closed; its invoice's id, or None when it was not an open link of the company."""
    rows = db.write(queries.revoke_link, {"tenant_id": tenant_id, "id": link_id})
    return UUID(str(rows[0]["invoice_id"])) if rows else None


def place(token: str) -> tuple[UUID, UUID] | None:
    """The company and the invoice a link opens, or None for a closed link."""
    return document_links.place(queries.link_place, token, "invoice_id")


def document(token: str) -> Document | None:
    """The invoice behind the link as its document, or None for a closed link."""
    found = document_links.answer(queries.by_link, token)
    return from_link(found) if found is not None else None
