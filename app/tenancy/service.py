"""Team changes. Row-level security enforces who may do what; this adds the messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app import db, roles, sql
from app.auth import links, passwords
from app.integrations import files

queries = sql.load(__file__)

ROLES = roles.LABELS
PAGE_SIZE = 50


class NotAllowed(Exception):
    """The change is not one this member may make; the message says why."""


@dataclass(frozen=True)
class Invitation:
    id: UUID
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
    tenant_id: UUID, company_name: str, actor_role: str, email_address: str, role: str
) -> UUID:
    """Invite by email; inviting the same address again replaces the earlier link. The
    database mints the link and queues the email (iam.invite); only the id comes back."""
    _check_may_manage(actor_role, role)
    if db.one(queries.active_member_with_email, {"tenant_id": tenant_id, "email": email_address}):
        raise NotAllowed(f"{email_address} is already a member of {company_name}.")
    rows = db.write(queries.invite, {"email": email_address, "role": role})
    return UUID(str(rows[0]["id"]))


def resend_invitation(invitation_id: UUID) -> UUID | None:
    """A new link for an open invitation (the old one stops working); None if there is none."""
    rows = db.write(queries.resend_invitation, {"id": invitation_id})
    return rows[0]["id"] if rows else None


def revoke_invitation(tenant_id: UUID, invitation_id: UUID) -> bool:
    return bool(db.write(queries.revoke_invitation, {"tenant_id": tenant_id, "id": invitation_id}))


def invitation(token: str) -> Invitation | None:
    """The invitation a link's token names, for whoever holds the link (before sign-in)."""
    rows = links.call(queries.invitation_by_token, {"token": token})
    return Invitation(**rows[0]) if rows else None


def my_invitation(invitation_id: UUID) -> Invitation | None:
    """An invitation addressed to the signed-in account's own email, by id."""
    row = db.one(queries.my_invitation, {"id": invitation_id})
    return Invitation(**row, account_exists=True) if row else None


def accept_mine(invitation_id: UUID) -> UUID | None:
    """The signed-in account joins; returns the company, or None if the invitation is closed."""
    rows = db.write(queries.accept_my_invitation, {"id": invitation_id})
    return rows[0]["tenant_id"] if rows else None


def accept_with_new_account(token: str, full_name: str, password: str) -> tuple[UUID, UUID] | None:
    params = {
        "token": token,
        "full_name": full_name,
        "password_hash": passwords.hash_password(password),
    }
    rows = links.call(queries.accept_invitation_with_new_account, params)
    if not rows or rows[0]["tenant_id"] is None:
        return None
    return rows[0]["account_id"], rows[0]["tenant_id"]


def company_settings(tenant_id: UUID) -> dict[str, Any] | None:
    """The company's name, time zone, currency and what its documents print about it."""
    return db.one(queries.company_settings, {"tenant_id": tenant_id})


def update_company(tenant_id: UUID, values: dict[str, Any]) -> bool:
    """Save the company's settings (owners and admins: the policy); False when nothing changed.
    The company core read the old values for this request: the caller redirects."""
    return bool(db.write(queries.update_company, {"tenant_id": tenant_id, **values}))


def set_logo(tenant_id: UUID, data: bytes | None) -> bool:
    """The company's logo: the upload cleaned (files.clean_logo, FileRefused when refused) and
    kept under a new key, or none when `data` is None. The new file is written before the row
    names it and removed again if the row is refused; the file it replaces is removed once the
    change has committed. False when the company's row was not changed (not allowed)."""
    store = files.store()
    key = files.logo_key(tenant_id) if data is not None else None
    if key is not None and data is not None:
        store.put(key, files.clean_logo(data), "image/png")
    try:
        rows = db.write(queries.set_logo, {"tenant_id": tenant_id, "logo_key": key})
    except BaseException:
        if key is not None:
            store.delete(key)
        raise
    if not rows:
        if key is not None:
            store.delete(key)
        return False
    replaced = rows[0]["replaced"]
    if replaced:
        db.after_commit(lambda: store.delete(replaced))
    return True
