"""US states (with DC and the territories) and Canadian provinces: name or abbreviation → code."""

from __future__ import annotations

US = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "VI": "Virgin Islands", "GU": "Guam",
}  # fmt: skip
CANADA = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip
# Other ways people write them.
ALIASES = {
    "washington dc": "DC", "washington d c": "DC", "d c": "DC", "us virgin islands": "VI",
    "newfoundland": "NL", "pei": "PE", "quebec city": "QC", "yukon territory": "YT",
    "mass": "MA", "calif": "CA", "penn": "PA", "wash": "WA", "fla": "FL", "ill": "IL",
    "pq": "QC", "nf": "NL",
}  # fmt: skip
# The states whose ZIP codes all start with 0 (Excel drops it: 01545 becomes 1545).
ZERO_LEADING = frozenset({"CT", "MA", "ME", "NH", "NJ", "RI", "VT", "PR", "VI"})


def _key(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


CODES: dict[str, str] = {_key(code): code for code in (*US, *CANADA)}
CODES |= {_key(name): code for code, name in (*US.items(), *CANADA.items())}
CODES |= {"qu\u00e9bec": "QC"} | ALIASES


def code(text: str) -> str:
    """`Massachusetts`, `mass.`, `MA`, `m.a.` → `MA`; '' when it is none of them."""
    key = _key(text)
    return CODES.get(key) or CODES.get(key.replace(" ", ""), "")


def is_canadian(region: str) -> bool:
    return region in CANADA
