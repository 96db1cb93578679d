"""Signing up creates a company and its owner, or nothing at all."""

from __future__ import annotations

from tests.auth.support import account, count, field_errors, text

PASSWORD = "a long passphrase for signing up"
TABLES = ("public.tenants", "iam.accounts", "public.memberships")

# (what is typed differently, the field whose message shows, the message)
INVALID = [
    ({"email": ""}, "email", "Enter an email address."),
    ({"email": "ada.polar.example"}, "email", "Enter a valid email address"),
    ({"email": "ada@"}, "email", "Enter a valid email address"),
    ({"password": ""}, "password", "Choose a password."),
    ({"password": "too short"}, "password", "Use at least 10 characters"),
    ({"company_name": ""}, "company_name", "Enter your company's name."),
    ({"company_name": "   "}, "company_name", "Enter your company's name."),
    ({"company_name": "x" * 201}, "company_name", "At most 200 characters."),
    ({"full_name": ""}, "full_name", "Enter your name."),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Not a valid choice"),
    ({"time_zone": ""}, "time_zone", "Not a valid choice"),
]


def sign_up_form(**overrides: str) -> dict[str, str]:
    form = {
        "company_name": "Polar Comfort HVAC",
        "time_zone": "America/Chicago",
        "full_name": "Ada Lovelace",
        "email": "ada@polar.example",
        "password": PASSWORD,
    }
    form.update(overrides)
    return form


def counts(admin) -> dict[str, int]:
    return {table: count(admin, table) for table in TABLES}


def test_sign_up_creates_company_and_owner_and_signs_in(client, admin):
    page = text(client.get("/sign-up"))
    assert "Create your company's account" in page
    assert "America/Chicago" in page

    response = client.submit("/sign-up", sign_up_form(email="  Ada@Polar.Example "))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"

    dashboard = client.get("/")
    assert dashboard.status_code == 200
    page = text(dashboard)
    assert "Welcome to Plenum. Polar Comfort HVAC is ready." in page
    assert "Signed in as Ada Lovelace · Owner" in page

    owner = account(admin, "ada@polar.example")
    assert owner is not None and owner["full_name"] == "Ada Lovelace"
    tenant = admin.execute("select * from public.tenants").fetchone()
    assert tenant["name"] == "Polar Comfort HVAC"
    assert tenant["time_zone"] == "America/Chicago"
    membership = admin.execute("select * from public.memberships").fetchone()
    assert (membership["tenant_id"], membership["account_id"]) == (tenant["id"], owner["id"])
    assert (membership["role"], membership["status"]) == ("owner", "active")


def test_signed_in_person_is_sent_to_the_dashboard(client, make):
    client.sign_in(make.tenant().owner.email)
    response = client.get("/sign-up")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_invalid_sign_up_shows_message_next_to_field_and_saves_nothing(client, admin):
    before = counts(admin)
    for overrides, field, message in INVALID:
        response = client.submit("/sign-up", sign_up_form(**overrides))
        assert response.status_code == 422, overrides
        errors = field_errors(response)
        assert set(errors) == {field}, (overrides, errors)
        assert message in errors[field], (overrides, errors)
        assert PASSWORD not in text(response)
    assert counts(admin) == before
    assert client.get("/").headers["Location"] == "/sign-in"


def test_duplicate_email_is_refused_with_friendly_message_and_creates_nothing(client, admin, make):
    make.account(email="taken@polar.example")
    before = counts(admin)

    response = client.submit("/sign-up", sign_up_form(email="Taken@Polar.Example"))

    assert response.status_code == 422
    assert field_errors(response) == {
        "email": "An account with this email already exists. Sign in instead."
    }
    # No company without an owner is left behind, and nobody is signed in.
    assert counts(admin) == before
    assert count(admin, "public.tenants") == 0
    assert client.get("/").headers["Location"] == "/sign-in"
    # The form keeps what was typed, except the password.
    page = text(response)
    assert "Polar Comfort HVAC" in page
    assert PASSWORD not in page
