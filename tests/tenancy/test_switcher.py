"""The company switcher: an account working for several companies sees one at a time (P-01)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import Factory, Member, Tenant

SHOWN_COMPANY = re.compile(r'<span class="company" title="Your company">([^<]*)</span>')


def html(response: Any) -> str:
    return response.get_data(as_text=True)


def options(page: str) -> list[tuple[str, bool, str]]:
    """The switcher's choices: (tenant id, selected, company name)."""
    return [
        (m.group(1), bool(m.group(2)), m.group(3))
        for m in re.finditer(r'<option value="([^"]+)"\s*(selected)?\s*>([^<]*)</option>', page)
    ]


def shown_company(client) -> str:
    match = SHOWN_COMPANY.search(html(client.get("/")))
    assert match is not None, "no company shown in the menu"
    return match.group(1)


def two_companies(make: Factory) -> tuple[Tenant, Tenant, Member]:
    """An owner of Alpha who is also an owner of Beta (names sort Alpha first)."""
    alpha, beta = make.tenant("Alpha Air"), make.tenant("Beta Boilers")
    make.member(beta.id, "owner", account_id=alpha.owner.account_id)
    make.member(alpha.id, "technician", make.account(full_name="Alpha Tech"))
    make.member(beta.id, "technician", make.account(full_name="Beta Tech"))
    return alpha, beta, alpha.owner


@pytest.mark.promise("P-01")
def test_switching_company_changes_what_is_shown(client, make: Factory):
    alpha, beta, person = two_companies(make)
    client.sign_in(person.email)
    home = html(client.get("/"))
    assert 'id="switch-company"' in home
    assert options(home) == [
        (str(alpha.id), True, "Alpha Air"),
        (str(beta.id), False, "Beta Boilers"),
    ]
    assert shown_company(client) == "Alpha Air"
    assert "Alpha Tech" in html(client.get("/team"))

    response = client.submit(
        "/companies/switch", {"tenant_id": str(beta.id)}, follow_redirects=True
    )

    assert "You are now working in Beta Boilers." in html(response)
    assert shown_company(client) == "Beta Boilers"
    team = html(client.get("/team"))
    assert "Beta Tech" in team
    assert "Alpha Tech" not in team
    assert "of Beta Boilers" in team


def test_an_account_in_one_company_has_no_switcher(client, make: Factory):
    tenant = make.tenant()
    client.sign_in(tenant.owner.email)
    assert 'id="switch-company"' not in html(client.get("/"))


@pytest.mark.promise("P-01")
def test_switching_to_a_company_one_does_not_belong_to_is_404(client, admin, make: Factory):
    _alpha, _beta, person = two_companies(make)
    stranger = make.tenant("Gamma Gas")
    make.member(stranger.id, "technician", make.account(full_name="Gamma Tech"))
    client.sign_in(person.email)

    response = client.submit("/companies/switch", {"tenant_id": str(stranger.id)})

    assert response.status_code == 404
    assert "Gamma" not in html(response)
    assert shown_company(client) == "Alpha Air"
    team = html(client.get("/team"))
    assert "Alpha Tech" in team
    assert "Gamma Tech" not in team


@pytest.mark.promise("P-03")
def test_switching_to_a_company_one_was_removed_from_is_404(client, admin, make: Factory):
    _alpha, beta, person = two_companies(make)
    admin.execute(
        "update public.memberships set status = 'removed' where tenant_id = %s and account_id = %s",
        [beta.id, person.account_id],
    )
    client.sign_in(person.email)
    assert 'id="switch-company"' not in html(client.get("/"))

    response = client.submit("/companies/switch", {"tenant_id": str(beta.id)})

    assert response.status_code == 404
    assert shown_company(client) == "Alpha Air"
    assert "Beta Tech" not in html(client.get("/team"))


@pytest.mark.promise("P-03")
def test_removal_from_the_current_company_falls_back_to_the_other(client, admin, make: Factory):
    _alpha, beta, person = two_companies(make)
    client.sign_in(person.email)
    client.submit("/companies/switch", {"tenant_id": str(beta.id)})
    assert shown_company(client) == "Beta Boilers"

    admin.execute(
        "update public.memberships set status = 'removed' where tenant_id = %s and account_id = %s",
        [beta.id, person.account_id],
    )

    assert shown_company(client) == "Alpha Air"
    team = html(client.get("/team"))
    assert "Alpha Tech" in team
    assert "Beta Tech" not in team
