"""The preview is the plan, paged: every record as it will be saved, nothing saved until the
office confirms; a re-run changes nothing; an import is undone as a whole, only while nothing
else has touched its records; large files are planned by the worker; the rows to check come
back as a CSV with the file's own columns and the reason."""

from __future__ import annotations

import csv
import io

import pytest

from app.imports import service
from jobs import customer_import
from tests.imports.support import previewed, summary, text

HEADER = "First Name,Last Name,Email,Phone,Street,City,State,Zip\n"


def letters(n: int) -> str:
    """3 → "d", 12 → "bc": names as people have them, without digits."""
    return "".join(chr(97 + int(digit)) for digit in str(n))


def name(n: int) -> str:
    return f"Pat{letters(n)} Lee{letters(n)}"


def rows(count: int, start: int = 0) -> str:
    return "".join(
        f"{name(n).replace(' ', ',')},pat{n}@example.com,(217) 555-{n:04d},{n} Elm St,"
        "Springfield,IL,62701\n"
        for n in range(start, start + count)
    )


def _import(office, data: bytes) -> str:
    import_id, _ = previewed(office, data)
    assert office.submit(f"/customers/import/{import_id}/confirm").status_code == 302
    return import_id


def _count(admin, table: str, tenant_id) -> int:
    row = admin.execute(
        f"select count(*) as n from public.{table} where tenant_id = %s",  # noqa: S608
        [tenant_id],
    ).fetchone()
    return int(row["n"])


def _item_names(page: str) -> list[str]:
    import re

    found = re.findall(r'<li class="import-item">\s*<h3>([^<]+?) <span class="badge">', page)
    return [name.strip() for name in found]


def test_the_preview_shows_every_record_as_it_will_be_saved_page_by_page(office, admin, company):
    import_id, page_one = previewed(office, (HEADER + rows(120)).encode())

    assert summary(page_one)["New"] == 120
    assert _item_names(page_one) == [name(n) for n in range(50)]
    assert "1\u201350 of 120" in page_one
    assert "(217) 555-0007" in page_one and "7 Elm St, Springfield, IL 62701" in page_one
    page_three = text(office.get(f"/customers/import/{import_id}?page=3"))
    assert _item_names(page_three) == [name(n) for n in range(100, 120)]
    assert 'rel="next"' not in page_three
    assert office.get(f"/customers/import/{import_id}?page=0").status_code == 404
    assert office.get(f"/customers/import/{import_id}?show=bogus").status_code == 404
    assert _count(admin, "customers", company.id) == 0  # the preview saves nothing


def test_flags_are_shown_beside_the_value_and_the_flagged_filter_keeps_them(office, admin, company):
    data = (HEADER + rows(3) + "Ann,Bad,not-an-email,(217) 555-0199,,,,\n").encode()
    import_id, _ = previewed(office, data)

    flagged = text(office.get(f"/customers/import/{import_id}?show=flagged"))

    assert _item_names(flagged) == ["Ann Bad"]
    assert "not-an-email" in flagged and 'class="flag flag-left_out"' in flagged
    assert summary(flagged)["Saved with something repaired or left out"] == 1


def test_importing_the_same_file_again_changes_nothing(office, admin, company):
    data = (HEADER + rows(5)).encode()
    _import(office, data)
    before = admin.execute(
        "select id, updated_at from public.customers where tenant_id = %s order by id",
        [company.id],
    ).fetchall()

    _, again = previewed(office, data)

    counts = summary(again)
    assert (counts["New"], counts["Updates"], counts["Already so (nothing to change)"]) == (0, 0, 5)
    assert "Everything in this file is already saved" in again
    after = admin.execute(
        "select id, updated_at from public.customers where tenant_id = %s order by id",
        [company.id],
    ).fetchall()
    assert after == before


def test_undo_removes_what_the_import_added_and_puts_back_what_it_changed(
    office, admin, make, company
):
    known = make.customer(company.id, "Ann", "Lee", email="ann@example.com")
    data = (
        HEADER + rows(2) + "Ann,Lee,ann@example.com,(217) 555-0142,9 Oak St,Springfield,IL,62701\n"
    ).encode()
    import_id = _import(office, data)
    assert _count(admin, "customers", company.id) == 3
    assert (
        admin.execute("select phone from public.customers where id = %s", [known]).fetchone()[
            "phone"
        ]
        == "+12175550142"
    )

    response = office.submit(f"/customers/import/{import_id}/undo")

    assert response.status_code == 302
    page = text(office.get(f"/customers/import/{import_id}"))
    assert "This import was undone" in page
    left = admin.execute(
        "select id, phone from public.customers where tenant_id = %s", [company.id]
    ).fetchall()
    assert left == [{"id": known, "phone": ""}]
    assert _count(admin, "properties", company.id) == 0
    audited = admin.execute(
        "select count(*) as n from audit.changes where tenant_id = %s"
        " and table_name = 'public.customers' and operation = 'delete'"
        " and actor_label = 'system:import'",
        [company.id],
    ).fetchone()
    assert audited["n"] == 2


def test_undo_is_refused_when_a_record_was_changed_since(office, admin, company):
    import_id = _import(office, (HEADER + rows(2)).encode())
    admin.execute(
        "update public.customers set notes = 'Called back'"
        " where tenant_id = %s and first_name = 'Patb'",
        [company.id],
    )

    office.submit(f"/customers/import/{import_id}/undo")

    page = text(office.get(f"/customers/import/{import_id}"))
    assert "Nothing was undone: 1 customer changed or deleted since." in page
    assert _count(admin, "customers", company.id) == 2


def test_undo_is_refused_when_a_job_was_booked_for_an_imported_customer(
    office, admin, make, company
):
    import_id = _import(office, (HEADER + rows(2)).encode())
    place = admin.execute(
        "select id from public.properties where tenant_id = %s order by street limit 1",
        [company.id],
    ).fetchone()["id"]
    make.job(company.id, place)

    office.submit(f"/customers/import/{import_id}/undo")

    page = text(office.get(f"/customers/import/{import_id}"))
    assert "Nothing was undone:" in page and "1 property now with a job" in page
    assert _count(admin, "customers", company.id) == 2


def test_undo_is_refused_once_the_file_is_cleared(office, admin, company):
    import_id = _import(office, (HEADER + rows(2)).encode())
    admin.execute("update public.customer_imports set source_text = '' where id = %s", [import_id])

    office.submit(f"/customers/import/{import_id}/undo")

    page = text(office.get(f"/customers/import/{import_id}"))
    assert "can no longer be undone" in page
    assert _count(admin, "customers", company.id) == 2
    assert _count(admin, "import_records", company.id) == 0
    assert _count(admin, "import_items", company.id) == 0


def test_a_large_file_is_checked_by_the_worker(office, admin, company, pool, monkeypatch):
    monkeypatch.setattr(service, "INLINE_PREVIEW_MAX_ROWS", 10)
    import_id, waiting = previewed(office, (HEADER + rows(30)).encode())
    assert "Checking 30 rows" in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting

    assert customer_import.check_previews(pool) == 1

    page = text(office.get(f"/customers/import/{import_id}"))
    assert summary(page)["New"] == 30
    assert _count(admin, "customers", company.id) == 0


def test_the_rows_to_check_come_back_with_the_files_columns_and_the_reason(office, company):
    data = (
        "Report of customers\n"
        + HEADER
        + rows(2)
        + ",,,,,,,\n"
        + ",,nobody@example.com,,,,,\n"
        + "Ann,Bad,not-an-email,(217) 555-0199,,,,\n"
    ).encode()
    import_id, _ = previewed(office, data)

    response = office.get(f"/customers/import/{import_id}/skipped.csv")

    found = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert found[0] == [*HEADER.strip().split(","), "Line", "Reason"]
    by_line = {row[-2]: row for row in found[1:]}
    assert by_line["6"][:3] == ["", "", "nobody@example.com"]
    assert by_line["7"][:3] == ["Ann", "Bad", "not-an-email"] and "not-an-email" in by_line["7"][-1]
    assert "1" in by_line  # the title line above the header, with its reason


@pytest.mark.parametrize("action", ["undo", "confirm", "cancel"])
def test_another_companys_import_cannot_be_undone_or_run(office, app, make, company, action):
    other = make.tenant("Beta Air")
    client = app.test_client()
    client.sign_in(other.owner.email)
    import_id = _import(office, (HEADER + rows(1)).encode())

    assert client.submit(f"/customers/import/{import_id}/{action}").status_code == 404


def test_an_update_shows_only_what_it_changes_and_adds(office, make, company):
    make.customer(company.id, "Ann", "Lee", email="ann@example.com")
    data = HEADER + "Ann,Lee,ann@example.com,(217) 555-0142,9 Oak St,Springfield,IL,62701\n"

    _, page = previewed(office, data.encode())

    item = page.split('<li class="import-item">')[1].split("</li>")[0]
    assert "Update" in item
    assert "<dt>Phone (changed)</dt>" in item and "(217) 555-0142" in item
    assert "<dt>Property 1 (added)</dt>" in item and "9 Oak St" in item
    assert "<dt>First name" not in item  # the same as saved: not shown
