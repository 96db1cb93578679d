"""Who may import and export (P-02): the office roles; technicians see no customers at all."""

from __future__ import annotations

import pytest

from tests.imports.support import SMALL_FILE, make_import, text, upload


@pytest.mark.promise("P-02")
@pytest.mark.parametrize("role", ["admin", "dispatcher", "office"])
def test_office_roles_can_import_and_export(app, make, company, role):
    member = make.member(company.id, role)
    client = app.test_client()
    client.sign_in(member.email)

    assert client.get("/customers/import").status_code == 200
    assert upload(client, SMALL_FILE.encode()).status_code == 302
    assert client.get("/customers/export.csv").status_code == 200


@pytest.mark.promise("P-02")
def test_technicians_can_neither_import_nor_export(app, admin, make, company):
    technician = make.member(company.id, "technician")
    client = app.test_client()
    client.sign_in(technician.email)
    import_id = make_import(admin, company.id)

    refused = [
        client.get("/customers/import"),
        upload(client, SMALL_FILE.encode()),
        client.get(f"/customers/import/{import_id}"),
        client.get(f"/customers/import/{import_id}/mapping"),
        client.submit(f"/customers/import/{import_id}/confirm"),
        client.submit(f"/customers/import/{import_id}/cancel"),
        client.get(f"/customers/import/{import_id}/skipped.csv"),
        client.get("/customers/export.csv"),
        client.get("/properties/export.csv"),
        client.get("/equipment/export.csv"),
    ]

    assert [r.status_code for r in refused] == [403] * len(refused)
    count = admin.execute("select count(*) as n from public.customers").fetchone()
    assert count == {"n": 0}
    accesses = admin.execute(
        "select count(*) as n from audit.changes where operation = 'access'"
    ).fetchone()
    assert accesses == {"n": 0}


@pytest.mark.promise("P-01")
def test_another_companys_import_is_404_and_untouched(office, admin, make, company):
    other = make.tenant("Beta Boilers")
    import_id = make_import(admin, other.id)

    for response in (
        office.get(f"/customers/import/{import_id}"),
        office.get(f"/customers/import/{import_id}/mapping"),
        office.submit(f"/customers/import/{import_id}/confirm"),
        office.get(f"/customers/import/{import_id}/skipped.csv"),
    ):
        assert response.status_code == 404
        assert "Beta Boilers" not in text(response)
    status = admin.execute(
        "select status from public.customer_imports where id = %s", [import_id]
    ).fetchone()
    assert status == {"status": "previewed"}


def test_the_upload_limit_is_40_mb_and_other_forms_keep_2_mb(office, company):
    big = b"Name,Notes\n" + (b"Some Body," + b"x" * 120 + b"\n") * 40_000  # 5 MB

    assert upload(office, big).status_code == 302
    assert upload(office, b"x" * (41 * 1024 * 1024)).status_code == 413
    too_big_elsewhere = office.submit("/team/invitations", {"email": "a" * (3 * 1024 * 1024)})
    assert too_big_elsewhere.status_code == 413
