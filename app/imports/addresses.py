"""Addresses as exports write them: one multi-line or comma-separated cell, or split columns;
states by name or abbreviation; ZIPs that a spreadsheet stripped of their leading zero."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import zipcodes

from app.imports import regions
from app.imports.plan import Flag
from app.imports.values import Flags, flag, placeholder

COUNTRIES = {
    "us": "US", "usa": "US", "u s a": "US", "u s": "US", "united states": "US",
    "united states of america": "US", "america": "US", "canada": "CA", "ca": "CA",
}  # fmt: skip
UNIT = re.compile(
    r"(?i)^(apt|apartment|unit|suite|ste|#|bldg|building|fl|floor|rm|room|lot|trlr|spc|space)"
    r"\.?\s*#?\s*[\w-]+$"
)
UNIT_AT_END = re.compile(
    r"(?i)[\s,]+((?:apt|apartment|unit|suite|ste|bldg|building|fl|floor|rm|room|lot)\.?\s*#?\s*"
    r"[\w-]+|#\s*[\w-]+)$"
)
US_ZIP = re.compile(r"^\d{3,5}(-?\d{4})?$")
CA_POSTAL = re.compile(r"^([A-Za-z]\d[A-Za-z])\s?(\d[A-Za-z]\d)$")


@dataclass(frozen=True)
class Address:
    street: str = ""
    unit: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def __bool__(self) -> bool:
        return any((self.street, self.city, self.postal_code))


def region(text: str) -> tuple[str, Flags]:
    """A state or province by name or abbreviation → its two-letter code; else as written."""
    text = text.strip()
    if not text:
        return "", []
    found = regions.code(text)
    if found:
        return found, ([flag(text, f"{text} written as {found}.")] if len(text) > 3 else [])
    return text[:100], [flag(text, f"{text!r} is not a US state or Canadian province.", "note")]


@lru_cache(maxsize=1)
def _zip_states() -> dict[str, str]:
    """ZIP → state, read once (~1.5 s; a lookup through the package takes ~30 ms)."""
    return {str(z["zip_code"]): str(z["state"]) for z in zipcodes.list_all()}


def _zip_state(zip5: str) -> str:
    return _zip_states().get(zip5, "")


def postal_code(text: str, region_code: str = "") -> tuple[str, Flags]:
    """`1545` in MA → `01545` (flagged), `015451234` → `01545-1234`, `k1a0b1` → `K1A 0B1`."""
    raw = text.strip()
    if not raw or placeholder(raw):
        return "", []
    canadian = CA_POSTAL.match(raw)
    if canadian:
        return f"{canadian.group(1)} {canadian.group(2)}".upper(), []
    if raw.endswith(".0") and raw[:-2].isdigit():
        raw = raw[:-2]  # a spreadsheet's number
    if not US_ZIP.match(raw):
        return raw[:20], []
    digits = raw.replace("-", "")
    flags: Flags = []
    main, plus4 = (digits[:-4], digits[-4:]) if len(digits) > 5 else (digits, "")
    if len(main) < 5:
        if region_code not in regions.ZERO_LEADING:
            note = f"ZIP {raw} is short a digit: kept as written."
            return raw, [flag(raw, note, "note")]
        main = main.zfill(5)
        flags.append(flag(raw, f"Leading zero restored: {region_code} ZIPs start with 0."))
    zip_code = f"{main}-{plus4}" if plus4 else main
    if plus4 and "-" not in raw:
        flags.append(flag(raw, f"Written as ZIP+4 {zip_code}."))
    state = _zip_state(main)
    if region_code and state and state != region_code and region_code in regions.US:
        flags.append(flag(raw, f"ZIP {main} is in {state}, not {region_code}: check it.", "note"))
    return zip_code, flags


def country(text: str) -> str:
    key = " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())
    return COUNTRIES.get(key, text.upper() if re.fullmatch(r"[A-Za-z]{2}", text) else "")


def split_unit(street: str) -> tuple[str, str]:
    """`12 Elm St Apt 4` → (`12 Elm St`, `Apt 4`)."""
    match = UNIT_AT_END.search(street)
    if match and match.start() > 0:
        return street[: match.start()].strip(" ,"), match.group(1).strip()
    return street, ""


def _city_region_zip(part: str) -> tuple[str, str, str] | None:
    """`Springfield IL 62701`, `New York, New York 10001`, `MA 01545`, `Toronto ON M5V 2T6`."""
    words = part.replace(",", " ").split()
    if len(words) >= 2 and CA_POSTAL.match(" ".join(words[-2:])):
        zip_code, words = " ".join(words[-2:]), words[:-2]
    elif words and (US_ZIP.match(words[-1]) or CA_POSTAL.match(words[-1])):
        zip_code, words = words[-1], words[:-1]
    else:
        zip_code = ""
    for size in (3, 2, 1):
        if len(words) >= size and regions.code(" ".join(words[-size:])):
            return " ".join(words[:-size]), " ".join(words[-size:]), zip_code
    return None


@lru_cache(maxsize=65_536)
def _address(text: str) -> tuple[Address, tuple[Flag, ...]]:
    parts = [p.strip() for p in re.split(r"[\r\n]+|,", text) if p.strip()]
    found_country = ""
    if len(parts) > 1 and country(parts[-1]) and not regions.code(parts[-1]):
        found_country = country(parts.pop())
    city = region_text = zip_text = ""
    for size in (1, 2):
        if len(parts) >= size + 1:
            tail = _city_region_zip(" ".join(parts[-size:]))
            if tail is not None:
                parts = parts[:-size]
                city, region_text, zip_text = tail
                break
    if not city and len(parts) > 1:
        city = parts.pop()
    units = [p for p in parts if UNIT.match(p)]
    lines = [p for p in parts if not UNIT.match(p)]
    streets = [p for p in lines if re.match(r"(?i)^(\d|p\.?\s*o\.?\s*box|one |two )", p)]
    street = streets[0] if streets else (lines[0] if lines else "")
    street, unit = split_unit(street)
    unit = unit or (units[0] if units else "")
    flags = [
        flag(p, f"{p!r} is not part of the street: left out.", "left_out")
        for p in lines
        if p not in (street, streets[0] if streets else "") and not p.startswith(street)
    ]
    return Address(street, unit, city, region_text, zip_text, found_country), tuple(flags)


def address_in(cell: str) -> tuple[Address, Flags]:
    """One cell holding a whole address, on several lines or with commas."""
    text = cell.strip()
    if not text or placeholder(text):
        return Address(), []
    found, flags = _address(text)
    return found, list(flags)


def cleaned(found: Address) -> tuple[Address, dict[str, Flags]]:
    """The region as its code, the ZIP repaired, the country guessed; flags by field."""
    flags: dict[str, Flags] = {}
    code, flags["region"] = region(found.region)
    zip_code, flags["postal_code"] = postal_code(found.postal_code, code)
    place_country = country(found.country) if found.country else ""
    if not place_country:
        canadian = regions.is_canadian(code) or bool(CA_POSTAL.match(zip_code))
        place_country = "CA" if canadian else "US"
    street, unit = found.street, found.unit
    if not unit:
        street, unit = split_unit(street)
    result = replace(
        found, street=street, unit=unit, region=code, postal_code=zip_code, country=place_country
    )
    return result, {k: v for k, v in flags.items() if v}
