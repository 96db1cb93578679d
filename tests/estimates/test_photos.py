"""An estimate's photos from its job's visits: the office ticks which ones (at most 12), in
which order, with captions, while it is a draft; the database refuses a photo of another job
or company and any change once sent; a revision copies them; the homeowner's page shows them
through the link (and only them), and both PDFs carry them, made small."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from flask import Flask
from PIL import Image

from app.db import Connection
from app.integrations import files
from tests.conftest import Client, TestDatabase
from tests.estimates.test_estimates import Office, add_line, options_of, start, text
from tests.estimates.test_links import opened
from tests.estimates.test_pdf import images_in, pdf_text
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of
from tests.technician.support import at, noise, today


@pytest.fixture
def office(make: Factory, client: Client) -> Office:
    return Office(make, client)


def photos_on_the_job(app: Flask, make: Factory, office: Office, count: int) -> list[UUID]:
    """`count` photos taken on a visit of the office's job, their files stored as a phone's
    photo is kept (2000 px on the long side)."""
    visit = make.visit(office.tenant.id, office.job)
    return [stored_photo(app, make, office.tenant.id, visit, n) for n in range(count)]


def stored_photo(app: Flask, make: Factory, tenant_id: UUID, visit: UUID, n: int = 0) -> UUID:
    """A photo of the visit, each `n` a different picture."""
    photo = make.visit_photo(tenant_id, visit)
    row = make.conn.execute("select storage_key from public.visit_files where id = %s", [photo])
    key = row.fetchone()["storage_key"]  # type: ignore[index]
    files.for_settings(app.config["PLENUM"]).put(key, noise(2000, 1500 - n), "image/jpeg")
    return photo


def choose(client: Client, estimate: UUID, entries: list[dict[str, Any]]) -> Any:
    """The photos form as the browser sends it: every listed photo, ticked or not."""
    data: dict[str, str] = {}
    for index, entry in enumerate(entries):
        prefix = f"photos-{index}-"
        data[prefix + "file_id"] = str(entry["file_id"])
        data[prefix + "position"] = str(entry.get("position", ""))
        data[prefix + "caption"] = entry.get("caption", "")
        if entry.get("chosen", True):
            data[prefix + "chosen"] = "y"
    return client.submit(f"/estimates/{estimate}/photos", data)


def shown(admin: Connection, estimate: UUID) -> list[tuple[UUID, int, str]]:
    rows = admin.execute(
        "select file_id, position, caption from public.estimate_photos where estimate_id = %s"
        " order by position",
        [estimate],
    ).fetchall()
    return [(r["file_id"], r["position"], r["caption"]) for r in rows]


def sent_with_photos(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> tuple[UUID, str, list[UUID]]:
    """A sent estimate of the job showing two of its three photos; its id, token and photos."""
    photos = photos_on_the_job(app, make, office, 3)
    estimate = start(client, office)
    add_line(client, options_of(admin, estimate)["Recommended"], 0)
    response = choose(
        client,
        estimate,
        [
            {"file_id": photos[0], "position": 2, "caption": "The cracked heat exchanger"},
            {"file_id": photos[1], "position": 1, "caption": "Rust on the burners"},
            {"file_id": photos[2], "chosen": False},
        ],
    )
    assert response.status_code == 302, text(response)
    response = client.submit(f"/estimates/{estimate}/send", {"to": ""})
    assert response.status_code == 302
    with client.session_transaction() as kept:
        token = str(kept["estimate_link_shown"][1]).rsplit("/", 1)[1]
    return estimate, token, photos


def test_the_office_chooses_orders_captions_and_leaves_out_photos(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    photos = photos_on_the_job(app, make, office, 3)
    estimate = start(client, office)
    page = text(client.get(f"/estimates/{estimate}"))
    for photo in photos:  # each with its thumbnail, none ticked yet
        assert f"/my-day/files/{photo}?size=thumb" in page
    assert "checked" not in page.split('id="photos"')[1].split("</section>")[0]

    response = choose(
        client,
        estimate,
        [
            {"file_id": photos[0], "position": 2, "caption": "  Second  "},
            {"file_id": photos[1], "position": 1, "caption": "First"},
            {"file_id": photos[2], "chosen": False, "caption": "not shown"},
        ],
    )
    assert response.status_code == 302, text(response)
    assert shown(admin, estimate) == [(photos[1], 0, "First"), (photos[0], 1, "Second")]
    # The page lists them in their order, ticked, the others after.
    page = text(client.get(f"/estimates/{estimate}"))
    order = [UUID(m) for m in re.findall(r"/my-day/files/([0-9a-f-]{36})\?size=thumb", page)]
    assert order == [photos[1], photos[0], photos[2]]

    # Reordered (no place given keeps the listed order) and one left out.
    choose(
        client,
        estimate,
        [
            {"file_id": photos[2], "caption": "Now shown"},
            {"file_id": photos[1], "chosen": False},
            {"file_id": photos[0], "caption": "Second"},
        ],
    )
    assert shown(admin, estimate) == [(photos[2], 0, "Now shown"), (photos[0], 1, "Second")]
    choose(client, estimate, [{"file_id": p, "chosen": False} for p in photos])
    assert shown(admin, estimate) == []


def test_bad_choices_are_refused_with_a_message_and_change_nothing(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    photos = photos_on_the_job(app, make, office, 13)
    estimate = start(client, office)
    choose(client, estimate, [{"file_id": photos[0], "caption": "Kept"}])

    too_many = choose(client, estimate, [{"file_id": p} for p in photos])
    assert too_many.status_code == 422 and "Choose at most 12 photos." in text(too_many)
    long_caption = choose(client, estimate, [{"file_id": photos[1], "caption": "x" * 201}])
    assert long_caption.status_code == 422 and "At most 200 characters." in text(long_caption)
    bad_place = choose(client, estimate, [{"file_id": photos[1], "position": "0"}])
    assert bad_place.status_code == 422 and "Enter a place from 1 to 99." in text(bad_place)
    # A photo of another job of the company: not among the job's, refused before the database.
    other_job = make.job(office.tenant.id, office.property, summary="Another job")
    other = stored_photo(app, make, office.tenant.id, make.visit(office.tenant.id, other_job))
    foreign = choose(client, estimate, [{"file_id": other}])
    assert foreign.status_code == 422 and "reload it" in text(foreign)
    assert shown(admin, estimate) == [(photos[0], 0, "Kept")]


def test_an_estimate_without_a_job_offers_no_photos(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    photos_on_the_job(app, make, office, 1)
    estimate = start(client, office, property_id=str(office.property))
    page = text(client.get(f"/estimates/{estimate}"))
    assert "made without a job, so there are no visit photos" in page
    assert "/my-day/files/" not in page


def test_the_database_shows_only_photos_of_the_estimates_own_job(
    make: Factory, admin: Connection
) -> None:
    tenant, other_company = make.tenant(), make.tenant()
    prop = make.property(tenant.id, make.customer(tenant.id))
    job, other_job = make.job(tenant.id, prop), make.job(tenant.id, prop)
    visit = make.visit(tenant.id, job)
    estimate = make.estimate(tenant.id, prop, job)
    jobless = make.estimate(tenant.id, prop)
    own = make.visit_photo(tenant.id, visit)
    signature = make.visit_photo(tenant.id, visit, kind="signature")
    other_jobs = make.visit_photo(tenant.id, make.visit(tenant.id, other_job))
    theirs_prop = make.property(other_company.id, make.customer(other_company.id))
    theirs = make.visit_photo(
        other_company.id, make.visit(other_company.id, make.job(other_company.id, theirs_prop))
    )
    insert = (
        "insert into public.estimate_photos (tenant_id, estimate_id, file_id, position)"
        " values (%s, %s, %s, %s)"
    )
    refusals = [
        (estimate, other_jobs, "estimate_photos_from_the_job"),
        (estimate, signature, "estimate_photos_from_the_job"),
        (jobless, own, "estimate_photos_from_the_job"),
        (estimate, theirs, "estimate_photos_tenant_id_file_id_fkey"),
    ]
    for target, photo, constraint in refusals:
        with pytest.raises(psycopg.errors.IntegrityError) as refused, admin.transaction():
            admin.execute(insert, [tenant.id, target, photo, 0])
        assert refused.value.diag.constraint_name == constraint
    with pytest.raises(psycopg.errors.CheckViolation), admin.transaction():
        admin.execute(insert, [tenant.id, estimate, own, 12])  # a 13th place
    admin.execute(insert, [tenant.id, estimate, own, 0])
    with pytest.raises(psycopg.errors.UniqueViolation), admin.transaction():
        admin.execute(insert, [tenant.id, estimate, own, 1])  # the same photo twice


def test_a_sent_estimate_keeps_its_photos_and_a_revision_copies_them(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    estimate, _, photos = sent_with_photos(app, client, office, admin, make)
    before = shown(admin, estimate)
    assert client.submit(f"/estimates/{estimate}/photos", {}).status_code == 409
    refusals = [
        "delete from public.estimate_photos where estimate_id = %(e)s",
        "update public.estimate_photos set caption = 'Changed' where estimate_id = %(e)s",
        "insert into public.estimate_photos (tenant_id, estimate_id, file_id, position)"
        " values (%(t)s, %(e)s, %(p)s, 5)",
    ]
    for statement in refusals:
        with pytest.raises(psycopg.errors.CheckViolation) as refused, admin.transaction():
            admin.execute(statement, {"e": estimate, "t": office.tenant.id, "p": photos[2]})
        assert refused.value.diag.constraint_name == "estimates_draft_only"
    assert shown(admin, estimate) == before

    response = client.submit(f"/estimates/{estimate}/revise")
    revision = UUID(response.headers["Location"].rsplit("/", 1)[1].split("#")[0])
    assert shown(admin, revision) == before
    # The photo's removal from its visit takes it out of every estimate, sent or not.
    admin.execute("delete from public.visit_files where id = %s", [photos[1]])
    assert [p for p, _, _ in shown(admin, estimate)] == [photos[0]]
    assert [p for p, _, _ in shown(admin, revision)] == [photos[0]]


def test_the_office_page_shows_a_sent_estimates_photos(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    estimate, _, photos = sent_with_photos(app, client, office, admin, make)
    page = text(client.get(f"/estimates/{estimate}"))
    sources = re.findall(r'<img src="/my-day/files/([0-9a-f-]{36})"', page)
    assert [UUID(s) for s in sources] == [photos[1], photos[0]]
    assert "Rust on the burners" in page and "The cracked heat exchanger" in page


@pytest.mark.promise("P-01")
def test_the_link_shows_its_photos_and_serves_no_other_estimates(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    estimate, token, _ = sent_with_photos(app, client, office, admin, make)
    other, other_token, _ = sent_with_photos(app, client, office, admin, make)
    ids = [
        r["id"]
        for r in admin.execute(
            "select id from public.estimate_photos where estimate_id = %s order by position",
            [estimate],
        )
    ]
    others = [
        r["id"]
        for r in admin.execute(
            "select id from public.estimate_photos where estimate_id = %s", [other]
        )
    ]
    homeowner = opened(app, token)
    page = text(homeowner.get(f"/estimate/view/{estimate}"))
    sources = re.findall(rf'<img src="/estimate/view/{estimate}/photos/([0-9a-f-]{{36}})"', page)
    assert [UUID(s) for s in sources] == ids
    assert "Rust on the burners" in page and "The cracked heat exchanger" in page
    assert token not in page

    photo = homeowner.get(f"/estimate/view/{estimate}/photos/{ids[0]}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Referrer-Policy"] == "no-referrer"
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert max(Image.open(io.BytesIO(photo.data)).size) == files.DOCUMENT_PHOTO_SIDE

    # Another estimate's photo: not through this link, whichever estimate the URL names.
    assert homeowner.get(f"/estimate/view/{estimate}/photos/{others[0]}").status_code == 404
    assert homeowner.get(f"/estimate/view/{other}/photos/{others[0]}").status_code == 404
    # Its own holder gets it; a browser that never opened a link gets nothing.
    assert (
        opened(app, other_token).get(f"/estimate/view/{other}/photos/{others[0]}").status_code
        == 200
    )
    assert app.test_client().get(f"/estimate/view/{estimate}/photos/{ids[0]}").status_code == 404
    # Another company's photo, through this link: nothing, in the route or the definer.
    elsewhere = make.tenant()
    prop = make.property(elsewhere.id, make.customer(elsewhere.id))
    job = make.job(elsewhere.id, prop)
    their_estimate = make.estimate(elsewhere.id, prop, job)
    their_photo = admin.execute(
        "insert into public.estimate_photos (tenant_id, estimate_id, file_id, position)"
        " values (%s, %s, %s, 0) returning id",
        [
            elsewhere.id,
            their_estimate,
            make.visit_photo(elsewhere.id, make.visit(elsewhere.id, job)),
        ],
    ).fetchone()["id"]  # type: ignore[index]
    assert homeowner.get(f"/estimate/view/{estimate}/photos/{their_photo}").status_code == 404
    answer = "select count(*) as n from app.estimate_photo_by_link(%s, %s)"
    assert admin.execute(answer, [token, their_photo]).fetchone() == {"n": 0}
    assert admin.execute(answer, [token, ids[0]]).fetchone() == {"n": 1}
    # A withdrawn link serves no photo any more.
    admin.execute(
        "update public.estimate_links set revoked_at = now() where estimate_id = %s", [estimate]
    )
    assert homeowner.get(f"/estimate/view/{estimate}/photos/{ids[0]}").status_code == 404


def test_both_pdfs_carry_the_photos_made_small(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    estimate, token, _ = sent_with_photos(app, client, office, admin, make)
    office_pdf = client.get(f"/estimates/{estimate}/estimate.pdf")
    homeowner_pdf = opened(app, token).get(f"/estimate/view/{estimate}/estimate.pdf")
    for response in (office_pdf, homeowner_pdf):
        assert response.status_code == 200
        assert images_in(response.data) == 2  # the two photos shown (no logo, no signature)
        words = pdf_text(response.data)
        assert "Photos from the visit" in words
        assert words.index("Rust on the burners") < words.index("The cracked heat exchanger")
        # Two 2000 px photos of noise (over 2 MB each as stored) make a PDF of about 0.2 MB.
        assert len(response.data) < 600_000, len(response.data)


@pytest.mark.promise("P-02")
def test_technicians_see_the_photos_of_their_own_jobs_estimates_only(
    database: TestDatabase, make: Factory, admin: Connection
) -> None:
    tenant = make.tenant()
    tech = make.member(tenant.id, "technician")
    prop = make.property(tenant.id, make.customer(tenant.id))
    mine, theirs = make.job(tenant.id, prop), make.job(tenant.id, prop)
    admin.execute(  # every day, so that the visit below can be booked whatever today is
        "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
        " ends_at) select %s, %s, d, '00:00', '23:59' from generate_series(1, 7) d",
        [tenant.id, tech.account_id],
    )
    tomorrow = at(today() + timedelta(days=1), 12)
    own_visit = make.visit(tenant.id, mine, tomorrow, technicians=(tech.account_id,))
    their_visit = make.visit(tenant.id, theirs)
    own = make.estimate(tenant.id, prop, mine)
    their = make.estimate(tenant.id, prop, theirs)
    own_photo = make.visit_photo(tenant.id, own_visit)
    their_photo = make.visit_photo(tenant.id, their_visit)
    admin.execute(
        "insert into public.estimate_photos (tenant_id, estimate_id, file_id, position)"
        " values (%s, %s, %s, 0), (%s, %s, %s, 0)",
        [tenant.id, their, their_photo, tenant.id, own, own_photo],
    )
    with acting_as(database, claims_of(tech)) as conn:
        seen = conn.execute("select estimate_id from public.estimate_photos").fetchall()
        assert [r["estimate_id"] for r in seen] == [own]
        changed = conn.execute(
            "update public.estimate_photos set caption = 'Seen on site'"
        ).rowcount
        assert changed == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into public.estimate_photos (tenant_id, estimate_id, file_id, position)"
                " values (%s, %s, %s, 1)",
                [tenant.id, their, their_photo],
            )
