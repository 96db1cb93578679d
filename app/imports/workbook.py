"""Excel workbooks (.xlsx), read with openpyxl as their cells show: dates as ISO dates, whole
numbers without ".0", newlines inside cells kept."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from app.imports.csvfile import MAX_ROWS, MAX_STORED_BYTES, UnreadableFile

# Rows a sheet may have beyond the limit: a report's title lines, blank rows, its footer.
SLACK_ROWS = 30
# A workbook is a zip: what it unpacks to is bounded before openpyxl reads it (a small file
# that unpacks to gigabytes is refused, not read), and so is what a sheet becomes as text.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200
MAX_COLUMNS = 500
TOO_LARGE = (
    "This workbook is too large once unpacked. Split it into smaller files, or save it as CSV."
)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[str]]:
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS + SLACK_ROWS:
            raise UnreadableFile(
                f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
            )
        if len(row) > MAX_COLUMNS and any(v is not None for v in row[MAX_COLUMNS:]):
            raise UnreadableFile(f"The sheet has more than {MAX_COLUMNS} columns.")
        cells = [_cell_text(value) for value in row[:MAX_COLUMNS]]
        while cells and not cells[-1].strip():
            cells.pop()
        yield cells


def _check_unpacked(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to too much, or far more than they pack."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(
            "This file could not be opened as an Excel workbook (.xlsx): it may be damaged."
            " Open it in Excel and save it again, or save it as CSV."
        ) from error
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(len(data), 1):
        raise UnreadableFile(TOO_LARGE)


def read(data: bytes) -> tuple[str, list[str]]:
    """The first sheet with data as CSV text (one record per sheet row, blank rows included, so
    that a record's number is its row's), and notes for the office."""
    from openpyxl import load_workbook  # only when a workbook comes

    _check_unpacked(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged part raises anything from zip, XML or openpyxl
        raise UnreadableFile(
            "This file could not be opened as an Excel workbook (.xlsx): it may be damaged or"
            " password-protected. Open it in Excel and save it again, or save it as CSV."
        ) from error
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # some programs write a wrong size; read every row
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            filled = False
            for cells in _sheet_rows(sheet.iter_rows(values_only=True)):
                filled = filled or any(cell.strip() for cell in cells)
                writer.writerow(cells)
                if out.tell() > MAX_STORED_BYTES:
                    raise UnreadableFile(TOO_LARGE)
            if filled:
                notes = []
                if len(workbook.worksheets) > 1:
                    notes.append(
                        f"The workbook has {len(workbook.worksheets)} sheets: the first with data,"
                        f" “{sheet.title}”, was read."
                    )
                return out.getvalue(), notes
    except UnreadableFile:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged part of the file
        raise UnreadableFile(
            "This workbook could not be read: it may be damaged. Open it in Excel and save it"
            " again, or save it as CSV."
        ) from error
    finally:
        workbook.close()
    raise UnreadableFile("The workbook is empty.")
