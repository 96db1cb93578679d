"""Team changes. Row-level security enforces who may do what; this adds the messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from app import crypto, db, sql
from app.auth import passwords
from app.auth.service import public_url
from app.integrations import email

queries = sql.load(__file__)

INVITATION_LIFETIME = timedelta(days=7)
ROLES = {
    "owner": "Owner",
    "admin": "Admin",
    "dispatcher": "Dispatcher",
    "office": "Office",
    "technician": "Technician",
}
PAGE_SIZE = 50


class NotAllowed(Exception):
    """The change is not one this member may make; the message says why."""


@dataclass(frozen=True)
class Invitation:
    tenant_id: UUID
    company_name: str
    email: str
    role: str
    state: str
    account_exists: bool


def list_members(tenant_id: UUID, page: int) -> tuple[list[dict[str, Any]], int]:
    members = db.query(
        queries.list_members,
        {"tenant_id": tenant_id, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE},
    )
    return members, int(db.value(queries.count_members, {"tenant_id": tenant_id}))


def list_open_invitations(tenant_id: UUID) -> list[dict[str, Any]]:
    return db.query(queries.list_open_invitations, {"tenant_id": tenant_id})


def member(tenant_id: UUID, membership_id: UUID) -> dict[str, Any] | None:
    return db.one(queries.member, {"tenant_id": tenant_id, "id": membership_id})


def _check_may_manage(actor_role: str, target_role: str, new_role: str | None = None) -> None:
    if actor_role != "owner" and (target_role == "owner" or new_role == "owner"):
        raise NotAllowed("Only an owner can change an owner or make someone an owner.")


def change_role(tenant_id: UUID, actor_role: str, target: dict[str, Any], role: str) -> None:
    _check_may_manage(actor_role, target["role"], role)
    db.write(queries.change_role, {"tenant_id": tenant_id, "id": target["id"], "role": role})


def remove_member(tenant_id: UUID, actor_role: str, target: dict[str, Any]) -> None:
    """Removal takes effect on the member's very next request: app.tenant_id() sees it."""
    _check_may_manage(actor_role, target["role"])
    db.write(queries.remove_member, {"tenant_id": tenant_id, "id": target["id"]})


def invite(
    tenant_id: UUID,
    company_name: str,
    actor_role: str,
    invited_by: str,
    email_address: str,
    role: str,
) -> None:
    """Invite by email; inviting the same address again replaces the earlier link."""
    _check_may_manage(actor_role, role)
    if db.one(queries.active_member_with_email, {"tenant_id": tenant_id, "email": email_address}):
        raise NotAllowed(f"{email_address} is already a member of {company_name}.")
    db.write(
        queries.revoke_open_invitation_for_email, {"tenant_id": tenant_id, "email": email_address}
    )
    token = crypto.new_token()
    db.write(
        queries.create_invitation,
        {
            "tenant_id": tenant_id,
            "email": email_address,
            "role": role,
            "token_hash": crypto.token_hash(token),
            "expires_at": datetime.now(UTC) + INVITATION_LIFETIME,
        },
    )
    email.send(
        "invitation",
        to=email_address,
        kind="invitation",
        tenant_id=tenant_id,
        company_name=company_name,
        invited_by=invited_by,
        role=ROLES[role],
        link=public_url("tenancy.invitation", token=token),
        days=INVITATION_LIFETIME.days,
    )


def revoke_invitation(tenant_id: UUID, invitation_id: UUID) -> bool:
    return bool(db.write(queries.revoke_invitation, {"tenant_id": tenant_id, "id": invitation_id}))


def invitation(token: str) -> Invitation | None:
    row = db.one(queries.invitation_by_token, {"token_hash": crypto.token_hash(token)})
    return Invitation(**row) if row else None


def accept(token: str) -> UUID | None:
    """The signed-in account joins; returns the company, or None if the link no longer works."""
    return db.value(queries.accept_invitation, {"token_hash": crypto.token_hash(token)})


def accept_with_new_account(token: str, full_name: str, password: str) -> tuple[UUID, UUID] | None:
    rows = db.write(
        queries.accept_invitation_with_new_account,
        {
            "token_hash": crypto.token_hash(token),
            "full_name": full_name,
            "password_hash": passwords.hash_password(password),
        },
    )
    if not rows or rows[0]["tenant_id"] is None:
        return None
    return rows[0]["account_id"], rows[0]["tenant_id"]
