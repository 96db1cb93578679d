"""What is kept of a photo or a signature is the picture written anew, never the upload: no
GPS position or other metadata (P-14), upright, at most 2000 px, with a thumbnail for the
visit page; anything Pillow cannot decode, or that claims enormous dimensions, is refused in
words. A photo over the request's limit gets the visit page back with the message."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from app.integrations import files
from tests.technician.support import (
    JPEG,
    Day,
    decoded,
    files_of,
    html,
    noise,
    png,
    same_pixels,
    signature_data_url,
)

MB = 1024 * 1024
LATITUDE, LONGITUDE = (43.0, 4.0, 30.25), (89.0, 23.0, 1.5)  # 48 Lakeview Terrace, to the metre


def camera_photo() -> bytes:
    """A phone's photo: taken sideways (EXIF orientation 6: turn it clockwise to view), with
    where it was taken, the phone's make and a comment. Left half blue, right half red."""
    image = Image.new("RGB", (300, 200), "red")
    image.paste((0, 0, 255), (0, 0, 150, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: LATITUDE,
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: LONGITUDE,
        }
    )
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"Taken at 48 Lakeview Terrace")
    return out.getvalue()


def rgb(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    pixel = image.convert("RGB").getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


def png_claiming(width: int, height: int) -> bytes:
    """A few bytes that pass for a PNG and claim enormous dimensions (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + body + struct.pack(">I", zlib.crc32(body))
    idat_data = zlib.compress(b"\x00" * 1024)
    idat = (
        struct.pack(">I", len(idat_data))
        + b"IDAT"
        + idat_data
        + struct.pack(">I", zlib.crc32(b"IDAT" + idat_data))
    )
    return files.PNG + ihdr + idat + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _photo(client, visit_id, data: bytes, token: bool = True):
    form = {"photo": (io.BytesIO(data), "photo.jpg", "image/jpeg")}
    if token:
        form["csrf_token"] = client.csrf_token()
    return client.post(
        f"/my-day/visits/{visit_id}/photos", data=form, content_type="multipart/form-data"
    )


def _kept(admin, day: Day, files_dir: Path) -> tuple[dict, bytes, bytes]:
    """The photo's row, its file and its thumbnail's file."""
    [row] = files_of(admin, day.first)
    key = row["storage_key"]
    return row, (files_dir / key).read_bytes(), (files_dir / f"{key}.thumb.jpg").read_bytes()


def _nothing_kept(admin, day: Day, files_dir: Path) -> bool:
    on_disk = files_dir.exists() and any(p.is_file() for p in files_dir.rglob("*"))
    return files_of(admin, day.first) == [] and not on_disk


@pytest.mark.promise("P-14")
def test_a_photos_gps_position_and_other_metadata_are_not_kept(
    tech, admin, day: Day, files_dir: Path
):
    upload = camera_photo()
    assert decoded(upload).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the phone's, before

    assert _photo(tech, day.first, upload).status_code == 302

    row, kept, thumbnail = _kept(admin, day, files_dir)
    served = tech.get(f"/my-day/files/{row['id']}").data
    served_thumbnail = tech.get(f"/my-day/files/{row['id']}?size=thumb").data
    assert (served, served_thumbnail) == (kept, thumbnail)
    for data in (kept, thumbnail):
        image = decoded(data)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert not {"exif", "comment", "xmp", "icc_profile"} & set(image.info)
        assert b"Exif" not in data and b"PhoneMaker" not in data and b"Lakeview" not in data
    assert (row["content_type"], row["byte_size"]) == ("image/jpeg", len(kept))


def test_a_photo_taken_sideways_is_kept_upright(tech, admin, day: Day, files_dir: Path):
    _photo(tech, day.first, camera_photo())

    _, kept, thumbnail = _kept(admin, day, files_dir)
    upright = decoded(kept)
    assert upright.size == (200, 300)  # turned, as the phone showed it
    blue, red = rgb(upright, 100, 20), rgb(upright, 100, 280)
    assert blue[2] > 200 > blue[0] and red[0] > 200 > red[2]  # the left half is now on top
    assert decoded(thumbnail).size == (160, 240)


def test_a_large_photo_is_kept_at_2000_px_with_a_thumbnail_of_240(
    tech, admin, day: Day, files_dir: Path
):
    upload = noise(3000, 1500)

    assert _photo(tech, day.first, upload).status_code == 302

    row, kept, thumbnail = _kept(admin, day, files_dir)
    assert decoded(kept).size == (2000, 1000)
    assert row["storage_key"].startswith(f"{day.tenant.id}/visits/{day.first}/")
    served = tech.get(f"/my-day/files/{row['id']}?size=thumb")
    assert (served.status_code, served.mimetype) == (200, "image/jpeg")
    assert served.data == thumbnail
    assert decoded(served.data).size == (240, 120)
    assert len(served.data) < 64 * 1024 < len(kept)  # what the visit page downloads per photo
    full = f"/my-day/files/{row['id']}"
    page = html(tech.get(f"/my-day/visits/{day.first}"))
    assert f'<a href="{full}"><img src="{full}?size=thumb"' in page  # the whole photo a tap away


def test_a_photo_without_a_thumbnail_is_served_whole(tech, admin, day: Day, files_dir: Path):
    """Photos kept before thumbnails existed still show on the visit page."""
    _photo(tech, day.first, JPEG)
    row, kept, _ = _kept(admin, day, files_dir)
    (files_dir / f"{row['storage_key']}.thumb.jpg").unlink()

    served = tech.get(f"/my-day/files/{row['id']}?size=thumb")

    assert (served.status_code, served.data, served.mimetype) == (200, kept, "image/jpeg")


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_a_transparent_png_is_kept_on_white(tech, admin, day: Day, files_dir: Path, mode):
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))  # transparent...
    image.paste((0, 128, 0, 255), (0, 0, 20, 40))  # ...but for a green left half
    out = io.BytesIO()
    (image if mode == "RGBA" else image.convert("P")).save(out, "PNG")

    assert _photo(tech, day.first, out.getvalue()).status_code == 302

    _, kept, _ = _kept(admin, day, files_dir)
    flat = decoded(kept)
    assert min(rgb(flat, 35, 20)) > 240  # white
    green = rgb(flat, 5, 20)
    assert green[1] > 100 and max(green[0], green[2]) < 40


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's, as we refuse
@pytest.mark.parametrize(
    "upload",
    [
        png_claiming(8000, 6000),  # 48 megapixels
        png_claiming(100_000, 100_000),  # far beyond Pillow's own guard
    ],
    ids=["48-megapixels", "10-gigapixels"],
)
def test_an_image_of_enormous_dimensions_is_refused_unread(
    tech, admin, day: Day, files_dir: Path, upload
):
    response = _photo(tech, day.first, upload)

    assert response.status_code == 422
    assert "That image is too large to open (more than 40 megapixels)." in html(response)
    assert _nothing_kept(admin, day, files_dir)


@pytest.mark.parametrize(
    "upload",
    [
        b"\xff\xd8\xff\xe0" + b"not really a JPEG" * 20,
        noise(400, 300)[:6000],  # cut off half-way
        png(2, 2)[:40] + b"\x00" * 64,
        b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64,
    ],
    ids=["jpeg", "truncated-jpeg", "png", "webp"],
)
def test_a_file_that_starts_like_a_photo_but_does_not_decode_is_refused(
    tech, admin, day: Day, files_dir: Path, upload
):
    assert files.sniff(upload) is not None  # it passes the first gate

    response = _photo(tech, day.first, upload)

    assert response.status_code == 422
    assert "That photo could not be read. Take it again or choose another one." in html(response)
    assert _nothing_kept(admin, day, files_dir)


def test_a_photo_just_over_the_request_limit_gets_the_visit_page_with_the_message(
    tech, admin, day: Day, files_dir: Path
):
    just_over = JPEG + b"\x00" * (10 * MB + 100 * 1024)

    for token in (True, False):  # refused before the form is read, token or not
        response = _photo(tech, day.first, just_over, token=token)

        assert response.status_code == 413
        page = html(response)
        assert "Dana Reyes" in page and 'id="photos"' in page  # the visit page
        assert '<p class="error" id="photo-error">The photo is larger than 10 MB.</p>' in page
        assert "4821" not in page  # a refusal's page keeps the gate code behind its link
        assert _nothing_kept(admin, day, files_dir)


def test_a_photo_over_the_limit_on_a_visit_one_may_not_see_is_not_found(app, day: Day):
    colleague = app.test_client()
    colleague.sign_in(day.other_tech.email)
    signed_out = app.test_client()
    just_over = JPEG + b"\x00" * (11 * MB)

    hidden = _photo(colleague, day.first, just_over)
    assert hidden.status_code == 404
    assert "Dana Reyes" not in html(hidden)

    response = _photo(signed_out, day.first, just_over, token=False)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# --- signatures ---------------------------------------------------------------------------


def _on_site(tech, day: Day) -> None:
    for status in ("en_route", "on_site"):
        tech.submit(f"/my-day/visits/{day.first}/status", {"status": status})


def test_a_signature_is_kept_as_a_png_without_its_metadata(tech, admin, day: Day, files_dir: Path):
    drawing = Image.new("RGBA", (120, 60), (255, 255, 255, 0))
    drawing.paste((22, 32, 43, 255), (10, 25, 110, 30))
    notes = PngImagePlugin.PngInfo()
    notes.add_text("Author", "Signed at 48 Lakeview Terrace")
    out = io.BytesIO()
    drawing.save(out, "PNG", pnginfo=notes, dpi=(144, 144))
    signed = out.getvalue()
    _on_site(tech, day)

    response = tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {"signed_by": "Dana Reyes", "signature": signature_data_url(signed)},
    )

    assert response.status_code == 302, html(response)
    [row] = files_of(admin, day.first)
    kept = (files_dir / row["storage_key"]).read_bytes()
    assert decoded(kept).format == "PNG" and row["content_type"] == "image/png"
    assert same_pixels(kept, signed)
    assert b"Lakeview" not in kept and b"tEXt" not in kept and b"pHYs" not in kept
    assert not {"Author", "dpi"} & set(decoded(kept).info)
    assert not (files_dir / f"{row['storage_key']}.thumb.jpg").exists()  # photos only


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (png(2, 2)[:40] + b"\x00" * 64, files.UNREADABLE_SIGNATURE),
        (png_claiming(5000, 5000), files.SIGNATURE_TOO_LARGE),
    ],
    ids=["undecodable", "enormous"],
)
def test_a_signature_that_does_not_decode_or_is_enormous_is_refused(
    tech, admin, day: Day, files_dir: Path, signature, message
):
    _on_site(tech, day)

    response = tech.submit(
        f"/my-day/visits/{day.first}/complete",
        {"signed_by": "Dana Reyes", "signature": signature_data_url(signature)},
    )

    assert response.status_code == 422
    assert message in html(response)
    assert _nothing_kept(admin, day, files_dir)
