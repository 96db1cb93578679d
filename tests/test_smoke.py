from __future__ import annotations


def test_owner_signs_in_and_sees_dashboard(client, make):
    tenant = make.tenant("Frost & Sons")
    client.sign_in(tenant.owner.email)
    page = client.get("/").get_data(as_text=True)
    assert "Frost &amp; Sons" in page
