"""The team page: who is listed, who may reach it, role changes and removals (P-02, P-03)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.factories import Factory, Member

OWNER_RULE = "Only an owner can change an owner or make someone an owner."


def html(response: Any) -> str:
    return response.get_data(as_text=True)


def memberships(admin, tenant_id) -> dict[str, tuple[str, str]]:
    """email → (role, status) of every membership of the company, as stored."""
    rows = admin.execute(
        "select email, role, status from public.memberships where tenant_id = %s",
        [tenant_id],
    ).fetchall()
    return {r["email"]: (r["role"], r["status"]) for r in rows}


def seen_with_claims(admin, claims: dict[str, str], query: str) -> list[dict[str, Any]]:
    """Rows `query` returns for a request carrying `claims`, as the app's transaction sets them."""
    with admin.transaction(force_rollback=True):
        admin.execute(
            "select set_config('role', 'authenticated', true),"
            " set_config('request.jwt.claims', %s, true)",
            [json.dumps(claims)],
        )
        return admin.execute(query).fetchall()


def test_team_page_lists_members_fifty_per_page(client, make: Factory):
    tenant = make.tenant()
    for i in range(1, 56):
        make.member(tenant.id, "technician", make.account(full_name=f"Member {i:02d}"))
    client.sign_in(tenant.owner.email)

    first = html(client.get("/team"))
    second = client.get("/team?page=2")

    assert second.status_code == 200
    page = html(second)
    assert "56 members of" in page
    assert "Page 2 of 2" in page
    for i in range(51, 56):
        assert f"Member {i:02d}" in page
        assert f"Member {i:02d}" not in first
    assert tenant.owner.full_name in page  # sorts after "Member …"
    assert "Member 50" not in page
    assert "Member 01" in first and "Member 50" in first
    assert "Page 1 of 2" in first


@pytest.mark.promise("P-02")
def test_owners_and_admins_reach_the_team_page(app, make: Factory):
    tenant = make.tenant()
    for role in ("owner", "admin"):
        manager = app.test_client()
        manager.sign_in(make.member(tenant.id, role).email)
        response = manager.get("/team")
        assert response.status_code == 200, role
        assert tenant.owner.email in html(response)


@pytest.mark.promise("P-02")
def test_other_roles_are_refused_the_team_page(app, make: Factory):
    tenant = make.tenant()
    for role in ("dispatcher", "office", "technician"):
        staff = app.test_client()
        staff.sign_in(make.member(tenant.id, role).email)

        response = staff.get("/team")

        assert response.status_code == 403, role
        assert tenant.owner.email not in html(response)
        assert ">Team</a>" not in html(staff.get("/"))  # not offered in the menu either


@pytest.mark.promise("P-03")
def test_owner_changes_a_members_role(client, admin, make: Factory):
    tenant = make.tenant()
    tech = make.member(tenant.id, "technician")
    client.sign_in(tenant.owner.email)

    response = client.submit(
        f"/team/members/{tech.membership_id}/role", {"role": "dispatcher"}, follow_redirects=True
    )

    assert response.status_code == 200
    assert f"{tech.full_name} is now Dispatcher." in html(response)
    assert memberships(admin, tenant.id)[tech.email] == ("dispatcher", "active")


@pytest.mark.promise("P-02")
def test_a_role_that_does_not_exist_is_refused(client, admin, make: Factory):
    tenant = make.tenant()
    tech = make.member(tenant.id, "technician")
    client.sign_in(tenant.owner.email)

    response = client.submit(f"/team/members/{tech.membership_id}/role", {"role": "superuser"})

    assert response.status_code == 422
    assert "Choose one of the listed roles." in html(response)
    assert memberships(admin, tenant.id)[tech.email] == ("technician", "active")


@pytest.mark.promise("P-02")
def test_admin_cannot_change_or_remove_an_owner(client, admin, make: Factory):
    tenant = make.tenant()
    manager = make.member(tenant.id, "admin")
    client.sign_in(manager.email)
    before = memberships(admin, tenant.id)

    for action, data in (
        ("role", {"role": "technician"}),
        ("role", {"role": "admin"}),
        ("remove", {}),
    ):
        response = client.submit(f"/team/members/{tenant.owner.membership_id}/{action}", data)

        assert response.status_code == 422, (action, data)
        assert OWNER_RULE in html(response)
        assert memberships(admin, tenant.id) == before


@pytest.mark.promise("P-02")
def test_admin_cannot_make_anyone_an_owner(client, admin, make: Factory):
    tenant = make.tenant()
    manager = make.member(tenant.id, "admin")
    tech = make.member(tenant.id, "technician")
    client.sign_in(manager.email)
    before = memberships(admin, tenant.id)

    for target in (tech, manager):
        response = client.submit(f"/team/members/{target.membership_id}/role", {"role": "owner"})
        assert response.status_code == 422
        assert OWNER_RULE in html(response)
    assert memberships(admin, tenant.id) == before


def test_admin_changes_and_removes_non_owners(client, admin, make: Factory):
    tenant = make.tenant()
    manager = make.member(tenant.id, "admin")
    tech = make.member(tenant.id, "technician")
    office = make.member(tenant.id, "office")
    client.sign_in(manager.email)

    changed = client.submit(f"/team/members/{tech.membership_id}/role", {"role": "office"})
    removed = client.submit(f"/team/members/{office.membership_id}/remove")

    assert (changed.status_code, removed.status_code) == (302, 302)
    after = memberships(admin, tenant.id)
    assert after[tech.email] == ("office", "active")
    assert after[office.email] == ("office", "removed")


@pytest.mark.promise("P-03")
def test_the_last_owner_stays_an_owner(client, admin, make: Factory):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    before = memberships(admin, tenant.id)

    for action, data in (("role", {"role": "admin"}), ("remove", {})):
        response = client.submit(f"/team/members/{tenant.owner.membership_id}/{action}", data)

        assert response.status_code == 422, action
        assert "at least one owner" in html(response)
        assert memberships(admin, tenant.id) == before
    assert tenant.name in html(client.get("/"))  # still the owner, still working


def test_an_owner_can_step_down_when_another_owner_remains(client, admin, make: Factory):
    tenant = make.tenant()
    other = make.member(tenant.id, "owner")
    client.sign_in(tenant.owner.email)

    response = client.submit(f"/team/members/{tenant.owner.membership_id}/role", {"role": "admin"})

    assert response.status_code == 302
    after = memberships(admin, tenant.id)
    assert after[tenant.owner.email] == ("admin", "active")
    assert after[other.email] == ("owner", "active")


def _removed_member_sees_nothing(app, admin, make: Factory, member: Member, tenant) -> None:
    member_client = app.test_client()
    member_client.sign_in(member.email)
    assert tenant.name in html(member_client.get("/"))  # the member is working in the company
    owner_client = app.test_client()
    owner_client.sign_in(tenant.owner.email)

    response = owner_client.submit(
        f"/team/members/{member.membership_id}/remove", follow_redirects=True
    )
    assert f"{member.full_name} no longer has access to {tenant.name}." in html(response)

    # The same session cookie, on its very next request.
    home = html(member_client.get("/"))
    assert "You are not part of a company" in home
    assert tenant.name not in home
    team = member_client.get("/team")
    assert team.status_code == 403
    assert tenant.owner.email not in html(team)


@pytest.mark.promise("P-03")
def test_removal_takes_effect_on_the_members_very_next_request(app, admin, make: Factory):
    tenant = make.tenant()
    for role in ("admin", "technician"):
        _removed_member_sees_nothing(app, admin, make, make.member(tenant.id, role), tenant)


@pytest.mark.promise("P-03")
def test_a_removed_members_stale_claims_see_nothing_in_the_database(app, admin, make: Factory):
    tenant = make.tenant()
    member = make.member(tenant.id, "owner")  # the most a stale token could carry
    make.invitation(tenant.id)
    make.outbox_message(tenant.id)
    claims = {"role": "authenticated", "sub": str(member.account_id), "tenant_id": str(tenant.id)}
    company_rows = """
        select 'tenant' as what from public.tenants
        union all select 'invitation' from public.invitations
        union all select 'message' from outbox.messages
        union all select 'member ' || email from public.memberships
         where account_id <> auth.uid()
    """
    before = {r["what"] for r in seen_with_claims(admin, claims, company_rows)}
    assert before == {"tenant", "invitation", "message", f"member {tenant.owner.email}"}

    _removed_member_sees_nothing(app, admin, make, member, tenant)

    assert seen_with_claims(admin, claims, company_rows) == []
    assert seen_with_claims(admin, claims, "select app.tenant_id() as t") == [{"t": None}]
    # Nor can the stale claims change anything.
    changed = seen_with_claims(
        admin,
        claims,
        "with u as (update public.memberships set role = 'owner' returning 1),"
        " t as (update public.tenants set name = 'Taken over' returning 1)"
        " select (select count(*) from u) + (select count(*) from t) as n",
    )
    assert changed == [{"n": 0}]


@pytest.mark.promise("P-01")
def test_a_member_of_another_company_cannot_be_changed_or_removed(client, admin, make: Factory):
    mine, theirs = make.tenant(), make.tenant()
    stranger = make.member(theirs.id, "technician")
    client.sign_in(mine.owner.email)

    for action, data in (("role", {"role": "admin"}), ("remove", {})):
        response = client.submit(f"/team/members/{stranger.membership_id}/{action}", data)
        assert response.status_code == 404
    assert memberships(admin, theirs.id)[stranger.email] == ("technician", "active")
