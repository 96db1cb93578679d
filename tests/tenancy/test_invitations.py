"""Invitations: the emailed link, who may invite whom, and accepting it (P-02, P-03)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD, Factory

LINK = re.compile(r"http://plenum\.test/invitations/([A-Za-z0-9_-]+)")
CLOSED = "This invitation no longer works"
PAGE = "/invitation"  # where a link's token is exchanged for the session


def open_invitation(client, token: str) -> Any:
    """Open an emailed invitation link as a browser does: its token goes into the session and
    the browser is sent (303) to a URL without it."""
    exchanged = client.get(f"/invitations/{token}")
    assert exchanged.headers["Referrer-Policy"] == "no-referrer"
    if exchanged.status_code == 410:  # a token that names no invitation is refused at once
        return exchanged
    assert (exchanged.status_code, exchanged.headers["Location"]) == (303, PAGE)
    return client.get(PAGE)


def html(response: Any) -> str:
    return response.get_data(as_text=True)


def invite(client, email: str, role: str = "technician") -> Any:
    return client.submit("/team/invitations", {"email": email, "role": role})


def emailed_tokens(admin, address: str) -> list[str]:
    """Tokens of the invitation links emailed to `address`, oldest first."""
    rows = admin.execute(
        "select body_text from outbox.messages where to_address = %s and kind = 'invitation'"
        " order by created_at, id",
        [address],
    ).fetchall()
    return [m.group(1) for r in rows for m in [LINK.search(r["body_text"])] if m]


def open_invitations(admin, tenant_id) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, email, role, token_hash from public.invitations"
        " where tenant_id = %s and accepted_at is null and revoked_at is null",
        [tenant_id],
    ).fetchall()


def counts(admin) -> dict[str, int]:
    row = admin.execute(
        "select (select count(*) from iam.accounts) as accounts,"
        " (select count(*) from public.memberships) as memberships,"
        " (select count(*) from public.invitations where accepted_at is not null) as accepted,"
        " (select count(*) from outbox.messages) as messages"
    ).fetchone()
    assert row is not None
    return dict(row)


@pytest.mark.promise("P-03")
def test_invite_emails_a_link_and_keeps_only_the_tokens_hash(client, admin, make: Factory):
    tenant = make.tenant("Frost Heating")
    client.sign_in(tenant.owner.email)

    response = client.post(
        "/team/invitations",
        data={
            "csrf_token": client.csrf_token(),
            "email": " New.Tech@Example.com ",
            "role": "dispatcher",
        },
        follow_redirects=True,
    )

    assert "Invitation sent to new.tech@example.com." in html(response)
    assert "new.tech@example.com" in html(response)  # listed under open invitations
    [token] = emailed_tokens(admin, "new.tech@example.com")
    message = admin.execute(
        "select subject, body_text, tenant_id from outbox.messages where to_address = %s",
        ["new.tech@example.com"],
    ).fetchone()
    assert message is not None
    assert "Frost Heating" in message["subject"]
    assert "as Dispatcher" in message["body_text"]
    assert message["tenant_id"] == tenant.id
    [stored] = open_invitations(admin, tenant.id)
    assert (stored["email"], stored["role"]) == ("new.tech@example.com", "dispatcher")
    assert bytes(stored["token_hash"]) == hashlib.sha256(token.encode()).digest()
    leaked = admin.execute(
        "select count(*) as n from public.invitations i where strpos(i::text, %s) > 0",
        [token],
    ).fetchone()
    assert leaked == {"n": 0}
    client.submit("/sign-out")
    page = open_invitation(client, token)
    assert "Join Frost Heating" in html(page)


@pytest.mark.promise("P-03")
def test_inviting_again_replaces_the_earlier_link(client, admin, make: Factory):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    invite(client, "again@example.com")
    invite(client, "again@example.com", "office")

    old, new = emailed_tokens(admin, "again@example.com")

    assert [i["role"] for i in open_invitations(admin, tenant.id)] == ["office"]
    client.submit("/sign-out")
    assert open_invitation(client, old).status_code == 410
    assert CLOSED in html(open_invitation(client, old))
    fresh = open_invitation(client, new)
    assert fresh.status_code == 200
    assert "Office" in html(fresh)


@pytest.mark.promise("P-03")
def test_inviting_a_current_member_is_refused(client, admin, make: Factory):
    tenant = make.tenant()
    tech = make.member(tenant.id, "technician")
    client.sign_in(tenant.owner.email)
    before = counts(admin)

    response = invite(client, tech.email)

    assert response.status_code == 422
    assert f"{tech.email} is already a member of {tenant.name}." in html(response)
    assert open_invitations(admin, tenant.id) == []
    assert counts(admin) == before


def test_a_removed_member_can_be_invited_back(client, admin, make: Factory):
    tenant = make.tenant()
    former = make.member(tenant.id, "technician", status="removed")
    client.sign_in(tenant.owner.email)

    assert invite(client, former.email).status_code == 302
    assert len(emailed_tokens(admin, former.email)) == 1


@pytest.mark.promise("P-02")
def test_an_admin_cannot_invite_an_owner(client, admin, make: Factory):
    tenant = make.tenant()
    manager = make.member(tenant.id, "admin")
    client.sign_in(manager.email)
    before = counts(admin)

    response = invite(client, "boss@example.com", "owner")

    assert response.status_code == 422
    assert "Only an owner can change an owner or make someone an owner." in html(response)
    assert open_invitations(admin, tenant.id) == []
    assert counts(admin) == before
    assert invite(client, "boss@example.com", "admin").status_code == 302  # admin is fine


@pytest.mark.promise("P-02")
def test_only_owners_and_admins_can_invite(app, admin, make: Factory):
    tenant = make.tenant()
    for role in ("dispatcher", "office", "technician"):
        staff = app.test_client()
        staff.sign_in(make.member(tenant.id, role).email)

        assert invite(staff, "friend@example.com").status_code == 403, role
        assert open_invitations(admin, tenant.id) == []


def test_an_invalid_email_is_shown_next_to_the_field(client, admin, make: Factory):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)

    response = invite(client, "not-an-address")

    assert response.status_code == 422
    assert "Enter a valid email address" in html(response)
    assert open_invitations(admin, tenant.id) == []


@pytest.mark.promise("P-03")
def test_a_revoked_invitation_link_stops_working(client, admin, make: Factory):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    invite(client, "revoked@example.com")
    [token] = emailed_tokens(admin, "revoked@example.com")
    [invitation] = open_invitations(admin, tenant.id)

    response = client.submit(f"/team/invitations/{invitation['id']}/revoke", follow_redirects=True)

    assert "Invitation revoked; its link no longer works." in html(response)
    assert open_invitations(admin, tenant.id) == []
    client.submit("/sign-out")
    closed = open_invitation(client, token)
    assert closed.status_code == 410
    assert "expired or was withdrawn" in html(closed)
    # Nor can it be used to create an account.
    used = client.submit(PAGE, {"full_name": "Late", "password": PASSWORD})
    assert used.status_code == 410
    assert (
        admin.execute("select 1 from iam.accounts where email = 'revoked@example.com'").fetchone()
        is None
    )


@pytest.mark.promise("P-03")
def test_an_expired_invitation_link_does_not_work(client, admin, make: Factory):
    tenant = make.tenant()
    _, token = make.invitation(tenant.id, email="late@example.com", expires_in=timedelta(-1))
    before = counts(admin)

    shown = open_invitation(client, token)
    used = client.submit(PAGE, {"full_name": "Late", "password": PASSWORD})

    assert (shown.status_code, used.status_code) == (410, 410)
    assert "expired or was withdrawn" in html(shown)
    assert counts(admin) == before


def test_an_unknown_invitation_token_is_410(client):
    response = open_invitation(client, "not-a-real-token")
    assert response.status_code == 410
    assert CLOSED in html(response)
    # Nor does the token-free page work for a browser that never opened a link.
    assert client.application.test_client().get(PAGE).status_code == 410


@pytest.mark.promise("P-03")
def test_a_new_person_joins_with_the_invited_role(client, admin, make: Factory):
    tenant = make.tenant("Cool Air Co")
    _, token = make.invitation(tenant.id, email="newbie@example.com", role="dispatcher")

    page = open_invitation(client, token)
    assert page.status_code == 200
    assert "Create your account to accept." in html(page)
    response = client.submit(
        PAGE,
        {"full_name": "Nia Newbie", "password": "a long enough passphrase"},
        follow_redirects=True,
    )

    home = html(response)
    assert "Welcome to Cool Air Co." in home
    assert "Signed in as Nia Newbie · Dispatcher" in home
    member = admin.execute(
        "select m.role, m.status, m.full_name from public.memberships m"
        " join iam.accounts a on a.id = m.account_id where a.email = 'newbie@example.com'"
    ).fetchall()
    assert member == [{"role": "dispatcher", "status": "active", "full_name": "Nia Newbie"}]
    # The new account signs in again later with the password it chose.
    client.submit("/sign-out")
    client.sign_in("newbie@example.com", "a long enough passphrase")
    assert "Cool Air Co" in html(client.get("/"))


@pytest.mark.promise("P-03")
def test_an_invitation_link_works_only_once(client, admin, make: Factory):
    tenant = make.tenant()
    _, token = make.invitation(tenant.id, email="once@example.com")
    open_invitation(client, token)
    first = client.submit(PAGE, {"full_name": "Once", "password": PASSWORD})
    assert first.status_code == 303
    client.submit("/sign-out")
    before = counts(admin)

    shown = open_invitation(client, token)
    again = client.submit(PAGE, {"full_name": "Twice", "password": PASSWORD})

    assert (shown.status_code, again.status_code) == (410, 410)
    assert "It has already been accepted." in html(shown)
    assert counts(admin) == before
    client.sign_in("once@example.com")  # and signed in, the link is still used up
    assert open_invitation(client, token).status_code == 410


def test_a_short_password_is_refused_and_nothing_is_created(client, admin, make: Factory):
    tenant = make.tenant()
    _, token = make.invitation(tenant.id, email="short@example.com")
    open_invitation(client, token)
    before = counts(admin)

    response = client.submit(PAGE, {"full_name": "Shorty", "password": "short"})

    assert response.status_code == 422
    assert "Use at least 10 characters" in html(response)
    assert counts(admin) == before
    assert len(open_invitations(admin, tenant.id)) == 1
    assert "Sign out" not in html(client.get("/sign-in"))  # not signed in


def test_a_missing_name_is_refused_and_nothing_is_created(client, admin, make: Factory):
    tenant = make.tenant()
    _, token = make.invitation(tenant.id, email="noname@example.com")
    open_invitation(client, token)
    before = counts(admin)

    response = client.submit(PAGE, {"full_name": "  ", "password": PASSWORD})

    assert response.status_code == 422
    assert "Enter your name." in html(response)
    assert counts(admin) == before


@pytest.mark.promise("P-03")
def test_an_existing_account_signs_in_first_and_then_belongs_to_two_companies(
    client, admin, make: Factory
):
    home_company, new_company = make.tenant("Home Co"), make.tenant("Second Co")
    person = make.member(home_company.id, "technician")
    invitation_id, token = make.invitation(new_company.id, email=person.email, role="office")

    page = open_invitation(client, token)
    assert page.status_code == 200
    assert "Sign in to accept" in html(page)
    assert 'name="password"' not in html(page)  # no second account for the same address
    sign_in = re.search(r'href="(/sign-in\?next=[^"]+)"', html(page))
    assert sign_in is not None
    signed_in = client.submit(
        sign_in.group(1).replace("&amp;", "&"), {"email": person.email, "password": PASSWORD}
    )
    # Signing in starts a new session (the token is gone): the invitation's id leads back,
    # and is useless to anyone but the invited address.
    pending = urlsplit(signed_in.headers["Location"]).path
    assert pending == f"/invitations/pending/{invitation_id}"
    assert token not in sign_in.group(1)
    assert "Join Second Co" in html(client.get(pending))

    joined = client.submit(pending, follow_redirects=True)

    home = html(joined)
    assert "You joined Second Co." in home
    assert "Signed in as" in home and "· Office" in home
    assert 'id="switch-company"' in home
    assert "Home Co</option>" in home and "Second Co</option>" in home
    roles = admin.execute(
        "select t.name, m.role from public.memberships m"
        " join public.tenants t on t.id = m.tenant_id"
        " where m.account_id = %s order by t.name",
        [person.account_id],
    ).fetchall()
    assert roles == [
        {"name": "Home Co", "role": "technician"},
        {"name": "Second Co", "role": "office"},
    ]


@pytest.mark.promise("P-03")
def test_an_invitation_for_another_address_is_refused_when_signed_in(client, admin, make: Factory):
    tenant, other = make.tenant("Invited Co"), make.tenant()
    invitation_id, token = make.invitation(tenant.id, email="invitee@example.com", role="admin")
    client.sign_in(other.owner.email)
    before = counts(admin)

    shown = open_invitation(client, token)
    used = client.submit(PAGE)

    assert (shown.status_code, used.status_code) == (403, 403)
    assert "This invitation is for invitee@example.com" in html(shown)
    assert f"You are signed in as {other.owner.email}" in html(shown)
    assert counts(admin) == before
    # By id, an invitation to another address does not exist for this account.
    assert client.get(f"/invitations/pending/{invitation_id}").status_code == 404
    assert client.submit(f"/invitations/pending/{invitation_id}").status_code == 404
    assert counts(admin) == before
    assert len(open_invitations(admin, tenant.id)) == 1
    assert "Invited Co" not in html(client.get("/"))


@pytest.mark.promise("P-03")
def test_sending_again_mints_a_new_link_and_a_new_week(client, admin, make: Factory):
    tenant = make.tenant("Resend Co")
    client.sign_in(tenant.owner.email)
    invite(client, "late.joiner@example.com", "office")
    [invitation] = open_invitations(admin, tenant.id)
    admin.execute(
        "update public.invitations set expires_at = now() - interval '1 day' where id = %s",
        [invitation["id"]],
    )

    response = client.submit(f"/team/invitations/{invitation['id']}/resend", follow_redirects=True)

    assert "Invitation sent again; the earlier link no longer works." in html(response)
    old, new = emailed_tokens(admin, "late.joiner@example.com")
    [fresh] = open_invitations(admin, tenant.id)
    assert fresh["role"] == "office" and fresh["id"] != invitation["id"]
    client.submit("/sign-out")
    assert open_invitation(client, old).status_code == 410
    assert "Join Resend Co" in html(open_invitation(client, new))


@pytest.mark.promise("P-02")
def test_an_admin_cannot_send_an_owner_invitation_again(client, admin, make: Factory):
    tenant = make.tenant()
    invitation_id, _ = make.invitation(tenant.id, email="boss@example.com", role="owner")
    client.sign_in(make.member(tenant.id, "admin").email)
    before = counts(admin)

    assert client.submit(f"/team/invitations/{invitation_id}/resend").status_code == 404
    assert counts(admin) == before


@pytest.mark.promise("P-06")
def test_invitations_to_one_address_are_limited_to_three_a_day(client, admin, make: Factory):
    """An invitation is mail from Plenum's address with names the inviter chose: the team page
    cannot send it without limit (3 a day per address, 50 per company)."""
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    for _ in range(3):
        assert invite(client, "pester@example.com").status_code == 302
    [invitation] = open_invitations(admin, tenant.id)

    refused = invite(client, "pester@example.com")
    resent = client.submit(f"/team/invitations/{invitation['id']}/resend", follow_redirects=True)

    assert refused.status_code == 422
    assert "Too many invitations today" in html(refused)
    assert "Too many invitations today" in html(resent)
    assert len(emailed_tokens(admin, "pester@example.com")) == 3
    assert [i["id"] for i in open_invitations(admin, tenant.id)] == [invitation["id"]]
    assert invite(client, "someone.else@example.com").status_code == 302
