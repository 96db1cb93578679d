"""The company's logo: owners and admins upload a PNG or JPEG of at most 1 MB on the Company page;
it is kept written anew as a PNG of at most 600 by 300 px under the company's prefix; replacing
or removing it deletes the old file; a bad file is refused with a message and nothing is saved;
other roles are refused."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from flask import Flask
from PIL import Image

from app.db import Connection
from tests.conftest import Client, TestDatabase
from tests.factories import Factory, Tenant
from tests.policies.identity import acting_as, claims_of

PAGE = "/company"


def picture(kind: str = "PNG", size: tuple[int, int] = (1200, 400), **info: Any) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if kind == "PNG" else "RGB"
    Image.new(mode, size, (11, 92, 173, 255) if mode == "RGBA" else (11, 92, 173)).save(
        out, kind, **info
    )
    return out.getvalue()


def upload(client: Client, data: bytes, name: str = "logo.png") -> Any:
    return client.post(
        "/company/logo",
        data={"csrf_token": client.csrf_token(), "logo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def logo_key(admin: Connection, tenant_id: UUID) -> str | None:
    row = admin.execute("select logo_key from public.tenants where id = %s", [tenant_id]).fetchone()
    assert row is not None
    return row["logo_key"]


def kept(app: Flask, key: str) -> Path:
    return Path(app.extensions["plenum.files"].root) / key


@pytest.fixture
def owner(client: Client, make: Factory) -> Tenant:
    tenant = make.tenant("Northwind Heating")
    client.sign_in(tenant.owner.email)
    return tenant


def test_a_logo_is_kept_as_a_small_png_and_shown_on_the_page(
    app: Flask, client: Client, owner: Tenant, admin: Connection
) -> None:
    assert "No logo yet" in client.get(PAGE).get_data(as_text=True)
    response = upload(client, picture("JPEG", (1800, 600), comment=b"made with a camera"))
    assert response.status_code == 303, response.get_data(as_text=True)
    key = logo_key(admin, owner.id)
    assert key is not None
    assert re.fullmatch(rf"{owner.id}/company/logo-[0-9a-f-]{{36}}\.png", key)
    stored = kept(app, key).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (600, 200)
        assert "comment" not in image.info
    page = client.get(PAGE).get_data(as_text=True)
    assert "Logo saved" in html.unescape(page)
    assert 'class="company-logo" src="data:image/png;base64,' in page


def test_replacing_or_removing_the_logo_deletes_the_old_file(
    app: Flask, client: Client, owner: Tenant, admin: Connection
) -> None:
    assert upload(client, picture()).status_code == 303
    first = logo_key(admin, owner.id)
    assert first is not None and kept(app, first).exists()
    assert upload(client, picture(size=(300, 300))).status_code == 303
    second = logo_key(admin, owner.id)
    assert second is not None and second != first
    assert kept(app, second).exists() and not kept(app, first).exists()
    removed = client.submit("/company/logo/remove")
    assert removed.status_code == 303
    assert logo_key(admin, owner.id) is None and not kept(app, second).exists()
    assert "No logo yet" in client.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "logo.png", "That file is empty."),
        (b"company name, in a text file", "logo.png", "not a PNG or JPEG image"),
        (picture("WEBP"), "logo.webp", "not a PNG or JPEG image"),
        (picture()[:60], "logo.png", "could not be read"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1), "logo.png", "larger than 1 MB"),
    ],
    ids=["empty", "text", "webp", "truncated", "too-large"],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_saved(
    app: Flask,
    client: Client,
    owner: Tenant,
    admin: Connection,
    data: bytes,
    name: str,
    message: str,
) -> None:
    assert upload(client, picture()).status_code == 303
    before = logo_key(admin, owner.id)
    assert before is not None
    folder = kept(app, before).parent
    files_before = sorted(folder.iterdir())
    response = upload(client, data, name)
    assert response.status_code == 422
    error = re.search(r'id="logo-error">([^<]+)<', response.get_data(as_text=True))
    assert error and message in html.unescape(error.group(1))
    assert logo_key(admin, owner.id) == before
    assert sorted(folder.iterdir()) == files_before


def test_an_admin_may_upload_a_logo(client: Client, make: Factory, admin: Connection) -> None:
    tenant = make.tenant()
    client.sign_in(make.member(tenant.id, "admin").email)
    assert upload(client, picture()).status_code == 303
    assert logo_key(admin, tenant.id) is not None


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["office", "dispatcher", "technician"])
def test_other_roles_are_refused(
    app: Flask, client: Client, make: Factory, admin: Connection, role: str
) -> None:
    tenant = make.tenant()
    manager: Client = app.test_client()  # type: ignore[assignment]
    manager.sign_in(tenant.owner.email)
    assert upload(manager, picture()).status_code == 303
    key = logo_key(admin, tenant.id)
    client.sign_in(make.member(tenant.id, role).email)
    assert upload(client, picture(size=(100, 50))).status_code == 403
    assert client.submit("/company/logo/remove").status_code == 403
    assert logo_key(admin, tenant.id) == key
    assert key is not None and kept(app, key).exists()


@pytest.mark.promise("P-01")
def test_a_company_row_cannot_name_another_companys_file(
    database: TestDatabase, make: Factory
) -> None:
    ours, theirs = make.tenant(), make.tenant()
    with acting_as(database, claims_of(ours.owner)) as conn:
        own = f"{ours.id}/company/logo-{UUID(int=1)}.png"
        conn.execute("update public.tenants set logo_key = %s where id = %s", [own, ours.id])
        for key in (f"{theirs.id}/company/logo-{UUID(int=1)}.png", f"{ours.id}/visits/x.png"):
            with pytest.raises(psycopg.errors.CheckViolation), conn.transaction():
                conn.execute(
                    "update public.tenants set logo_key = %s where id = %s", [key, ours.id]
                )
