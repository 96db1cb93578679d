"""Workbooks that would cost more than they are worth are refused with a reason, before they
are unpacked: a small file that unpacks to hundreds of megabytes, a sheet thousands of columns
wide, a damaged part. Nothing is stored and no error page is shown."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from app.imports import workbook
from app.imports.csvfile import UnreadableFile
from tests.imports.support import text, upload


def _workbook(rows: int, columns: int, value: str = "x") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for _ in range(rows):
        sheet.append([value] * columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_that_unpacks_to_far_more_than_it_packs_is_refused():
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_workbook(rows=2, columns=2))) as original,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in original.infolist():
            copy.writestr(info, original.read(info.filename))
        copy.writestr("xl/media/padding.bin", b"\0" * (64 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024  # a small upload

    with pytest.raises(UnreadableFile, match="too large once unpacked"):
        workbook.read(bomb.getvalue())


def test_a_sheet_wider_than_the_limit_is_refused():
    with pytest.raises(UnreadableFile, match="more than 500 columns"):
        workbook.read(_workbook(rows=2, columns=600, value="Ann"))


def test_a_damaged_workbook_is_refused_on_the_page_and_nothing_is_stored(office, admin, company):
    source = io.BytesIO(_workbook(rows=3, columns=3))
    damaged = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(damaged, "w") as copy:
        for info in original.infolist():
            body = original.read(info.filename)
            copy.writestr(
                info, body[: len(body) // 2] if info.filename.endswith("styles.xml") else body
            )

    response = upload(office, damaged.getvalue(), "customers.xlsx")

    assert response.status_code == 422
    assert "could not" in text(response) and "workbook" in text(response)
    assert admin.execute("select count(*) as n from public.customer_imports").fetchone() == {"n": 0}
