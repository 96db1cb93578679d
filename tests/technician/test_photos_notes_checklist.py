"""Photos (what a file is, how large, where it is kept, who gets it back), notes, and the
maintenance checklist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import Factory
from tests.technician.support import (
    JPEG,
    Day,
    at,
    decoded,
    files_of,
    html,
    noise,
    picture,
    png,
    today,
    upload,
)

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (JPEG, "IMG_0042.JPG"),
        (png(64, 48), "screenshot.png"),
        (picture(64, 48, "WEBP"), "photo.webp"),
    ],
)
def test_a_photo_is_kept_under_the_companys_prefix_and_shown_on_the_visit(
    tech, admin, day: Day, files_dir: Path, data, name
):
    response = tech.post(
        f"/my-day/visits/{day.first}/photos",
        data={
            "csrf_token": tech.csrf_token(),
            "photo": upload(data, name, "application/octet-stream"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302, html(response)
    [stored] = files_of(admin, day.first)
    key = stored["storage_key"]
    kept = (files_dir / key).read_bytes()
    # Every photo is kept as a JPEG written anew (tests/technician/test_photo_cleaning.py).
    assert (stored["kind"], stored["content_type"], stored["byte_size"]) == (
        "photo",
        "image/jpeg",
        len(kept),
    )
    assert decoded(kept).format == "JPEG" and decoded(kept).size == (64, 48)
    assert key.startswith(f"{day.tenant.id}/visits/{day.first}/") and name not in key
    page = html(tech.get(f"/my-day/visits/{day.first}"))
    src = f"/my-day/files/{stored['id']}"
    assert f'href="{src}"' in page and f'src="{src}?size=thumb"' in page
    served = tech.get(src)
    assert (served.status_code, served.data, served.mimetype) == (200, kept, "image/jpeg")
    assert served.headers["Cache-Control"] == "private, no-store"  # not kept after access ends


def _photo(tech, day: Day, data: bytes, name: str = "photo.jpg"):
    return tech.post(
        f"/my-day/visits/{day.first}/photos",
        data={"csrf_token": tech.csrf_token(), "photo": upload(data, name)},
        content_type="multipart/form-data",
    )


@pytest.mark.promise("P-01")
@pytest.mark.promise("P-02")
def test_a_photo_is_served_only_to_those_who_may_see_the_visit(
    app, tech, admin, make: Factory, day: Day, files_dir: Path
):
    _photo(tech, day, JPEG)
    [stored] = files_of(admin, day.first)
    kept = (files_dir / stored["storage_key"]).read_bytes()
    src = f"/my-day/files/{stored['id']}"
    stranger_company = make.tenant("Other Heating")
    colleague, office, stranger = app.test_client(), app.test_client(), app.test_client()
    colleague.sign_in(day.other_tech.email)
    office.sign_in(make.member(day.tenant.id, "dispatcher").email)
    stranger.sign_in(stranger_company.owner.email)

    assert office.get(src).data == kept  # the office sees every visit of its company
    assert office.get(f"{src}?size=thumb").status_code == 200
    for outsider in (colleague, stranger):
        for target in (src, f"{src}?size=thumb"):
            response = outsider.get(target)
            assert response.status_code == 404
            assert kept not in response.data


def test_a_text_file_renamed_jpg_is_refused_with_a_message(tech, admin, day: Day, files_dir):
    response = _photo(tech, day, b"Just some notes, not a picture.\n" * 10, "notes.jpg")

    assert response.status_code == 422
    assert "That file is not a photo. Upload a JPEG, PNG or WebP image." in html(response)
    assert files_of(admin, day.first) == []
    assert not files_dir.exists() or not any(p.is_file() for p in files_dir.rglob("*"))


def test_a_photo_over_10_mb_is_refused_and_a_large_one_under_it_is_kept(tech, admin, day: Day):
    too_large = _photo(tech, day, JPEG + b"\x00" * (10 * MB))  # inside the request's limit
    assert too_large.status_code == 422
    assert "The photo is larger than 10 MB." in html(too_large)
    assert files_of(admin, day.first) == []

    phone_sized = noise(2600, 1950)
    assert 2 * MB < len(phone_sized) < 10 * MB  # over the app's 2 MB forms
    assert _photo(tech, day, phone_sized).status_code == 302
    [kept] = files_of(admin, day.first)
    assert kept["byte_size"] < len(phone_sized)  # at most 2000 px wide, re-encoded


def test_an_upload_far_too_large_is_stopped_before_it_is_read(tech, admin, day: Day):
    response = _photo(tech, day, JPEG + b"\x00" * (12 * MB))

    assert response.status_code == 413
    assert "The photo is larger than 10 MB." in html(response)
    assert files_of(admin, day.first) == []


def test_choosing_no_photo_says_so(tech, day: Day):
    response = tech.submit(f"/my-day/visits/{day.first}/photos", {})

    assert response.status_code == 422
    assert "Choose or take a photo first." in html(response)


def test_notes_are_added_and_an_empty_one_is_refused(tech, admin, day: Day):
    added = tech.submit(f"/my-day/visits/{day.first}/notes", {"body": "  Filter was clogged.  "})
    empty = tech.submit(f"/my-day/visits/{day.first}/notes", {"body": "   "})

    assert added.status_code == 302
    assert empty.status_code == 422 and "Write the note first." in html(empty)
    notes = admin.execute(
        "select body, author_id from public.visit_notes where visit_id = %s", [day.first]
    ).fetchall()
    assert notes == [{"body": "Filter was clogged.", "author_id": day.tech.account_id}]
    assert "Filter was clogged." in html(tech.get(f"/my-day/visits/{day.first}"))


def _access_reads(admin) -> int:
    return admin.execute(
        "select count(*) as n from audit.changes where operation = 'access'"
    ).fetchone()["n"]


def test_a_refused_form_shows_the_gate_code_only_behind_a_link(tech, admin, day: Day):
    """A 422 page is rolled back: it must not show what it could not record as read."""
    before = _access_reads(admin)

    response = tech.submit(f"/my-day/visits/{day.first}/notes", {"body": ""})

    assert response.status_code == 422
    assert "4821" not in html(response)
    assert "Show the access notes" in html(response)
    assert _access_reads(admin) == before


@pytest.fixture
def tune_up(make: Factory, day: Day):
    """A maintenance visit of the first technician today; the database adds its checklist."""
    job = make.job(day.tenant.id, day.place, kind="maintenance", summary="Heating tune-up")
    return make.visit(day.tenant.id, job, at(today(), 16), technicians=(day.tech.account_id,))


def _items(admin, visit_id):
    return admin.execute(
        "select id, label, done_at, done_by from public.visit_checklist_items"
        " where visit_id = %s order by position",
        [visit_id],
    ).fetchall()


def test_the_checklist_of_a_maintenance_visit_is_ticked_and_unticked(tech, admin, tune_up):
    items = _items(admin, tune_up)
    page = html(tech.get(f"/my-day/visits/{tune_up}"))
    assert items and all(item["label"] in page for item in items)
    assert f"0 of {len(items)}" in page
    first = items[0]["id"]

    ticked = tech.submit(f"/my-day/checklist/{first}", {"done": "1"})
    assert ticked.status_code == 302
    assert _items(admin, tune_up)[0]["done_by"] is not None
    assert f"1 of {len(items)}" in html(tech.get(f"/my-day/visits/{tune_up}"))

    tech.submit(f"/my-day/checklist/{first}", {"done": "0"})
    assert (_items(admin, tune_up)[0]["done_at"], _items(admin, tune_up)[0]["done_by"]) == (
        None,
        None,
    )


def test_a_repair_visit_has_no_checklist(tech, day: Day):
    assert 'id="checklist"' not in html(tech.get(f"/my-day/visits/{day.first}"))


@pytest.mark.promise("P-02")
def test_another_technicians_checklist_is_not_found(app, admin, make: Factory, day: Day):
    job = make.job(day.tenant.id, day.place, kind="maintenance", summary="Cooling tune-up")
    theirs = make.visit(
        day.tenant.id, job, at(today(), 17), technicians=(day.other_tech.account_id,)
    )
    item = _items(admin, theirs)[0]["id"]
    tech = app.test_client()
    tech.sign_in(day.tech.email)

    response = tech.submit(f"/my-day/checklist/{item}", {"done": "1"})

    assert response.status_code == 404
    assert _items(admin, theirs)[0]["done_at"] is None


def test_the_checklist_is_closed_once_the_visit_is_completed(tech, admin, tune_up):
    for status in ("en_route", "on_site"):
        tech.submit(f"/my-day/visits/{tune_up}/status", {"status": status})
    tech.submit(
        f"/my-day/visits/{tune_up}/complete",
        {"not_available": "y", "unsigned_reason": "Nobody home"},
    )
    item = _items(admin, tune_up)[0]["id"]

    response = tech.submit(f"/my-day/checklist/{item}", {"done": "1"})

    assert response.status_code == 422
    assert "This visit is completed; its checklist is closed." in html(response)
    assert _items(admin, tune_up)[0]["done_at"] is None
