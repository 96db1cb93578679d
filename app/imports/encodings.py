"""The encodings CSV files come in: UTF-8 (with or without a BOM), Windows-1252 (the usual
spreadsheet export), UTF-16 (Excel's "Unicode Text"), lines of both UTF-8 and Windows-1252 (a
file edited on two machines), and UTF-8 garbled by an earlier conversion ("JosÃ©" for "José":
UTF-8 read as Windows-1252 and saved again), which is repaired."""

from __future__ import annotations

import re

from app.imports.csvfile import UnreadableFile

BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def _looks_binary(data: bytes) -> bool:
    head = data[:65536]
    if b"\x00" in head or head.startswith(BINARY_MAGIC):
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return controls > len(head) // 100


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """The text of a CSV or text file, its encoding ('utf-8', 'cp1252' or 'mixed') and notes
    for the office; raises UnreadableFile for a file that is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text": UTF-16
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableFile("This file is damaged: save it again as CSV.") from error
        return text, "utf-8", ["This file was saved as Unicode text (UTF-16) and read as such."]
    if _looks_binary(data):
        raise UnreadableFile(
            "This file is not a spreadsheet. Save it as CSV or Excel workbook (.xlsx) and retry."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _decode_by_line(data)
    notes = []
    fixed = 0
    if _MOJIBAKE_BYTES.search(data):
        text, fixed, example = repair_mojibake(text)
    if fixed:
        notes.append(
            f"Accented letters garbled by an earlier conversion were repaired on {_lines(fixed)}"
            f" (for example “{example[0]}” → “{example[1]}”)."
        )
    return text, "utf-8", notes


def _lines(count: int) -> str:
    return f"{count:,} line" if count == 1 else f"{count:,} lines"


def _decode_by_line(data: bytes) -> tuple[str, str, list[str]]:
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
        return text, "mixed", [note]
    note = (
        "This file was saved as Windows-1252 (not UTF-8); its accented letters were read as such."
    )
    return text, "cp1252", [note]


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
