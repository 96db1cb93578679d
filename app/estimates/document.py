"""An estimate as a document: what the office's page, the homeowner's page and the PDF show
alike (templates/estimates/_document.html), built from the office's reads or from the link's
answer, so that the screen and the paper cannot drift apart."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app import company, documents, money
from app.estimates import service
from app.integrations import files

log = logging.getLogger(__name__)

TEMPLATE = "estimates/estimate.pdf.html"


@dataclass(frozen=True)
class Option:
    id: str
    name: str
    description: str
    lines: list[dict[str, Any]]
    totals: money.Totals


@dataclass(frozen=True)
class Photo:
    """A photo the estimate shows: its id among the estimate's photos, its caption, and where
    its file is kept (read through the files port, for paper)."""

    id: str
    caption: str
    key: str
    file_id: str | None = None  # the visit's file, for the office's pages


PhotoSource = Callable[[Photo], str | None]


@dataclass(frozen=True)
class Document:
    """The company's letterhead, the estimate (its dates as dates and datetimes), for whom and
    where, its tax rates and its options with their lines and totals."""

    company: company.Letterhead
    estimate: dict[str, Any]
    customer: str
    place: dict[str, Any]
    rates: list[money.TaxRate]
    options: list[Option]
    photos: tuple[Photo, ...] = ()

    @property
    def open(self) -> bool:
        return bool(self.estimate["status"] in ("sent", "viewed"))

    @property
    def valid_until(self) -> date:
        return date.fromisoformat(str(self.estimate["valid_until"]))

    @property
    def currency(self) -> str:
        return str(self.estimate["currency"])

    @property
    def number(self) -> str:
        return service.display_number(self.estimate)

    @property
    def dated(self) -> datetime:
        """The document's date: when it was sent, or made for one not sent yet."""
        moment = self.estimate["sent_at"] or self.estimate["created_at"]
        return moment.astimezone(self.company.zone)

    @property
    def filename(self) -> str:
        revision = self.estimate["revision"]
        suffix = f"-rev{revision}" if revision > 1 else ""
        return f"EST-{self.estimate['number']}{suffix}.pdf"


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _lines(lines: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            **line,
            "quantity": Decimal(str(line["quantity"])),
            "unit_price": Decimal(str(line["unit_price"])),
            "discount_percent": Decimal(str(line["discount_percent"] or 0)),
        }
        for line in lines
    ]


def build_option(
    id: Any, name: str, description: str, lines: list[Any], rates: list[Any]
) -> Option:
    mine = _lines(lines)
    amounts = money.totals(
        [
            money.Line(
                line["quantity"], line["unit_price"], line["discount_percent"], line["taxable"]
            )
            for line in mine
        ],
        rates,
    )
    return Option(str(id), name, description or "", mine, amounts)


ESTIMATE_FIELDS = (
    "id", "number", "revision", "title", "note", "valid_until", "currency", "status",
    "approved_option_id", "approved_by_name", "created_at", "sent_at", "approved_at",
)  # fmt: skip


def _estimate(values: Any) -> dict[str, Any]:
    found = {name: values.get(name) for name in ESTIMATE_FIELDS}
    for name in ("created_at", "sent_at", "approved_at"):
        found[name] = _moment(found[name])
    found["approved_option_id"] = (
        str(found["approved_option_id"]) if found["approved_option_id"] else None
    )
    found["approved_by_name"] = found["approved_by_name"] or ""
    return found


def from_estimate(estimate: service.Estimate, letterhead: company.Letterhead) -> Document:
    """The office's estimate (service.get) as its document."""
    row = estimate.row
    options = [
        build_option(o.row["id"], o.row["name"], o.row["description"], o.lines, estimate.rates)
        for o in estimate.options
    ]
    place = {name: row[name] for name in ("street", "unit", "city", "region", "postal_code")}
    photos = tuple(
        Photo(str(p["id"]), p["caption"], p["storage_key"], str(p["file_id"]))
        for p in estimate.photos
    )
    return Document(
        letterhead, _estimate(row), row["customer_name"], place, estimate.rates, options, photos
    )


def from_link(found: dict[str, Any]) -> Document:
    """The document app.estimate_by_link answers (JSON) as its document."""
    rates = [money.TaxRate(r["name"], Decimal(str(r["percent"]))) for r in found["rates"]]
    options = [
        build_option(o["id"], o["name"], o["description"], o["lines"], rates)
        for o in found["options"]
    ]
    letterhead = company.letterhead_of(
        {**found["company"], "licence_number": found["company"].get("licence")}
    )
    return Document(
        letterhead,
        _estimate(found["estimate"]),
        found["customer"] or "",
        found["property"] or {},
        rates,
        options,
        tuple(Photo(str(p["id"]), p["caption"] or "", p["key"]) for p in found.get("photos", [])),
    )


def embedded_photo(photo: Photo) -> str | None:
    """The photo made small (files.document_photo) as a `data:` URL, for paper; None when its
    file is missing or unreadable (the document is still given, without it)."""
    try:
        data = files.document_photo(files.store().get(photo.key))
    except (files.FileMissing, files.FileRefused):
        log.warning("documents: an estimate's photo could not be read from the file store")
        return None
    return documents.data_url(data, "image/jpeg")


def approval_note(row: Any, *, address: bool = False) -> str:
    """How an approval was given, after the approver's name: on the link (with the address it
    came from when `address`), or in person and who recorded it."""
    if not row["approved_by_name"]:
        return ""
    if row["approval_recorded_by"]:
        recorder = row["approval_recorded_by_name"]
        return " in person" + (f", recorded by {recorder}" if recorder else "")
    where = f" (from {row['approved_from']})" if address and row["approved_from"] else ""
    return f" on the link{where}"


def context(
    d: Document,
    *,
    heading: int = 1,
    choice_label: str = "Approved",
    approval_note: str = "",
    signature_src: str | None = None,
    photo_src: PhotoSource = embedded_photo,
) -> dict[str, Any]:
    """What _document.html is given: the document, its logo as a `data:` URL (read through the
    files port), its photos (each one's `src` by `photo_src`: a page's URL, or by default the
    picture itself for paper), and how this page words it (see the template's head)."""
    photos = [(photo_src(photo), photo.caption) for photo in d.photos]
    return {
        "d": d,
        "photos": [{"src": src, "caption": caption} for src, caption in photos if src],
        "logo_src": documents.image_url(d.company.logo_key),
        "signature_src": signature_src,
        "heading": heading,
        "choice_label": choice_label,
        "approval_note": approval_note,
    }
