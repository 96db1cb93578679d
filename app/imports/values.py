"""A cell of an import file as the value it means: names, phones, emails, yes/no, tags.

Each function returns the value and the flags a person should see beside it (a repair, or a
part left out and why). Flags carry no field: the planner knows where the value lands.
Addresses are in app.imports.addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from app import phones as phone_numbers
from app.imports.plan import Flag, FlagKind

Flags = list[Flag]
PLACEHOLDERS = frozenset(
    {"n/a", "na", "n.a.", "none", "-", "--", "---", "0", "unknown", "tbd", "?", "null", "nil",
     "no", "x", ".", "no phone", "no email", "not available", "not provided", "same", "blank"}
)  # fmt: skip


def flag(value: str, note: str, kind: FlagKind = "repaired") -> Flag:
    return Flag("", value, note, kind)


def placeholder(cell: str) -> bool:
    """What people type for "nothing": n/a, none, -, 0, unknown, 000-000-0000."""
    text = cell.strip().lower()
    return text in PLACEHOLDERS or (bool(text) and not re.sub(r"[\s0().+\-]", "", text))


# -- names -------------------------------------------------------------------------------------

HONORIFICS = {
    "mr": "Mr.", "mrs": "Mrs.", "ms": "Ms.", "miss": "Miss", "mx": "Mx.", "dr": "Dr.",
    "rev": "Rev.", "prof": "Prof.", "fr": "Fr.",
}  # fmt: skip
SUFFIXES = {
    "jr": "Jr.", "sr": "Sr.", "ii": "II", "iii": "III", "iv": "IV", "v": "V", "md": "MD",
    "m.d": "MD", "phd": "PhD", "ph.d": "PhD", "esq": "Esq.", "dds": "DDS", "cpa": "CPA",
}  # fmt: skip
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "la", "le",
                       "du", "dos", "das", "ter", "ten", "bin", "al", "st", "st."})  # fmt: skip
BUSINESS = re.compile(
    r"(?ix)(\b(llc|l\.l\.c|inc|incorporated|corp|corporation|co|p\.?c|pllc|ltd|llp|lp|plc|group"
    r"|company|associates|assoc|dental|dentistry|properties|property|management|mgmt|church"
    r"|school|schools|academy|services|service|hvac|plumbing|heating|cooling|electric|realty"
    r"|restaurant|cafe|clinic|medical|hospital|hotel|inn|motel|apartments|condominiums?|hoa"
    r"|association|trust|bank|university|college|center|centre|partners|enterprises|holdings"
    r"|foundation|construction|contractors?|industries|systems|solutions|supply|storage"
    r"|ministries|pharmacy|salon|market|shop|store|office|offices|county|township|city\s+of"
    r"|department|dept|agency|studio|farms?|ranch|builders|homes|rentals|investments|llp)\b\.?"
    r"|(&|\band)\s+sons\b|\d)"
)
COUPLE = re.compile(
    r"(?i)^([\w'-]+\s+(&|and)\s+[\w'-]+\s+[\w'-]+"
    r"|(mr|mrs|ms|dr)\.?\s+(&|and)\s+(mr|mrs|ms|dr)\.?\s+[\w'-]+( [\w'-]+)?)$"
)


@dataclass(frozen=True)
class Name:
    first: str = ""
    last: str = ""  # with the suffix: "Smith Jr."
    honorific: str = ""
    suffix: str = ""


def looks_like_business(name: str) -> bool:
    """`Riverside Dental Group, P.C.`, `Smith & Sons`, `7 Oaks HOA` are businesses;
    `John & Mary Smith` and `Mr. & Mrs. Lee` are people."""
    text = name.strip()
    if not text:
        return False
    if BUSINESS.search(text):
        return True
    return "&" in text and not COUPLE.match(text)


def _honorific(token: str) -> str:
    return HONORIFICS.get(token.lower().rstrip(".,"), "")


def _suffix(token: str) -> str:
    return SUFFIXES.get(token.lower().rstrip(".,"), "")


@lru_cache(maxsize=65_536)
def _person(full: str) -> tuple[Name, tuple[Flag, ...]]:
    text = " ".join(full.split())
    flags: Flags = []
    first_part, last_part = text, ""
    if "," in text:
        before, _, after = text.partition(",")
        after_words = after.replace(",", " ").split()
        if after_words and all(_suffix(w) for w in after_words):
            first_part = f"{before} {' '.join(after_words)}"  # "John Smith, Jr."
        else:
            last_part, first_part = before.strip(), after.strip().replace(",", " ")
    words = first_part.split()
    honorifics = []
    while words and _honorific(words[0]) and len(words) + len(last_part.split()) > 1:
        honorifics.append(_honorific(words.pop(0)))
    suffixes: list[str] = []
    tail = last_part.split() if last_part else words
    while len(tail) > 1 and _suffix(tail[-1]):
        suffixes.insert(0, _suffix(tail.pop()))
    while last_part and len(words) > 1 and _suffix(words[-1]):
        suffixes.insert(0, _suffix(words.pop()))
    if last_part:
        first, last = " ".join(words), " ".join(tail)
    else:
        split = len(words) - 1
        while split > 1 and words[split - 1].lower() in PARTICLES:
            split -= 1  # "Mary Ann van der Berg": van der Berg
        first, last = " ".join(words[:split]), " ".join(words[split:])
    if suffixes:
        last = f"{last} {' '.join(suffixes)}".strip()
    honorific = " ".join(honorifics)
    if honorific:
        flags.append(flag(full, f"Title {honorific} kept out of the first name."))
    return Name(first, last, honorific, " ".join(suffixes)), tuple(flags)


def person_name(full: str) -> tuple[Name, Flags]:
    """`Smith Jr., John A.` → John A. / Smith Jr.; `Mrs. Jane Doe` → Jane / Doe (title Mrs.)."""
    name, flags = _person(full.strip())
    return name, list(flags)


# -- phones ------------------------------------------------------------------------------------

PHONE_KINDS = ("mobile", "home", "work", "other", "fax")
LABELS = {
    "mobile": "mobile", "mob": "mobile", "cell": "mobile", "cellular": "mobile", "m": "mobile",
    "c": "mobile", "text": "mobile", "home": "home", "h": "home", "res": "home",
    "residence": "home", "work": "work", "w": "work", "office": "work", "o": "work",
    "business": "work", "bus": "work", "biz": "work", "b": "work", "company": "work",
    "fax": "fax", "f": "fax", "other": "other", "alt": "other", "main": "other",
    "phone": "", "tel": "", "telephone": "", "p": "", "t": "",
}  # fmt: skip
NUMBER = re.compile(
    r"(?<![\w])(\+\d[\d\s.\-()]{6,}\d|(?:1[\s.\-]?)?(?:\(\d{3}\)\s*|\d{3}[\s.\-]?)?\d{3}[\s.\-]?\d{4})"
    r"(?:\s*,?\s*(?:x|ext\.?|extension|#)\s*(\d{1,10}))?(?![\d])",
    re.I,
)
LABEL = re.compile(
    r"(?i)\b(mobile|mob|cellular|cell|text|home|res|residence|work|office|business|bus|biz"
    r"|company|fax|other|alt|main|phone|telephone|tel|[mchwobfpt])\b\s*[:.)=\-]?"
)


@dataclass(frozen=True)
class Phone:
    number: str  # E.164
    kind: str  # mobile, home, work, other, fax
    extension: str = ""


def e164(text: str) -> str:
    """The number in E.164, or '' when it is not a number that can be dialled."""
    digits = re.sub(r"[\s().\-]", "", text)
    if digits.isdigit() and (len(digits) == 10 or (len(digits) == 11 and digits[0] == "1")):
        national = digits[-10:]  # the common case, checked once per area code and exchange
        return f"+1{national}" if _us_exchange_valid(national[:6]) else ""
    return _parsed(text)


@lru_cache(maxsize=16_384)
def _us_exchange_valid(area_and_exchange: str) -> bool:
    """Whether numbers of this area code and exchange exist (libphonenumber's metadata tells
    them apart by these six digits; parsing every number costs ~0.3 ms)."""
    return bool(_parsed(f"{area_and_exchange}0142")) or bool(_parsed(f"{area_and_exchange}2345"))


@lru_cache(maxsize=65_536)
def _parsed(text: str) -> str:
    try:
        return phone_numbers.normalize(text)
    except phone_numbers.InvalidPhone:
        return ""


def _kind_before(gap: str) -> str | None:
    """The label written just before a number: "h: ", "Mobile - ", "work "."""
    words = [m for m in LABEL.finditer(gap) if len(m.group(1)) > 1 or ":" in m.group(0)]
    return LABELS[words[-1].group(1).lower()] if words else None


def _kind_after(gap: str) -> str | None:
    """A label written after the number in brackets: "555-0142 (cell)"."""
    match = re.match(r"\s*\(\s*([a-z]+)\s*\)", gap, re.I)
    return LABELS.get(match.group(1).lower()) if match else None


def phones_in(
    cell: str, default_kind: str = "other", area_code: str = ""
) -> tuple[list[Phone], Flags]:
    """Every number in a cell: "(217) 555-0142 / 555-0143", "h: … w: … x12", "Mobile: …".
    A label in the cell sets its kind; a 7-digit number takes the area code of the number
    before it, else the office's (`area_code`) when it opted in, else it is left out."""
    text = cell.strip()
    if not text:
        return [], []
    if placeholder(text):
        return [], [flag(cell, f"{text!r} means no number: left blank.")]
    return _phones(text, default_kind, area_code)


@lru_cache(maxsize=65_536)
def _phones_cached(
    text: str, default_kind: str, area_code: str
) -> tuple[tuple[Phone, ...], tuple[Flag, ...]]:
    found: list[Phone] = []
    flags: Flags = []
    matches = list(NUMBER.finditer(text))
    if not matches:
        return (), (flag(text, f"{text!r} is not a phone number: left out.", "left_out"),)
    previous_area = ""
    for index, match in enumerate(matches):
        start = matches[index - 1].end() if index else 0
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        kind = _kind_before(text[start : match.start()]) or _kind_after(text[match.end() : end])
        raw, extension = match.group(1), match.group(2) or ""
        digits = re.sub(r"\D", "", raw)
        number = ""
        if len(digits) == 7 and not raw.startswith("+"):
            area = previous_area or area_code
            if area:
                number = e164(area + digits)
                if number:
                    whose = "the number before it" if previous_area else "the office's setting"
                    flags.append(flag(raw, f"Area code {area} added from {whose}."))
            else:
                flags.append(flag(raw, f"{raw} has no area code: left out.", "left_out"))
                continue
        else:
            number = e164(raw)
        if not number:
            flags.append(flag(raw, f"{raw} is not a valid phone number: left out.", "left_out"))
            continue
        if number.startswith("+1") and len(number) == 12:
            previous_area = number[2:5]
        found.append(Phone(number, kind or default_kind, extension))
    if len(found) > 1:
        flags.append(flag(text, f"{len(found)} numbers in one cell: each kept.", "note"))
    return tuple(found), tuple(flags)


def _phones(text: str, default_kind: str, area_code: str) -> tuple[list[Phone], Flags]:
    found, flags = _phones_cached(text, default_kind or "other", area_code)
    return list(found), list(flags)


# -- emails ------------------------------------------------------------------------------------

EMAIL = re.compile(r"[^@\s<>(),;:\"']+@[^@\s<>(),;:\"'.]+(\.[^@\s<>(),;:\"'.]+)+")
EMAIL_SPLIT = re.compile(r"[,;\s]+|\s/\s")


def emails_in(cell: str) -> tuple[list[str], Flags]:
    """`Ann@Example.com; mailto:bo@example.com` → both, lower-cased; bad ones left out."""
    text = cell.strip()
    if not text:
        return [], []
    if placeholder(text):
        return [], [flag(cell, f"{text!r} means no email: left blank.")]
    found: list[str] = []
    flags: Flags = []
    for part in EMAIL_SPLIT.split(text):
        word = part.strip().strip("<>()[]\"'").removeprefix("mailto:").removeprefix("MAILTO:")
        if not word or word == "/":
            continue
        if "@" not in word and not found and len(EMAIL_SPLIT.split(text)) > 1:
            continue  # a display name before <address>: "Ann Lee <ann@example.com>"
        email = word.lower().rstrip(".")
        if len(email) <= 254 and EMAIL.fullmatch(email):
            if email not in found:
                found.append(email)
        elif "@" in word or len(word) > 2:
            flags.append(
                flag(word, f"{word!r} is not a valid email address: left out.", "left_out")
            )
    if len(found) > 1:
        flags.append(flag(text, f"{len(found)} emails in one cell: each kept.", "note"))
    return found, flags


# -- the rest ----------------------------------------------------------------------------------

YES = frozenset({"yes", "y", "true", "t", "1", "x", "\u2713", "\u2714", "on", "checked"})
NO = frozenset({"no", "n", "false", "f", "0", "", "off", "-", "unchecked"})


def flag_in(cell: str) -> tuple[bool, Flags]:
    """A yes/no column: yes, y, true, 1, x, ✓ → True; anything else False (flagged if odd)."""
    text = cell.strip().lower()
    if text in YES:
        return True, []
    if text in NO:
        return False, []
    return False, [flag(cell, f"{cell!r} read as no.", "note")]


GOOGLE_SYSTEM_LABELS = frozenset({"mycontacts", "starred", "friends", "family", "coworkers"})


def tags_in(cell: str) -> list[str]:
    """`vip; maintenance plan`, `a | b`, Google's `* myContacts ::: Customers` → tags."""
    tags: list[str] = []
    seen: set[str] = set()
    for part in re.split(r"\s:::\s|[,;|]", cell):
        tag = part.strip()
        if tag.startswith("*"):
            tag = tag.lstrip("* ").strip()
            if tag.lower() in GOOGLE_SYSTEM_LABELS:
                continue
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag[:100])
    return tags
