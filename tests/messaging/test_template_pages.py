"""The message templates pages: every kind listed with whether it is sent; a kind's wording
saved only when its variables are the kind's, previewed with the sample values (and the text's
segments) without saving, reset to the built-in wording; office staff read, owners and admins
write."""

from __future__ import annotations

import pytest

from app.db import Connection
from app.messaging.templates import KINDS
from tests.conftest import Client
from tests.factories import Factory, Tenant

LIST = "/company/messaging/templates"
EDIT = "/company/messaging/templates/on_my_way"


def rows(admin: Connection, tenant: Tenant) -> list[dict]:
    return admin.execute(
        "select kind, enabled, sms_body, email_subject, email_body from public.message_templates"
        " where tenant_id = %s order by kind",
        [tenant.id],
    ).fetchall()


@pytest.fixture
def owner(make: Factory, client: Client) -> tuple[Tenant, Client]:
    tenant = make.tenant("Acme Heating")
    client.sign_in(tenant.owner.email)
    return tenant, client


def wording(**values: str) -> dict[str, str]:
    kind = KINDS["on_my_way"]
    return {
        "sms_body": kind.sms,
        "email_subject": kind.email_subject,
        "email_body": kind.email_body,
        "action": "save",
    } | values


def test_every_kind_is_listed_with_whether_it_is_sent(owner):
    _, client = owner
    page = client.get(LIST).get_data(as_text=True)
    for kind in KINDS.values():
        assert f'id="kind-{kind.name}"' in page and kind.label in page
    assert page.count("<strong>On</strong>") == len(KINDS)


def test_the_edit_page_previews_the_current_wording_with_its_variables(owner):
    _, client = owner
    page = client.get(EDIT).get_data(as_text=True)
    assert "{technician}" in page and "{eta}" in page  # the variables offered
    assert "Hi Pat, Sam from Acme Heating &amp; Air is on the way, arriving in about 25" in page
    assert 'id="preview-length"' in page and "1 segment (GSM-7)" in page
    assert "segments.js" in page


def test_a_reworded_template_is_saved_and_used(admin, owner):
    tenant, client = owner
    response = client.submit(EDIT, wording(sms_body="{technician} is coming{eta}. - {company}"))
    assert response.status_code == 303
    (row,) = rows(admin, tenant)
    assert (
        row["kind"] == "on_my_way" and row["sms_body"] == "{technician} is coming{eta}. - {company}"
    )
    assert row["enabled"] is True
    assert "Your own" in client.get(LIST).get_data(as_text=True)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"sms_body": "Hi {frist_name}"}, "Unknown variable {frist_name}: use {first_name}"),
        ({"email_subject": "On the way {"}, "A brace is not closed"),
        ({"sms_body": "Hi {first_name:>999999999}"}, "Write a variable as {name}"),
        ({"sms_body": "Hi {first_name!r}"}, "Write a variable as {name}"),
        ({"sms_body": "Hi {first_name.__class__}"}, "Write a variable as {name}"),
        ({"email_body": "   "}, "Write the text."),
        ({"sms_body": "x" * 1601}, "At most 1,600 characters."),
    ],
)
def test_bad_wording_is_refused_with_a_message_and_saves_nothing(admin, owner, values, message):
    tenant, client = owner
    response = client.submit(EDIT, wording(**values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert rows(admin, tenant) == []


def test_preview_shows_the_typed_wording_and_its_segments_without_saving(admin, owner):
    tenant, client = owner
    text = "Hi {first_name} 🙂 " + "a" * 70
    response = client.submit(EDIT, wording(sms_body=text, action="preview"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hi Pat 🙂 " + "a" * 70 in page
    assert "2 segments (UCS-2" in page
    assert rows(admin, tenant) == []


def test_reset_goes_back_to_the_built_in_wording_and_keeps_it_off(admin, owner):
    tenant, client = owner
    client.submit(EDIT, wording(sms_body="{technician} is coming."))
    client.submit(f"{EDIT}/enabled", {"enabled": "0"})
    assert client.submit(f"{EDIT}/reset").status_code == 303
    (row,) = rows(admin, tenant)
    assert row["sms_body"] == KINDS["on_my_way"].sms and row["enabled"] is False
    assert "Not sent" in client.get(EDIT).get_data(as_text=True)


def test_a_kind_is_turned_off_and_on_from_the_list(admin, owner):
    tenant, client = owner
    response = client.submit(
        "/company/messaging/templates/review_request/enabled", {"enabled": "0", "back": "list"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(LIST)
    (row,) = rows(admin, tenant)
    assert row["kind"] == "review_request" and row["enabled"] is False
    assert row["sms_body"] == KINDS["review_request"].sms
    client.submit("/company/messaging/templates/review_request/enabled", {"enabled": "1"})
    assert rows(admin, tenant)[0]["enabled"] is True


def test_an_unknown_kind_is_404(owner):
    _, client = owner
    assert client.get("/company/messaging/templates/nope").status_code == 404
    assert client.submit("/company/messaging/templates/nope", wording()).status_code == 404


@pytest.mark.parametrize("role", ["dispatcher", "office"])
def test_office_staff_read_but_do_not_change_templates(admin, make, client, role):
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, role).email)
    page = client.get(EDIT)
    assert page.status_code == 200 and "readonly" in page.get_data(as_text=True)
    assert client.get(LIST).status_code == 200
    for url, data in (
        (EDIT, wording(sms_body="Forged")),
        (f"{EDIT}/reset", {}),
        (f"{EDIT}/enabled", {"enabled": "0"}),
    ):
        assert client.submit(url, data).status_code in (403, 404)
    assert rows(admin, tenant) == []


def test_technicians_do_not_see_templates(make, client):
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "technician").email)
    assert client.get(LIST).status_code in (403, 404)
