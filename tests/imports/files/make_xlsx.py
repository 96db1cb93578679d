"""Writes the .xlsx fixtures from their CSV twins, as Excel keeps such sheets: ZIP codes and
amounts as numbers (01545 becomes 1545), dates as date cells. Run it after changing the CSVs:
`.venv/bin/python tests/imports/files/make_xlsx.py` (the .xlsx files are committed)."""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
FIXED_TIME = datetime.datetime(2026, 12, 6, 9, 15)  # so that the files do not change on each run


def _cell(text: str) -> object:
    """A number for digits and amounts, a date for ISO dates and the title's date, else text."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.date.fromisoformat(text)
    if re.fullmatch(r"Exported \d{2}/\d{2}/\d{4}", text):
        return datetime.datetime.strptime(text, "Exported %m/%d/%Y")
    if re.fullmatch(r"\d{1,5}", text):
        return int(text)
    if re.fullmatch(r"[\d,]+\.\d\d", text):
        return float(text.replace(",", ""))
    return text


def write(csv_name: str, sheet_title: str, *, notes_sheet: bool = False) -> None:
    workbook = Workbook()
    if notes_sheet:  # an empty first sheet: the reader takes the first sheet with data
        workbook.active.title = "Notes"
        sheet = workbook.create_sheet(sheet_title)
    else:
        sheet = workbook.active
        sheet.title = sheet_title
    with (HERE / csv_name).open(newline="", encoding="utf-8-sig") as file:
        for row_number, cells in enumerate(csv.reader(file), start=1):
            for column, text in enumerate(cells, start=1):
                if text:
                    sheet.cell(row_number, column, _cell(text))
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.save(HERE / csv_name.replace(".csv", ".xlsx"))


if __name__ == "__main__":
    write("title_line.csv", "Customers", notes_sheet=True)
    write("qbd_customers.csv", "Sheet1")
