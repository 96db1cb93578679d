"""Reading CSV files as people export them from spreadsheets and other systems: a BOM or none,
UTF-8 or Windows-1252, commas, semicolons or tabs, quoted newlines, blank lines."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t")
MAX_ROWS = 200_000
# The largest file accepted (a 200,000-row export with many columns).
MAX_UPLOAD_BYTES = 40 * 1024 * 1024


class UnreadableFile(ValueError):
    """The upload cannot be read as a CSV file; the message says what to do."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # 'utf-8' or 'cp1252'


# What customer_imports.source_text may hold (its check constraint).
MAX_STORED_BYTES = 48 * 1024 * 1024


@dataclass(frozen=True)
class Record:
    line: int  # the file's line where the record starts (the header is line 1)
    cells: list[str]


def decode(data: bytes) -> Decoded:
    """UTF-8 (with or without a BOM), else Windows-1252, the usual spreadsheet export."""
    if b"\x00" in data:
        raise UnreadableFile("This file is not a CSV file. Save the spreadsheet as CSV and retry.")
    try:
        decoded = Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        decoded = Decoded(data.decode("cp1252", errors="replace"), "cp1252")
    # Windows-1252 grows when re-encoded (a euro sign takes 3 bytes): check the stored size.
    if len(decoded.text.encode()) > MAX_STORED_BYTES:
        raise UnreadableFile("This file is too large once converted to UTF-8. Split it in two.")
    return decoded


def _first_lines(text: str, count: int = 20) -> list[str]:
    lines: list[str] = []
    start = 0
    while start < len(text) and len(lines) < count:
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].strip():
            lines.append(text[start:end])
        start = end + 1
    return lines


def sniff_delimiter(text: str) -> str:
    """The delimiter appearing most often on one of the first lines (the header, even below a
    report's title lines), outside quotes; comma on a tie."""
    counts = dict.fromkeys(DELIMITERS, 0)
    for line in _first_lines(text):
        bare = re.sub(r'"[^"]*"', "", line)
        for d in DELIMITERS:
            counts[d] = max(counts[d], bare.count(d))
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def records(text: str, delimiter: str) -> Iterator[Record]:
    """Every non-blank record, header included, with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    line = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield Record(line, [cell.strip() for cell in cells])
        line = reader.line_num + 1


def read(text: str, delimiter: str) -> tuple[list[str], list[Record]]:
    """The header row and the data rows; raises UnreadableFile for an empty or huge file."""
    try:
        found = records(text, delimiter)
        header = next(found, None)
        rows = list(found)
    except csv.Error as error:
        raise UnreadableFile(f"This file is not valid CSV ({error}).") from error
    if header is None:
        raise UnreadableFile("The file is empty.")
    if not rows:
        raise UnreadableFile("The file has a header row but no customers under it.")
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(
            f"The file has {len(rows):,} rows; split it into files of at most {MAX_ROWS:,}."
        )
    return header.cells, rows
