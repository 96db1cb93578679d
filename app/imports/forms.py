"""Import forms: the upload, and the mapping of the file's columns to the kind's fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from app.forms import choices, strip_text
from app.imports.kinds import KINDS
from app.imports.plan import Kind

IGNORE = ""


class UploadForm(FlaskForm):
    kind = SelectField(
        "What the file holds",
        default="customers",
        description="Import customers first: the other kinds find their customers by name, "
        "email, phone or the old system's id.",
    )
    file = FileField(
        "File",
        validators=[
            FileRequired("Choose a file to upload."),
            FileAllowed(
                ["csv", "txt", "tsv", "xlsx"],
                "Upload a .csv or .xlsx file (save other spreadsheets as one of them).",
            ),
        ],
        description="A CSV or Excel (.xlsx) file exported from a spreadsheet or another system;"
        " at most 40 MB.",
        render_kw={
            "accept": ".csv,.txt,.tsv,.xlsx,text/csv,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )

    def __init__(self) -> None:
        super().__init__()
        self.kind.choices = [(key, kind.label) for key, kind in KINDS.items()]


class MappingForm(FlaskForm):
    """One select per column of the file (`column_0`, `column_1`, …), added by `mapping_form`."""

    area_code = StringField(
        "Area code for 7-digit numbers",
        filters=[strip_text],
        validators=[Optional(), Regexp(r"^[2-9][0-9]{2}$", message="Enter 3 digits, like 217.")],
        description="Leave blank to leave 7-digit numbers out (each is flagged in the preview);"
        " fill in to complete them with this area code.",
        render_kw={"inputmode": "numeric", "maxlength": 3, "autocomplete": "off"},
    )
    # for open balances: the day rows without a date are owed from, and the old system's name
    as_of = DateField(
        "Balances owed as of",
        validators=[Optional()],
        format="%Y-%m-%d",
        description="For rows without a date; leave blank for today.",
    )
    system = StringField(
        "Name of the old system",
        filters=[strip_text],
        validators=[Optional(), Length(max=60, message="At most 60 characters.")],
        description='Shown on each invoice line: "Balance brought forward from …".',
    )
    columns = 0

    def options(self, kind: str) -> dict[str, str]:
        """The office's options for this kind of import."""
        if kind == "customers":
            return {"area_code": self.area_code.data or ""}
        if kind == "balances":
            day = self.as_of.data
            return {"as_of": day.isoformat() if day else "", "system": self.system.data or ""}
        return {}

    def mapping(self) -> list[str]:
        return [str(self[f"column_{i}"].data or "") for i in range(self.columns)]


def mapping_form(
    kind: Kind, headers: list[str], mapping: list[str], options: dict[str, Any]
) -> MappingForm:
    """A form whose selects start at the stored (preset or guessed) mapping."""
    target_choices = choices((key, target.label) for key, target in kind.targets.items())

    class Form(MappingForm):
        pass

    for index, header in enumerate(headers):
        default = mapping[index] if index < len(mapping) else IGNORE
        label = header or f"Column {index + 1}"
        setattr(
            Form, f"column_{index}", SelectField(label, choices=target_choices, default=default)
        )
    Form.columns = len(headers)
    form = Form()
    if not form.is_submitted():
        form.area_code.data = options.get("area_code", "")
        form.system.data = options.get("system", "")
        if options.get("as_of"):
            form.as_of.data = date.fromisoformat(options["as_of"])
    return form


def mapping_problem(kind: Kind, mapping: list[str]) -> str | None:
    """Why a mapping cannot be used, or None."""
    chosen = [target for target in mapping if target != IGNORE]
    repeated = sorted(
        {kind.targets[t].label for t in chosen if chosen.count(t) > 1 and not kind.targets[t].many}
    )
    if repeated:
        return f"Each of these fields can come from one column only: {', '.join(repeated)}."
    if not any(target in kind.naming for target in chosen):
        names = ", ".join(kind.targets[t].label for t in kind.naming)
        return f"Choose the column (or columns) that name each record: {names}."
    return None
