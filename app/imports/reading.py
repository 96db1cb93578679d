"""Reading an upload as the office saved it: an Excel workbook or a CSV file in any of the
encodings spreadsheets write (and the mixed or twice-converted text some systems produce), then
finding the table in it: the header row below a report's title lines, and the total, footer and
section rows that are not records.

`read_upload` turns the upload into the text the import keeps (`customer_imports.source_text`,
an .xlsx sheet as CSV); `read_stored` reads that text into the header and the records."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from app.imports import csvfile, encodings, workbook
from app.imports.csvfile import MAX_ROWS, MAX_STORED_BYTES, MAX_UPLOAD_BYTES, Record, UnreadableFile
from app.imports.plan import LeftOut

XLSX_MAGIC = b"PK\x03\x04"
# An encrypted (password-protected) .xlsx and an old .xls are both OLE compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TITLE = "Report title above the header row"
TOTAL = "Total row"
FOOTER = "Report footer"
SECTION = "Section heading"
REPEATED_HEADER = "Header row repeated"
# How far down a report's title lines may push the header row.
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Stored:
    """The upload as the import keeps it: `encoding` is 'utf-8', 'cp1252', 'mixed' or 'xlsx';
    `notes` are sentences for the office about how the file was read."""

    text: str
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    headers: list[str]
    header_line: int
    records: list[Record]
    left_out: list[LeftOut]


# ----------------------------------------------------------------------------- the upload


def read_upload(data: bytes, file_name: str) -> Stored:
    """The upload as text; raises UnreadableFile with what to do when it cannot be read."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(
            f"This file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Split it in two."
        )
    if not data.strip():
        raise UnreadableFile("The file is empty.")
    if data.startswith(XLSX_MAGIC):
        text, notes = workbook.read(data)
        stored = Stored(text, "xlsx", ",", notes)
    elif data.startswith(OLE_MAGIC):
        raise UnreadableFile(
            "This workbook is password-protected or in the old Excel format (.xls). Open it in"
            " Excel, remove the password, and save it as .xlsx or CSV."
        )
    else:
        if file_name.lower().endswith((".xlsx", ".xlsm")):
            raise UnreadableFile("This .xlsx file is damaged: open it in Excel and save it again.")
        text, encoding, notes = encodings.decode(data)
        stored = Stored(text, encoding, csvfile.sniff_delimiter(text), notes)
    if len(stored.text.encode()) > MAX_STORED_BYTES:
        raise UnreadableFile("This file is too large once converted to UTF-8. Split it in two.")
    _check_row_count(stored)
    return stored


def _check_row_count(stored: Stored) -> None:
    if max(stored.text.count("\n"), stored.text.count("\r")) <= MAX_ROWS:  # quick: few lines
        return
    rows = sum(1 for _ in _numbered(stored.text, stored.delimiter, stored.encoding))
    if rows > MAX_ROWS + 1:
        raise UnreadableFile(
            f"The file has {rows - 1:,} rows; split it into files of at most {MAX_ROWS:,}."
        )


# ----------------------------------------------------------------------------- the table


def _numbered(text: str, delimiter: str, encoding: str) -> Iterator[Record]:
    """Every non-blank record with its line: the sheet row for a workbook, the file line else."""
    reader = csv.reader(_lines_of(text), delimiter=delimiter, strict=False)
    try:
        if encoding == "xlsx":
            for row_number, cells in enumerate(reader, start=1):
                stripped = list(map(str.strip, cells))
                if any(stripped):
                    yield Record(row_number, stripped)
            return
        line = 1
        for cells in reader:
            stripped = list(map(str.strip, cells))
            if any(stripped):
                yield Record(line, stripped)
            line = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(f"This file is not valid CSV ({error}).") from error


def _lines_of(text: str) -> Iterator[str]:
    """The text's lines, one at a time (a StringIO would copy the whole text, four times over);
    an old Mac file ends its lines with a carriage return only."""
    end_of_line = "\n" if "\n" in text or "\r" not in text else "\r"
    start, size = 0, len(text)
    while start < size:
        end = text.find(end_of_line, start)
        end = size if end < 0 else end + 1
        yield text[start:end]
        start = end


def read_stored(text: str, delimiter: str, encoding: str) -> Sheet:
    """The header row (found below any title lines) and the records under it; title, total,
    footer and section rows are left out with their reason. Raises UnreadableFile when there
    is no header or no record."""
    rows = _numbered(text, delimiter, encoding)
    found = _find_header(rows)
    if found is None:
        raise UnreadableFile("The file is empty.")
    header, titles, pending = found
    headers = header.cells
    left_out = [LeftOut(title.line, title.cells, TITLE) for title in titles]
    records: list[Record] = []
    named = named_columns(headers)
    for record in _chain(pending, rows):
        reason = row_reason(record.cells, headers, named)
        if reason:
            left_out.append(LeftOut(record.line, record.cells, reason))
        else:
            records.append(record)
    if not records:
        raise UnreadableFile("The file has a header row but no rows under it.")
    return Sheet(headers, header.line, records, left_out)


def _chain(first: list[Record], rest: Iterator[Record]) -> Iterator[Record]:
    yield from first
    yield from rest


def _filled(cells: list[str]) -> list[str]:
    return [cell for cell in cells if cell]


def _find_header(rows: Iterator[Record]) -> tuple[Record, list[Record], list[Record]] | None:
    """(header, title lines above it, records read past it). The header is the first row of two
    or more filled cells when it looks like column names and every row above it is a title
    line of one cell; otherwise the first row, as a plain spreadsheet has it."""
    seen: list[Record] = []
    for record in rows:
        seen.append(record)
        if len(_filled(record.cells)) >= 2 or len(seen) > HEADER_SEARCH_ROWS:
            break
    if not seen:
        return None
    last = seen[-1]
    if len(seen) > 1 and len(_filled(last.cells)) >= 2 and looks_like_header(last.cells):
        return last, seen[:-1], []
    return seen[0], [], seen[1:]


@cache
def known_headers() -> frozenset[str]:
    """Every column name a preset or a kind's guessing knows, normalised."""
    from app.imports import customer_fields, sources
    from app.imports.fields import normalize_header
    from app.imports.kinds import KINDS

    names = {name for preset in sources.PRESETS for name in preset.columns}
    for synonyms in [customer_fields.SYNONYMS, *(kind.synonyms for kind in KINDS.values())]:
        for words in synonyms.values():
            names.update(normalize_header(word) for word in words)
    return frozenset(names)


def looks_like_header(cells: list[str]) -> bool:
    """Mostly known column names, or names without the digits and @ that data rows carry."""
    from app.imports.fields import normalize_header

    filled = _filled(cells)
    known = sum(1 for cell in filled if normalize_header(cell) in known_headers())
    if known >= 2 and known * 2 >= len(filled):
        return True
    return not any(re.search(r"[\d@]", cell) for cell in filled)


# "TOTAL", "Grand total", "Total: 12", "Total customers: 8"; "Total Comfort HVAC" is a customer
_TOTAL = re.compile(r"(grand\s+)?total(\s*[:\-].*|\b.*:\s*[\d$.,()\-]+)?", re.IGNORECASE)
_TOTAL_OF = re.compile(r"(grand\s+)?total\s+\S", re.IGNORECASE)
_MONEY = re.compile(r"-?\(?-?\$?-?[\d,]*\.?\d+\)?")
_FOOTER_WORDS = re.compile(
    r"(accrual|cash)\s+basis|page\s+\d+(\s+of\s+\d+)?|(report\s+)?(printed|generated|run)\b.*",
    re.IGNORECASE,
)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_OR_TIME = re.compile(
    rf"\b\d{{1,4}}[/\-.]\d{{1,2}}[/\-.]\d{{2,4}}\b|\b\d{{1,2}}:\d{{2}}\b|\b{_MONTH}\s+\d{{1,2}}\b",
    re.IGNORECASE,
)


def _footer(cell: str) -> bool:
    if "@" in cell or len(cell) > 80:
        return False
    return bool(_FOOTER_WORDS.fullmatch(cell) or _DATE_OR_TIME.search(cell))


def _is_total(first: str, rest: list[str]) -> bool:
    if first[0] not in "tTgG":
        return False
    if _TOTAL.fullmatch(first):
        return True
    others = [cell for cell in rest if cell]
    return bool(_TOTAL_OF.match(first) and others and all(_MONEY.fullmatch(c) for c in others))


def row_reason(
    cells: list[str], headers: list[str], named: frozenset[int] | None = None
) -> str | None:
    """Why a row under the header is not a record, or None. A row with a value in a named
    column is a record (a customer with only a name is still a customer) unless it is a total.
    `named`: the indexes of the columns whose header is not blank (computed when not given)."""
    if named is None:
        named = named_columns(headers)
    first_at = 0 if cells[0] else next(i for i, cell in enumerate(cells) if cell)
    first, rest = cells[first_at], cells[first_at + 1 :]
    if _is_total(first, rest):
        return TOTAL
    if cells == headers:
        return REPEATED_HEADER
    if not any(rest) and _footer(first):
        return FOOTER
    if named and first_at not in named and not any(cells[i] for i in named if i < len(cells)):
        return SECTION
    return None


def named_columns(headers: list[str]) -> frozenset[int]:
    return frozenset(i for i, header in enumerate(headers) if header.strip())
