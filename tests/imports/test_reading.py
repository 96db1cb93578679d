"""Reading uploads as offices save them: workbooks and CSV files in any encoding, the header found
below a report's title lines, and the title, total, footer and section rows left out with their
reason (app.imports.reading). The fixture files and their expected results are in files/."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from app.imports import reading
from app.imports.csvfile import MAX_ROWS, MAX_UPLOAD_BYTES, UnreadableFile

FILES = Path(__file__).parent / "files"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FILES / "expected.json").read_text())["files"]


def read(name: str) -> tuple[reading.Stored, reading.Sheet]:
    stored = reading.read_upload((FILES / name).read_bytes(), name)
    return stored, reading.read_stored(stored.text, stored.delimiter, stored.encoding)


def read_text(text: str) -> reading.Sheet:
    stored = reading.read_upload(text.encode(), "customers.csv")
    return reading.read_stored(stored.text, stored.delimiter, stored.encoding)


def workbook(rows: list[list[Any]], *, empty_first_sheet: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    if empty_first_sheet:
        sheet = book.create_sheet("Customers")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_reads_as_expected(name: str) -> None:
    expected = EXPECTED[name]
    stored, sheet = read(name)
    assert stored.encoding == expected["encoding"]
    assert sheet.header_line == expected["header_line"]
    assert [record.line for record in sheet.records] == expected["record_lines"]
    by_reading = [(e["line"], e["reason"]) for e in expected["left_out"] if e["by"] == "reading"]
    assert [(out.line, out.reason) for out in sheet.left_out] == by_reading


def test_title_lines_above_the_header_are_left_out_and_the_header_found() -> None:
    _, sheet = read("qbo_contact_list.csv")
    assert sheet.headers[:3] == ["Customer", "Phone Numbers", "Email"]
    titles = [(out.line, out.cells[0]) for out in sheet.left_out if out.reason == reading.TITLE]
    assert titles == [(1, "Acme Heating & Air"), (2, "Customer Contact List"), (3, "All Dates")]
    # a multi-line address cell stays one cell, and the records keep their file lines
    assert sheet.records[0].line == 6
    assert sheet.records[0].cells[4] == "418 Maple Ave\nSpringfield, IL 62704"


def test_quickbooks_desktop_sections_total_and_footer_are_left_out_but_job_rows_kept() -> None:
    _, sheet = read("qbd_customers.csv")
    reasons = {out.line: out.reason for out in sheet.left_out}
    assert reasons[5] == reasons[13] == reading.SECTION
    assert reasons[18] == reading.TOTAL
    assert reasons[20] == reading.FOOTER
    customers = [record.cells[2] for record in sheet.records]
    assert "Lee, Ann:Lake house" in customers
    assert "Riverside Dental Group, P.C.:Annex" in customers


@pytest.mark.parametrize(
    "row",
    [
        ["TOTAL", "", "1,855.00"],
        ["Total", "", ""],
        ["Grand total", "12", "$4,310.25"],
        ["Total customers: 8", "", ""],
        ["Total Residential", "", "(125.00)"],
    ],
)
def test_total_rows_are_left_out(row: list[str]) -> None:
    sheet = read_text(
        "Name,Phone,Balance\nAnn Lee,(217) 555-0142,0\n" + ",".join(f'"{c}"' for c in row)
    )
    assert [record.cells[0] for record in sheet.records] == ["Ann Lee"]
    assert [out.reason for out in sheet.left_out] == [reading.TOTAL]


@pytest.mark.parametrize(
    "row",
    [
        ["Total Comfort HVAC", "(217) 555-0142", "0"],
        ["Total Comfort HVAC", "", ""],
        ["Grand Total Heating LLC", "", "250.00 credit"],
    ],
)
def test_a_customer_whose_name_begins_with_total_is_kept(row: list[str]) -> None:
    sheet = read_text("Name,Phone,Balance\n" + ",".join(f'"{c}"' for c in row))
    assert [record.cells[0] for record in sheet.records] == [row[0]]
    assert sheet.left_out == []


@pytest.mark.parametrize(
    "footer",
    [
        "Accrual Basis",
        "Cash Basis",
        "Page 1 of 2",
        "Sunday, December 6, 2026 09:15 AM GMT-06:00",
        "Accrual Basis Sunday, December 6, 2026 09:15 AM GMT-06:00",
        "12/06/2026",
        "2026-12-06 09:15",
    ],
)
def test_report_footers_are_left_out(footer: str) -> None:
    sheet = read_text(f'Name,Phone\nAnn Lee,(217) 555-0142\n\n"{footer}"\n')
    assert [(out.line, out.reason) for out in sheet.left_out] == [(4, reading.FOOTER)]


def test_a_row_with_only_a_name_is_a_customer_not_a_section_or_a_footer() -> None:
    sheet = read_text(",Name,Phone\nResidential,,\n,Ann Lee,\n,Tom Reed,(217) 555-0166\n")
    assert [record.cells[1] for record in sheet.records] == ["Ann Lee", "Tom Reed"]
    assert [(out.line, out.reason) for out in sheet.left_out] == [(2, reading.SECTION)]


def test_blank_lines_are_neither_records_nor_reported() -> None:
    sheet = read_text("\n\nName,Phone\n\nAnn Lee,(217) 555-0142\n,\n\nTom Reed,\n\n")
    assert sheet.header_line == 3
    assert [(record.line, record.cells[0]) for record in sheet.records] == [
        (5, "Ann Lee"),
        (8, "Tom Reed"),
    ]
    assert sheet.left_out == []


def test_a_plain_file_keeps_its_first_row_as_header_even_with_digits() -> None:
    # no title above: the first row is the header, as it always was
    sheet = read_text("Name,Phone 1,Phone 2\nAnn Lee,(217) 555-0142,\n")
    assert sheet.headers == ["Name", "Phone 1", "Phone 2"]
    assert sheet.left_out == []


def test_a_file_without_a_header_like_row_is_read_from_its_first_row() -> None:
    # a one-cell first row followed by data: not sure it is a title, so nothing is dropped
    sheet = read_text("Customers\nAnn Lee,ann.lee@example.com\nTom Reed,tom.reed@example.com\n")
    assert sheet.headers == ["Customers"]
    assert len(sheet.records) == 2


def test_a_semicolon_file_below_a_title_line_is_split_on_semicolons() -> None:
    text = (
        "Acme Heating & Air, Inc.\nName;Email;Phone\nAnn Lee;ann.lee@example.com;(217) 555-0142\n"
    )
    stored = reading.read_upload(text.encode(), "customers.csv")
    assert stored.delimiter == ";"
    sheet = reading.read_stored(stored.text, stored.delimiter, stored.encoding)
    assert sheet.headers == ["Name", "Email", "Phone"]
    assert [out.reason for out in sheet.left_out] == [reading.TITLE]


# ------------------------------------------------------------------------------- encodings


def test_garbled_utf8_is_repaired_with_a_note() -> None:
    stored, sheet = read("mojibake.csv")
    assert stored.encoding == "utf-8"
    assert [record.cells[0] for record in sheet.records] == ["José García", "Zoë Müller", "Ann Lee"]
    assert sheet.records[0].cells[2] == "Likes the “quiet” unit"
    assert sheet.records[2].cells[2] == "It\u2019s the blue house"
    assert stored.notes == [
        "Accented letters garbled by an earlier conversion were repaired on 3 lines"
        " (for example “JosÃ©” → “José”)."
    ]


def test_text_that_only_looks_garbled_is_left_alone() -> None:
    # "Â" then a space, and a lone "Ã": no valid UTF-8 sequence behind them
    text = "Name,Notes\nAnn Lee,Â rate: Ã la carte\n"
    stored = reading.read_upload(text.encode(), "customers.csv")
    assert stored.text == text
    assert stored.notes == []


def test_mixed_utf8_and_windows_1252_lines_are_each_read_right() -> None:
    stored, sheet = read("mixed_encoding.csv")
    assert stored.encoding == "mixed"
    assert [record.cells[0] for record in sheet.records] == ["José García", "Zoë Müller", "Ann Lee"]
    assert stored.notes == [
        "This file mixes two encodings: 1 line read as UTF-8 and 1 line as Windows-1252."
        " Check the accented letters in the preview."
    ]


def test_windows_1252_file_is_read_with_a_note() -> None:
    stored = reading.read_upload("Name\r\nZoë Müller\r\nRené Côté\r\n".encode("cp1252"), "c.csv")
    assert stored.encoding == "cp1252"
    assert stored.text.splitlines()[1:] == ["Zoë Müller", "René Côté"]
    assert "Windows-1252" in stored.notes[0]


def test_old_mac_line_endings_are_lines() -> None:
    sheet = read_text("Name,Phone\rAnn Lee,(217) 555-0142\rTom Reed,\r")
    assert [(record.line, record.cells[0]) for record in sheet.records] == [
        (2, "Ann Lee"),
        (3, "Tom Reed"),
    ]


def test_a_bom_is_dropped() -> None:
    _, sheet = read("qbo_customers.csv")
    assert sheet.headers[0] == "Customer"


# ------------------------------------------------------------------------------- workbooks


def test_a_workbook_is_read_with_sheet_row_numbers_dates_and_numbers() -> None:
    stored, sheet = read("title_line.xlsx")
    assert stored.encoding == "xlsx"
    assert stored.delimiter == ","
    assert stored.notes == [
        "The workbook has 2 sheets: the first with data, “Customers”, was read."
    ]
    assert [(out.line, out.cells[0]) for out in sheet.left_out] == [
        (1, "Acme Heating & Air - Customer list"),
        (2, "2026-12-06"),
        (14, "Total customers: 8"),
    ]
    wei = next(record for record in sheet.records if record.cells[0] == "Wei")
    assert wei.line == 10
    assert wei.cells[7] == "1545"  # Excel kept the ZIP as a number: the planner restores it
    assert wei.cells[8] == "2023-02-14"


def test_a_workbook_keeps_newlines_blank_rows_and_formats_values() -> None:
    data = workbook(
        [
            ["Name", "Address", "Since", "Balance", "Rate", "Member"],
            [],
            [
                "Ann Lee",
                "418 Maple Ave\nSpringfield, IL 62704",
                datetime.date(2019, 5, 3),
                12.0,
                0.5,
                True,
            ],
            ["Tom Reed", None, datetime.datetime(2020, 1, 2, 14, 30), 0, None, False],
        ],
        empty_first_sheet=True,
    )
    assert data.startswith(b"PK\x03\x04")
    stored = reading.read_upload(data, "export.bin")  # recognised by its content, not its name
    sheet = reading.read_stored(stored.text, stored.delimiter, stored.encoding)
    assert [(record.line, record.cells) for record in sheet.records] == [
        (3, ["Ann Lee", "418 Maple Ave\nSpringfield, IL 62704", "2019-05-03", "12", "0.5", "TRUE"]),
        (4, ["Tom Reed", "", "2020-01-02 14:30", "0", "", "FALSE"]),
    ]


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "customers.csv", "The file is empty."),
        (b"  \r\n\r\n", "customers.csv", "The file is empty."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "customers.pdf", "not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "not a spreadsheet"),
        (b"Name\x00,Phone\x00\n", "customers.csv", "not a spreadsheet"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
            "customers.xlsx",
            "password-protected",
        ),
        (b"PK\x03\x04 not really a zip", "customers.xlsx", "could not be opened as an Excel"),
        (_zip({"hello.txt": b"hi"}), "customers.xlsx", "could not be opened as an Excel"),
        (b"Name,Phone\nAnn,1\n", "customers.xlsx", "damaged"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data: bytes, name: str, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        reading.read_upload(data, name)


def test_an_empty_workbook_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="The workbook is empty"):
        reading.read_upload(workbook([]), "customers.xlsx")


def test_a_file_with_a_header_but_no_rows_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="no rows under it"):
        read_text("Acme Heating & Air\nName,Phone\n\nTOTAL,\n")


def test_too_large_a_file_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="larger than 40 MB"):
        reading.read_upload(b"Name\n" + b"x" * MAX_UPLOAD_BYTES, "customers.csv")


def test_too_many_rows_are_refused_and_the_limit_is_accepted() -> None:
    rows = "".join(f"C{n},(217) 555-0142\n" for n in range(MAX_ROWS))
    stored = reading.read_upload(("Name,Phone\n" + rows).encode(), "customers.csv")
    sheet = reading.read_stored(stored.text, stored.delimiter, stored.encoding)
    assert len(sheet.records) == MAX_ROWS
    with pytest.raises(UnreadableFile, match="200,001 rows"):
        reading.read_upload(("Name,Phone\n" + rows + "Last,\n").encode(), "customers.csv")
