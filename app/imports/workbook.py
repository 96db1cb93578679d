"""Excel workbooks (.xlsx), read with openpyxl as their cells show: dates as ISO dates, whole
numbers without ".0", newlines inside cells kept."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from app.imports.csvfile import MAX_ROWS, UnreadableFile

# Rows a sheet may have beyond the limit: a report's title lines, blank rows, its footer.
SLACK_ROWS = 30


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
        cells = [_cell_text(value) for value in row]
        while cells and not cells[-1].strip():
            cells.pop()
        yield cells


def read(data: bytes) -> tuple[str, list[str]]:
    """The first sheet with data as CSV text (one record per sheet row, blank rows included, so
    that a record's number is its row's), and notes for the office."""
    from openpyxl import load_workbook  # only when a workbook comes

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
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
