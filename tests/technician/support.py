"""What the technician tests share: a day of visits, local times, and looks behind the app."""

from __future__ import annotations

import base64
import io
import random
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from PIL import Image

from app import crypto
from app.db import Connection
from tests.factories import Factory, Member, Tenant

ZONE = ZoneInfo("America/New_York")  # the factories' companies keep the default zone
KEY = b"\x01" * 32  # the test app's encryption key (tests/conftest.py)
GATE_CODE = "Gate 4821#, dog is friendly"


def picture(
    width: int = 64, height: int = 48, kind: str = "JPEG", colour: str = "orange", **options: Any
) -> bytes:
    """A real image of one colour, as a phone or a camera app would save it."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, kind, **options)
    return out.getvalue()


def noise(width: int, height: int) -> bytes:
    """A JPEG of random pixels: it compresses badly, so it is as large as a phone's photo."""
    out = io.BytesIO()
    pixels = random.Random(width * height).randbytes(width * height * 3)
    Image.frombytes("RGB", (width, height), pixels).save(out, "JPEG", quality=85)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def same_pixels(first: bytes, second: bytes) -> bool:
    """Two PNGs show the same picture, whatever else their files hold."""
    one, other = decoded(first).convert("RGBA"), decoded(second).convert("RGBA")
    return one.size == other.size and one.tobytes() == other.tobytes()


JPEG = picture()


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (solid grey), made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def today() -> date:
    return datetime.now(ZONE).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time of the company on `day`."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def works_every_day(admin: Connection, tenant_id: UUID, technician_id: UUID) -> None:
    """Working hours 6am to 10pm on all seven days, so that tests run on any day of the week."""
    admin.execute(
        "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at, ends_at)"
        " select %s, %s, d, '06:00', '22:00' from generate_series(1, 7) d",
        [tenant_id, technician_id],
    )


@dataclass(frozen=True)
class Day:
    tenant: Tenant
    tech: Member
    other_tech: Member
    customer: UUID
    place: UUID
    furnace: UUID
    job: UUID
    first: UUID  # 9 to 11am today, the first technician's, about the furnace
    second: UUID  # 1 to 3pm today, the first technician's
    others: UUID  # 10am today, the other technician's


def make_day(make: Factory) -> Day:
    tenant = make.tenant("Polar Air")
    tech, other_tech = make.member(tenant.id, "technician"), make.member(tenant.id, "technician")
    for member in (tech, other_tech):
        works_every_day(make.conn, tenant.id, member.account_id)
    customer = make.customer(tenant.id, "Dana", "Reyes", phone="+13125550142")
    place = make.property(tenant.id, customer, street="48 Lakeview Terrace", city="Madison")
    make.conn.execute(
        "update public.properties set access_notes_encrypted = %s where id = %s",
        [crypto.encrypt(GATE_CODE, key=KEY), place],
    )
    furnace = make.equipment(tenant.id, place)
    job = make.job(tenant.id, place, summary="Furnace will not light", equipment_ids=(furnace,))
    second_job = make.job(tenant.id, place, kind="install", summary="New thermostat")
    other_customer = make.customer(tenant.id, "Sam", "Other")
    other_place = make.property(tenant.id, other_customer, street="9 Hidden Lane")
    other_job = make.job(tenant.id, other_place, summary="Someone else's job")
    # The afternoon visit is made first: the page's order must come from the windows.
    second = make.visit(tenant.id, second_job, at(today(), 13), technicians=(tech.account_id,))
    first = make.visit(tenant.id, job, at(today(), 9), technicians=(tech.account_id,))
    others = make.visit(tenant.id, other_job, at(today(), 10), technicians=(other_tech.account_id,))
    return Day(tenant, tech, other_tech, customer, place, furnace, job, first, second, others)


def html(response: Any) -> str:
    return response.get_data(as_text=True)


def visit_row(admin: Connection, visit_id: UUID) -> dict[str, Any]:
    row = admin.execute("select * from public.visits where id = %s", [visit_id]).fetchone()
    assert row is not None
    return row


def files_of(admin: Connection, visit_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select * from public.visit_files where visit_id = %s order by created_at", [visit_id]
    ).fetchall()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> Any:
    return (io.BytesIO(data), name, content_type)


def signature_data_url(data: bytes | None = None) -> str:
    return "data:image/png;base64," + base64.b64encode(data or png(40, 20)).decode()
