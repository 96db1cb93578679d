"""Invoices as the homeowner sees them, through a link that holds a token (no sign-in), and the
office's side of those links. The homeowner's reads run as the token holder (`db.SIGN_IN`)
through the definers of supabase/migrations/20261208100000_invoice_links.sql, which hash the
token and answer nothing for a link that is unknown, revoked, a year old, or whose invoice is a
draft or void. What all document links share is in app/document_links.py."""

from __future__ import annotations

from uuid import UUID

from app import db, document_links, sql
from app.invoices.document import Document, from_link

queries = sql.load(__file__, "links.sql")
KIND = "invoice"  # the link's path (`/invoice/<token>`) and its session keys


def send(invoice_id: UUID, to: str) -> str:
    """A new link for the invoice (earlier ones revoked; a draft becomes sent), emailed to `to`
    when given; its token. The company is the caller's (app.send_invoice takes none)."""
    return str(db.write(queries.send, {"id": invoice_id, "to": to})[0]["token"])


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
