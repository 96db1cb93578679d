"""Reading an upload as the office saved it: an Excel workbook or a CSV file in any of the
encodings spreadsheets write (and the mixed or twice-converted text some systems produce), then
finding the table in it: the header row below a report's title lines, and the total, footer and
section rows that are not records.

`read_upload` turns the upload into the text the import keeps (`customer_imports.source_text`,
an .xlsx sheet as CSV); `read_stored` reads that text into the header and the records."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from app.imports.csvfile import (
    MAX_ROWS,
    MAX_STORED_BYTES,
    MAX_UPLOAD_BYTES,
    Record,
    UnreadableFile,
    sniff_delimiter,
)
from app.imports.plan import LeftOut

XLSX_MAGIC = b"PK\x03\x04"
# An encrypted (password-protected) .xlsx and an old .xls are both OLE compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
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
        stored = _read_xlsx(data)
    elif data.startswith(OLE_MAGIC):
        raise UnreadableFile(
            "This workbook is password-protected or in the old Excel format (.xls). Open it in"
            " Excel, remove the password, and save it as .xlsx or CSV."
        )
    else:
        if file_name.lower().endswith((".xlsx", ".xlsm")):
            raise UnreadableFile("This .xlsx file is damaged: open it in Excel and save it again.")
        stored = _read_text(data)
    if len(stored.text.encode()) > MAX_STORED_BYTES:
        raise UnreadableFile("This file is too large once converted to UTF-8. Split it in two.")
    _check_row_count(stored)
    return stored


def _looks_binary(data: bytes) -> bool:
    head = data[:65536]
    if b"\x00" in head or head.startswith(BINARY_MAGIC):
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return controls > len(head) // 100


def _read_text(data: bytes) -> Stored:
    if _looks_binary(data):
        raise UnreadableFile(
            "This file is not a spreadsheet. Save it as CSV or Excel workbook (.xlsx) and retry."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _read_mixed(data)
    notes = []
    fixed = 0
    if _MOJIBAKE_BYTES.search(data):
        text, fixed, example = repair_mojibake(text)
    if fixed:
        notes.append(
            f"Accented letters garbled by an earlier conversion were repaired on {_lines(fixed)}"
            f" (for example “{example[0]}” → “{example[1]}”)."
        )
    return Stored(text, "utf-8", sniff_delimiter(text), notes)


def _lines(count: int) -> str:
    return f"{count:,} line" if count == 1 else f"{count:,} lines"


def _read_mixed(data: bytes) -> Stored:
    """Line by line: UTF-8 where it is valid, else Windows-1252 (the usual spreadsheet export)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    utf8_lines = cp1252_lines = 0
    lines = []
    for raw in data.split(b"\n"):
        try:
            line = raw.decode("utf-8")
            utf8_lines += not raw.isascii()
        except UnicodeDecodeError:
            line = raw.decode("cp1252", errors="replace")
            cp1252_lines += 1
        lines.append(line)
    text = "\n".join(lines)
    del lines
    if utf8_lines:
        note = (
            f"This file mixes two encodings: {_lines(utf8_lines)} read as UTF-8 and"
            f" {_lines(cp1252_lines)} as Windows-1252. Check the accented letters in the preview."
        )
        return Stored(text, "mixed", sniff_delimiter(text), [note])
    note = (
        "This file was saved as Windows-1252 (not UTF-8); its accented letters were read as such."
    )
    return Stored(text, "cp1252", sniff_delimiter(text), [note])


# UTF-8 read as Windows-1252 and saved again: each byte of a UTF-8 sequence became the character
# Windows-1252 shows for it ("é" = C3 A9 → "Ã©"). A run is repaired only when its characters map
# back to bytes that are one valid UTF-8 sequence.
_CP1252_BYTE = {}
for _byte in range(0x80, 0x100):
    try:
        _CP1252_BYTE[bytes([_byte]).decode("cp1252")] = _byte
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined pass through
        _CP1252_BYTE[chr(_byte)] = _byte
_CONTINUATION = "".join(re.escape(ch) for ch, b in _CP1252_BYTE.items() if 0x80 <= b < 0xC0)
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]+")
_ONE_SEQUENCE = re.compile(
    f"[\u00c2-\u00df][{_CONTINUATION}]"
    f"|[\u00e0-\u00ef][{_CONTINUATION}]{{2}}"
    f"|[\u00f0-\u00f4][{_CONTINUATION}]{{3}}"
)
# The same in the file's bytes (a lead "Ã"…"ô" is C3 82…C3 B4, and every continuation character
# starts with one of these bytes): a quick look before the text is searched.
_MOJIBAKE_BYTES = re.compile(rb"\xc3[\x82-\xb4][\xc2\xc5\xc6\xcb\xe2]")


def _unmangle_sequence(match: re.Match[str]) -> str:
    try:
        return bytes(_CP1252_BYTE[ch] for ch in match.group()).decode("utf-8")
    except UnicodeDecodeError:
        return match.group()


def _unmangle(match: re.Match[str]) -> str:
    run = match.group()
    try:
        return bytes(_CP1252_BYTE[ch] for ch in run).decode("utf-8")
    except UnicodeDecodeError:  # part of the run only: sequence by sequence
        return _ONE_SEQUENCE.sub(_unmangle_sequence, run)


def repair_mojibake(text: str) -> tuple[str, int, tuple[str, str]]:
    """The text with garbled runs repaired, the number of lines changed, and one example
    (the garbled word, the repaired word)."""
    fixed = 0
    example = ("", "")
    lines = text.split("\n")
    for index, line in enumerate(lines):
        repaired = line
        for _ in range(3):  # converted twice or three times over
            again = _MOJIBAKE.sub(_unmangle, repaired)
            if again == repaired:
                break
            repaired = again
        if repaired != line:
            fixed += 1
            if not example[0]:
                example = _example(line, repaired)
            lines[index] = repaired
    if not fixed:
        return text, 0, example
    return "\n".join(lines), fixed, example


def _example(line: str, repaired: str) -> tuple[str, str]:
    """The first word (or cell) of `line` that the repair changed."""
    cells = zip(re.split(r"[,;\t]", line), re.split(r"[,;\t]", repaired), strict=True)
    for before, after in cells:
        if before != after:
            words = zip(before.split(), after.split(), strict=False)
            return next(((b, a) for b, a in words if b != a), (before.strip(), after.strip()))
    return line, repaired


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
        if count > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many_rows()
        cells = [_cell_text(value) for value in row]
        while cells and not cells[-1].strip():
            cells.pop()
        yield cells


def _read_xlsx(data: bytes) -> Stored:
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
                return Stored(out.getvalue(), "xlsx", ",", notes)
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


def _too_many_rows() -> UnreadableFile:
    return UnreadableFile(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")


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
