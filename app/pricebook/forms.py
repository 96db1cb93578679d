"""Price book forms: server-side checks with a message next to each field; amounts are read by
app.money (exact decimals, at most two places)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from markupsafe import Markup, escape
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app import edge, money
from app.forms import AmountField, PercentField, QuantityField, choices, strip_text
from app.pricebook.vocabulary import KINDS, STATUSES, UNITS


class ItemForm(FlaskForm):
    kind = SelectField("Kind", choices=choices(KINDS.items()), default="service")
    name = StringField(
        "Name",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the item's name."),
            Length(max=200, message="At most 200 characters."),
        ],
    )
    code = StringField(
        "Code",
        filters=[strip_text],
        validators=[Optional(), Length(max=40, message="At most 40 characters.")],
        description="Your own short code or part number, e.g. TUNE-F. Optional.",
    )
    category_id = SelectField("Category", choices=[], validate_choice=False)
    description = TextAreaField(
        "Description",
        filters=[strip_text],
        validators=[Optional(), Length(max=2000, message="At most 2,000 characters.")],
        description="What the customer reads on the estimate and the invoice.",
        render_kw={"rows": 3},
    )
    unit = SelectField("Unit", choices=choices(UNITS.items()), default="each")
    cost = AmountField(
        "Cost",
        description="What the part costs you. With a markup, the price is worked out from it.",
        render_kw={"inputmode": "decimal"},
    )
    markup_percent = PercentField(
        "Markup %", max_value=Decimal("10000"), render_kw={"inputmode": "decimal"}
    )
    price = AmountField(
        "Price",
        description="Left empty for a material with a cost and markup: worked out from them.",
        render_kw={"inputmode": "decimal"},
    )
    member_price = AmountField(
        "Member price",
        description="For customers with an active service agreement. Optional.",
        render_kw={"inputmode": "decimal"},
    )
    member_discount_percent = PercentField(
        "Member discount %",
        description="Or a discount for members instead of their own price.",
        render_kw={"inputmode": "decimal"},
    )
    taxable = BooleanField("Taxable", default=True)

    def set_categories(self, categories: list[dict[str, Any]]) -> None:
        """The active categories to choose from (and the item's own, even when archived)."""
        current = self.category_id.data or ""
        pairs = [("", "No category")]
        pairs += [
            (str(c["id"]), c["name"])
            for c in categories
            if c["archived_at"] is None or str(c["id"]) == current
        ]
        self.category_id.choices = choices(pairs)
        self.known_categories = {value for value, _ in pairs}

    def validate_category_id(self, field: SelectField) -> None:
        if (field.data or "") not in getattr(self, "known_categories", {""}):
            raise ValidationError("Choose one of the listed categories.")

    def validate_markup_percent(self, field: PercentField) -> None:
        if field.data is not None and self.kind.data != "material":
            raise ValidationError("Only materials are priced by a markup.")
        if field.data is not None and self.cost.data is None:
            raise ValidationError("A markup needs the item's cost.")

    def validate_price(self, field: AmountField) -> None:
        if field.data is None and self.markup_percent.data is None:
            raise ValidationError("Enter the price.")

    def validate_member_discount_percent(self, field: PercentField) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError("Enter a member discount above 0%.")
        if field.data is not None and self.member_price.data is not None:
            raise ValidationError("Give members either their own price or a discount, not both.")

    def values(self) -> dict[str, Any]:
        """What is stored: a material with a cost and markup gets the price they give."""
        price = self.price.data
        if self.markup_percent.data is not None and self.cost.data is not None:
            price = money.apply_markup(self.cost.data, self.markup_percent.data)
        return {
            "kind": self.kind.data,
            "code": self.code.data or None,
            "name": self.name.data,
            "description": self.description.data or "",
            "category_id": self.category_id.data or None,
            "unit": self.unit.data,
            "price": price,
            "cost": self.cost.data,
            "markup_percent": self.markup_percent.data,
            "member_price": self.member_price.data,
            "member_discount_percent": self.member_discount_percent.data,
            "taxable": bool(self.taxable.data),
        }


# The item's columns that its form edits, by the fields' names.
STORED_FIELDS = (
    "kind",
    "name",
    "code",
    "category_id",
    "description",
    "unit",
    "cost",
    "markup_percent",
    "price",
    "member_price",
    "member_discount_percent",
    "taxable",
)


def item_form_data(item: dict[str, Any]) -> dict[str, Any]:
    """An item as its form shows it to be edited."""
    data = {key: item[key] for key in STORED_FIELDS}
    data["code"] = item["code"] or ""
    data["category_id"] = str(item["category_id"]) if item["category_id"] else ""
    return data


class ListFilter(FlaskForm):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        filters=[strip_text],
        validators=[Optional(), Length(max=100, message="Search for at most 100 characters.")],
    )
    kind = SelectField(
        "Kind",
        choices=choices([("", "All kinds"), *KINDS.items()]),
        default="",
        validate_choice=True,
    )
    category = SelectField("Category", choices=[], validate_choice=False, default="")
    status = SelectField("Show", choices=choices(STATUSES.items()), default="active")

    def set_categories(self, categories: list[dict[str, Any]]) -> None:
        pairs = [("", "All categories"), *((str(c["id"]), c["name"]) for c in categories)]
        self.category.choices = choices(pairs)
        self.known_categories = {value for value, _ in pairs}

    def validate_category(self, field: SelectField) -> None:
        if (field.data or "") not in getattr(self, "known_categories", {""}):
            raise ValidationError("Choose one of the listed categories.")


class CategoryForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the category's name."),
            Length(max=100, message="At most 100 characters."),
        ],
    )


class PartForm(FlaskForm):
    part = SelectField("Item", choices=[], validate_choice=False)
    quantity = QuantityField("Quantity", default=Decimal("1"), render_kw={"inputmode": "decimal"})

    def set_items(self, items: list[dict[str, Any]]) -> None:
        pairs = [("", "Choose an item")]
        pairs += [(str(i["id"]), f"{i['name']} ({KINDS[i['kind']].lower()})") for i in items]
        self.part.choices = choices(pairs)
        self.known_items = {value for value, _ in pairs if value}

    def validate_part(self, field: SelectField) -> None:
        if (field.data or "") not in getattr(self, "known_items", set()):
            raise ValidationError("Choose one of the listed items.")

    def validate_quantity(self, field: QuantityField) -> None:
        if field.data is None:
            raise ValidationError("Enter the quantity.")


class TaxRateForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip_text],
        validators=[
            DataRequired("Enter the tax's name."),
            Length(max=100, message="At most 100 characters."),
        ],
        description="As estimates and invoices show it beside its amount, e.g. “State sales tax”.",
    )
    percent = PercentField(
        "Rate %",
        description="From 0 to 100, up to 4 decimals, e.g. 6.25 or 8.875.",
        render_kw={"inputmode": "decimal"},
    )
    applies = BooleanField("Charge it on new estimates and invoices", default=True)

    def validate_percent(self, field: PercentField) -> None:
        if field.data is None and not field.errors:
            raise ValidationError("Enter the rate, e.g. 6.25.")

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "percent": self.percent.data,
            "applies": bool(self.applies.data),
        }


# --- import -------------------------------------------------------------------------------


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file to upload."),
            FileAllowed(["csv", "txt", "tsv"], "Upload a .csv file (save the spreadsheet as CSV)."),
        ],
        description="The price book's export, or a spreadsheet saved as CSV; at most 2 MB.",
        render_kw={"accept": ".csv,.txt,.tsv,text/csv"},
    )


class HiddenParts:
    """A long value as several hidden inputs of the same name, each under the edge's limit on
    one form value (app/edge.py); the request's size stays bounded by its own limit."""

    PART = edge.MAX_FORM_VALUE

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        value = field.data or ""
        parts = [value[i : i + self.PART] for i in range(0, len(value), self.PART)]
        name = escape(field.name)
        return Markup("").join(
            Markup('<input type="hidden" name="{}" value="{}">').format(name, part)
            for part in parts
        )


class SignedFileField(Field):
    """The uploaded file as the preview signed it (transfer_file.sign), carried by the page:
    its parts are joined again when the confirmation is read."""

    widget = HiddenParts()

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = "".join(value for value in valuelist if isinstance(value, str))


class ConfirmImportForm(FlaskForm):
    book_file = SignedFileField(validators=[DataRequired()])
