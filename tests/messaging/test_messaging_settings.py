"""The company's messaging settings page: owners and admins only, keys sealed for the company's
row and never shown back, bad input refused with a message and nothing saved, the webhook URLs
to paste into Twilio, and a plain word that messages go to the outbox without accounts."""

from __future__ import annotations

import pytest

from app import crypto
from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Tenant

URL = "/company/messaging"
SID = "AC" + "0123456789abcdef" * 2
TOKEN = "fedcba9876543210" * 2
SERVICE = "MG" + "0123456789abcdef" * 2
API_KEY = "SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"


def form(**values: str) -> dict[str, str]:
    base = {
        "twilio_account_sid": SID,
        "twilio_auth_token": TOKEN,
        "twilio_from_number": "(312) 555-0142",
        "twilio_messaging_service_sid": "",
        "sms_per_second": "1",
        "sendgrid_api_key": API_KEY,
        "sendgrid_from_email": "Office@Acme.example",
        "sendgrid_from_name": "Acme Heating",
        "reminder_time": "18:30",
        "estimate_follow_up_days": "3",
        "invoice_overdue_days": "7",
        "review_url": "https://g.page/r/acme/review",
        "review_every_months": "12",
        "review_delay_hours": "2",
    }
    return base | values


def stored(admin: Connection, tenant: Tenant) -> dict:
    row = admin.execute(
        "select * from public.messaging_accounts where tenant_id = %s", [tenant.id]
    ).fetchone()
    assert row is not None
    return row


@pytest.fixture
def owner(make: Factory, client: Client) -> tuple[Tenant, Client]:
    tenant = make.tenant("Acme Heating")
    client.sign_in(tenant.owner.email)
    return tenant, client


def test_without_accounts_the_page_says_messages_go_to_the_outbox(owner):
    _, client = owner
    page = client.get(URL).get_data(as_text=True)
    assert "they go to the outbox" in page
    assert "Save once to get the webhook URLs" in page


@pytest.mark.promise("P-17")
def test_keys_are_sealed_for_the_companys_row_and_never_shown_back(admin, app, owner):
    tenant, client = owner
    response = client.submit(URL, form())
    assert response.status_code == 303

    row = stored(admin, tenant)
    assert row["twilio_account_sid"] == SID and row["twilio_from_number"] == "+13125550142"
    assert row["sendgrid_from_email"] == "office@acme.example"
    assert str(row["reminder_time"]) == "18:30:00" and row["review_url"].startswith("https://")
    for column, secret in ((crypto.TWILIO_AUTH_TOKEN, TOKEN), (crypto.SENDGRID_API_KEY, API_KEY)):
        sealed = row[column.column]
        assert secret not in sealed and sealed.startswith("v2:")
        with app.app_context():
            opened = crypto.decrypt(sealed, place=column.at(tenant.id, row["id"]))
        assert opened == secret

    page = client.get(URL).get_data(as_text=True)
    assert TOKEN not in page and API_KEY not in page
    assert page.count("<strong>saved</strong>") == 2
    assert "they go to the outbox" not in page
    endpoint = row["endpoint_id"]
    assert f"http://plenum.test/messaging/twilio/{endpoint}/inbound" in page
    assert f"http://plenum.test/messaging/twilio/{endpoint}/status" in page

    # Saving again with the key fields empty keeps the keys; "remove" forgets one.
    client.submit(URL, form(twilio_auth_token="", sendgrid_api_key="", reminder_time="17:00"))
    again = stored(admin, tenant)
    assert again["twilio_auth_token_encrypted"] == row["twilio_auth_token_encrypted"]
    assert str(again["reminder_time"]) == "17:00:00"
    client.submit(
        URL,
        form(
            twilio_account_sid="",
            twilio_auth_token="",
            twilio_from_number="",
            sendgrid_api_key="",
            remove_twilio_auth_token="y",
        ),
    )
    removed = stored(admin, tenant)
    assert removed["twilio_auth_token_encrypted"] == "" and removed["twilio_account_sid"] == ""
    assert removed["sendgrid_api_key_encrypted"] == row["sendgrid_api_key_encrypted"]


BAD = [
    ({"twilio_account_sid": "AC123"}, "An account SID is AC followed by 32"),
    ({"twilio_auth_token": "not a token"}, "An auth token is 32 letters"),
    ({"twilio_from_number": "12"}, "is not a"),
    ({"twilio_from_number": "", "twilio_messaging_service_sid": ""}, "Enter a sending number or"),
    ({"twilio_messaging_service_sid": SERVICE}, "not both"),
    ({"twilio_messaging_service_sid": "MGnope"}, "A messaging service SID is MG"),
    ({"twilio_auth_token": ""}, "Enter the auth token."),
    ({"twilio_account_sid": ""}, "Enter the account SID."),
    ({"sms_per_second": "0"}, "Enter a rate from 0.1 to 1000"),
    ({"sms_per_second": "NaN"}, "Enter a rate from 0.1 to 1000"),
    ({"sms_per_second": "-Infinity"}, "Enter a rate from 0.1 to 1000"),
    ({"sendgrid_api_key": "sk_live_123"}, "Paste the whole API key"),
    ({"sendgrid_from_email": "office"}, "Enter a valid email address"),
    ({"sendgrid_from_email": ""}, "Enter the verified from address."),
    ({"reminder_time": "25:00"}, "Not a valid time"),
    ({"review_url": "http://example.com/review"}, "starting with https://"),
    ({"review_every_months": "0"}, "from 1 to 60"),
    ({"review_delay_hours": "999"}, "from 0 to 336"),
    ({"estimate_follow_up_days": "x"}, "Not a valid integer"),
]


@pytest.mark.parametrize(("values", "message"), BAD)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(admin, owner, values, message):
    tenant, client = owner
    response = client.submit(URL, form(**values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert TOKEN not in response.get_data(as_text=True)
    count = admin.execute(
        "select count(*) as n from public.messaging_accounts where tenant_id = %s", [tenant.id]
    ).fetchone()
    assert count is not None and count["n"] == 0


def test_a_messaging_service_may_stand_for_the_number(admin, owner):
    tenant, client = owner
    response = client.submit(
        URL,
        form(
            twilio_from_number="",
            twilio_messaging_service_sid=SERVICE,
            sendgrid_api_key="",
            sendgrid_from_email="",
        ),
    )
    assert response.status_code == 303
    assert stored(admin, tenant)["twilio_messaging_service_sid"] == SERVICE


@pytest.mark.parametrize("role", ["dispatcher", "office", "technician"])
def test_only_owners_and_admins_see_or_change_the_settings(admin, make, client, role):
    tenant = make.tenant()
    member = make.member(tenant.id, role)
    client.sign_in(member.email)
    assert client.get(URL).status_code in (403, 404)
    assert client.submit(URL, form()).status_code in (403, 404)
    count = admin.execute("select count(*) as n from public.messaging_accounts").fetchone()
    assert count is not None and count["n"] == 0


def test_an_admin_may(admin, make, client):
    tenant = make.tenant()
    member = make.member(tenant.id, "admin")
    client.sign_in(member.email)
    assert client.get(URL).status_code == 200
    assert client.submit(URL, form()).status_code == 303
    assert stored(admin, tenant)["twilio_account_sid"] == SID


def test_the_company_page_links_to_messaging(owner):
    _, client = owner
    page = client.get("/company").get_data(as_text=True)
    assert 'href="/company/messaging"' in page and 'href="/company/messaging/templates"' in page
